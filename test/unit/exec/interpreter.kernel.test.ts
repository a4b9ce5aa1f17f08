import * as assert from 'assert';
import { compileProgram } from '../../../server/src/exec/jit';
import type { ExecMemory, ExecRegion } from '../../../server/src/exec/values';
import { KernelMemory, type Region } from '../../../server/src/kernel/memory';
import { U32, U64 } from '../../../server/src/lang/ir';
import { bin, block, c, func, load, loadPtr, param, program, ptrT, ret, store, expr } from './irBuilders';

describe('exec: runs against the kernel\'s memory', () => {
  it('KernelMemory and its Region satisfy the executor\'s memory interface', () => {
    const memory: ExecMemory = new KernelMemory();
    const region: ExecRegion = (memory as KernelMemory).alloc(8, 'x') as Region;
    assert.strictEqual(memory.find(region.addr)?.region, region);
  });
  for (const mode of ['interpreter', 'jit'] as const) {
    it(`(${mode}) follows a ctx pointer stored in kernel memory to the value and writes through it`, () => {
      const memory = new KernelMemory();
      const ctx = memory.alloc(32, 'bpf_iter__bpf_map_elem', true);
      const value = memory.alloc(16, 'hash value');
      value.view.setUint32(4, 41, true);
      ctx.view.setBigUint64(24, value.addr, true);
      // value = ctx->value; value[1] += 1; return value[1]
      const v = loadPtr(param(0, ptrT()), 24, ptrT(4));
      const body = block(expr(store(loadPtr(param(0, ptrT()), 24, ptrT(4)), 4, 4, bin('add', load(v, 4, U32), c(1, U32)))), ret(load(loadPtr(param(0, ptrT()), 24, ptrT(4)), 4, U64)));
      const prog = compileProgram(program(func(0, { params: [ptrT()], body })), { mode });
      const out = prog.run(0, [ctx.addr], { memory, helpers: () => 0n });
      assert.deepStrictEqual(out, { ok: true, value: 42n });
      assert.strictEqual(value.view.getUint32(4, true), 42);
    });
  }
});
