import * as assert from 'assert';
import { KernelMemory, type Region } from '../../../server/src/kernel/memory';
import { compileProgram } from '../../../server/src/exec/jit';
import type { ExecEnv } from '../../../server/src/exec/memory';
import type { ExecRegion } from '../../../server/src/exec/values';
import { block, func, int, load, loadPtr, param, program, ptrT, ret } from './irBuilders';

const U64 = int(64, false);

describe('exec/jit: a pointer load site remembers its last region only while that answer stays right', () => {
  it('inside, at the ends of, past and between regions, and after the region is freed: what the interpreter says', () => {
    const memory = new KernelMemory();
    const ctx = memory.alloc(8, 'ctx') as ExecRegion;
    const a = memory.alloc(64, 'a') as ExecRegion;
    const b = memory.alloc(64, 'b') as ExecRegion;
    for (let i = 0; i < 8; i++) { a.view.setBigUint64(i * 8, BigInt(100 + i), true); b.view.setBigUint64(i * 8, BigInt(200 + i), true); }
    // return *(u64 *)*(void **)ctx
    const ir = program(func(0, { params: [ptrT(8)], returnType: U64, body: block(ret(load(loadPtr(param(0, ptrT(8)), 0, ptrT(8)), 0, U64))) }));
    const jit = compileProgram(ir, { mode: 'jit' });
    const interp = compileProgram(ir, { mode: 'interpreter' });
    assert.strictEqual(jit.mode, 'jit', jit.fallbackReason);
    const env = (): ExecEnv => ({ memory, stack: memory.alloc(512, 'stack') as ExecRegion, helpers: () => 0n });
    const envJ = env(), envI = env();
    const args = [{ region: ctx, offset: 0 }];
    const points = [a.addr, a.addr + 8n, a.addr + 56n, a.addr + 60n, a.addr + 64n, a.addr - 8n, b.addr, b.addr + 16n, a.addr + 24n, 0n, b.addr + 64n, b.addr + 8n];
    const results: string[] = [];
    const step = (p: bigint, what: string): void => {
      ctx.view.setBigUint64(0, p, true);
      const j = jit.run(0, args, envJ), i = interp.run(0, args, envI);
      assert.deepStrictEqual(j, i, what);
      results.push(j.ok ? String(j.value) : j.error.message.split(' ')[0]);
    };
    for (const p of points) step(p, `pointer 0x${p.toString(16)}`);
    step(a.addr + 16n, 'a again: the site remembers a');
    memory.free(a as unknown as Region);
    step(a.addr + 8n, 'a freed: the site that remembered a must fault as the interpreter does');
    step(b.addr + 8n, 'b still there');
    assert.deepStrictEqual(results, ['100', '101', '107', 'out-of-bounds', 'invalid', 'invalid', '200', '202', '103', 'NULL', 'invalid', '201', '102', 'invalid', '201']);
  });
});
