import * as assert from 'assert';
import fc from 'fast-check';
import { compileProgram } from '../../../server/src/exec/jit';
import type { ExecEnv } from '../../../server/src/exec/memory';
import type { RunOutcome } from '../../../server/src/exec/values';
import type { AddressBase, BinaryOp, Expr, IntType, IrProgram, Stmt } from '../../../server/src/lang/ir';
import {
  TestMemory, addr, assign, bin, block, brk, c, call, cond, cont, conv, copy, decl, expr, fill, func, helper, iff, int, intToPtr,
  load, loadPtr, local, logical, loop, nul, param, program, ptrAdd, ptrCmp, ptrDiff, ptrT, ptrToInt, ret, seq, store, sw, un,
} from './irBuilders';

/** A small deterministic PRNG so one fast-check integer seeds a whole program. */
class Rng {
  constructor(private s: number) { this.s = (s >>> 0) || 1; }
  next(): number { let x = this.s; x ^= x << 13; x ^= x >>> 17; x ^= x << 5; this.s = x >>> 0; return this.s / 2 ** 32; }
  int(n: number): number { return Math.floor(this.next() * n); }
  pick<T>(xs: readonly T[]): T { return xs[this.int(xs.length)]; }
  chance(p: number): boolean { return this.next() < p; }
}

const TYPES: IntType[] = [8, 16, 32, 64].flatMap((b) => [int(b as 8, false), int(b as 8, true)]);
const OPS: BinaryOp[] = ['add', 'sub', 'mul', 'div', 'rem', 'and', 'or', 'xor', 'shl', 'shr', 'eq', 'ne', 'lt', 'le', 'gt', 'ge'];
const BSS: AddressBase = { kind: 'global', section: '.bss', offset: 0, name: 'g' };
const U64 = int(64, false);

/** Some loads are CO-RE (BPF_PROBE_MEM) loads, which read 0 through NULL or an unmapped address instead of faulting. */
function probeMem(r: Rng, e: Expr): Expr {
  return r.chance(0.3) && (e.op === 'load' || e.op === 'loadPtr') ? { ...e, core: true } : e;
}

/** Locals 0..3 are general ints of fixed types; 4..6 are loop counters; 7 is a 32-byte stack slot; 8 is a pointer local. */
class ProgramGen {
  readonly localTypes: IntType[];
  constructor(private readonly r: Rng) {
    this.localTypes = [0, 1, 2, 3].map(() => r.pick(TYPES));
  }

  constant(t: IntType): Expr {
    const r = this.r;
    const specials = [0n, 1n, -1n, 2n ** BigInt(t.bits - 1), 2n ** BigInt(t.bits - 1) - 1n, 63n, 64n, 7n, 33n, 40n, 31n];
    const v = r.chance(0.5) ? r.pick(specials) : BigInt(Math.floor((r.next() - 0.5) * 2 ** 40)) * BigInt(r.int(2 ** 20) + 1);
    return c(v, t);
  }

  pointer(depth: number): Expr {
    const r = this.r;
    switch (r.int(8)) {
      case 6: return intToPtr(ptrToInt(this.pointer(depth + 1)), ptrT(8));
      case 7: return r.chance(0.7) ? addr(BSS, ptrT(8)) : intToPtr(r.chance(0.5) ? c(0, U64) : conv(this.int(int(16, false), depth + 1), U64), ptrT(8));
      case 0: return addr(BSS, ptrT(8));
      case 1: return addr({ kind: 'stack', slot: 0 }, ptrT(8));
      case 2: return ptrAdd(this.pointer(depth + 1), c(r.chance(0.1) ? r.int(12) - 2 : r.int(3), int(64, true)), r.pick([1, 2, 4, 8]));
      case 3: return r.chance(0.95) ? local(8, ptrT(8)) : nul(ptrT(8));
      case 4: return probeMem(r, loadPtr(r.chance(0.2) ? this.pointer(depth + 1) : addr(BSS, ptrT(8)), r.chance(0.1) ? r.pick([0, 24, 56]) : r.pick([8, 16]), ptrT(8)));
      default: return depth > 2 ? addr(BSS, ptrT(8)) : cond(this.int(int(32, false), depth + 1), this.pointer(depth + 1), this.pointer(depth + 1));
    }
  }

  int(t: IntType, depth: number): Expr {
    const r = this.r;
    if (depth > 4) return r.chance(0.5) ? this.constant(t) : conv(local(r.int(4), this.localTypes[0]), t);
    switch (r.int(20)) {
      case 0: case 1: return this.constant(t);
      case 2: { const id = r.int(4); return conv(local(id, this.localTypes[id]), t); }
      case 3: case 4: return bin(r.pick(OPS.slice(0, 10)), this.int(t, depth + 1), this.int(t, depth + 1), t);
      case 5: { const s = r.pick(TYPES); return bin(r.pick(OPS.slice(10)), this.int(s, depth + 1), this.int(s, depth + 1), t); }
      case 6: return un(r.pick(['neg', 'not', 'lnot'] as const), this.int(t, depth + 1), t);
      case 7: return conv(this.int(r.pick(TYPES), depth + 1), t);
      case 8: return conv(probeMem(r, load(this.pointer(depth + 1), r.chance(0.05) ? r.int(70) - 4 : r.int(24), r.pick(TYPES))), t);
      case 9: { const id = r.int(4); return conv(assign(id, conv(this.int(t, depth + 1), this.localTypes[id])), t); }
      case 10: { const size = r.pick([1, 2, 4, 8] as const); return conv(store(this.pointer(depth + 1), r.chance(0.05) ? r.int(64) : r.int(24), size, this.int(t, depth + 1)), t); }
      case 11: return conv(logical(r.pick(['and', 'or'] as const), this.int(r.pick(TYPES), depth + 1), r.chance(0.3) ? this.pointer(depth + 1) : this.int(t, depth + 1)), t);
      case 12: return cond(this.int(r.pick(TYPES), depth + 1), this.int(t, depth + 1), this.int(t, depth + 1));
      case 13: return conv(ptrToInt(this.pointer(depth + 1)), t);
      case 14: return conv(ptrDiff(this.pointer(depth + 1), this.pointer(depth + 1), r.pick([1, 4, 8])), t);
      case 15: return conv(ptrCmp(r.pick(['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const), this.pointer(depth + 1), this.pointer(depth + 1)), t);
      case 16: return conv(helper(r.chance(0.1) ? 'bpf_fail' : 'bpf_mix', [this.int(U64, depth + 1), this.pointer(depth + 1), this.int(int(32, true), depth + 1)], U64), t);
      case 17: return conv(call(1, [this.int(U64, depth + 1), this.pointer(depth + 1)], U64), t);
      case 18: return seq(this.int(t, depth + 1), this.int(t, depth + 1));
      default: return conv(intToPtrRoundTrip(this.pointer(depth + 1)), t);
    }
  }

  /** + - & | ^ of 64-bit loads, widened loads and constants: a statement storing one is done on u32 halves by the JIT. */
  word(depth: number): Expr {
    const r = this.r;
    const t = r.pick([U64, int(64, true)]);
    switch (depth > 2 ? r.int(3) : r.int(6)) {
      case 0: return this.constant(t);
      case 1: return probeMem(r, load(this.pointer(depth + 1), r.chance(0.05) ? r.int(70) - 4 : r.int(24), t));
      case 2: return conv(probeMem(r, load(this.pointer(depth + 1), r.int(24), r.pick(TYPES))), t);
      case 3: return r.chance(0.8) ? bin(r.pick(['add', 'sub', 'and', 'or', 'xor'] as const), this.word(depth + 1), this.word(depth + 1), t) : this.int(t, depth + 1);
      default: return bin(r.pick(['add', 'sub', 'and', 'or', 'xor'] as const), this.word(depth + 1), this.word(depth + 1), t);
    }
  }

  stmt(depth: number, loopDepth: number): Stmt {
    const r = this.r;
    const kinds = depth > 2 ? 3 : 11;
    switch (r.int(kinds)) {
      case 0: case 1: return expr(this.int(r.pick(TYPES), 0));
      case 2: return r.chance(0.3) ? expr(assign(8, this.pointer(1))) : expr(r.chance(0.5) ? fill(this.pointer(1), r.int(256), r.int(12)) : copy(this.pointer(1), this.pointer(1), r.int(12)));
      case 3: return iff(this.int(r.pick(TYPES), 1), this.stmt(depth + 1, loopDepth), r.chance(0.5) ? this.stmt(depth + 1, loopDepth) : undefined);
      case 4: return block(...Array.from({ length: r.int(4) }, () => this.stmt(depth + 1, loopDepth)));
      case 5: {
        if (loopDepth >= 3) return expr(this.int(U64, 1));
        const counter = 4 + loopDepth;
        const ct = int(32, false);
        const label = r.chance(0.7) ? this.nextLabel++ : undefined;
        if (label !== undefined) this.enclosing.push({ label, kind: 'loop' });
        const body = block(...Array.from({ length: 1 + r.int(3) }, () => this.stmt(depth + 1, loopDepth + 1)));
        if (label !== undefined) this.enclosing.pop();
        return loop({
          init: decl(counter, c(0, ct)), test: bin('lt', local(counter, ct), c(r.int(5), ct), ct),
          update: assign(counter, bin('add', local(counter, ct), c(1, ct))), testFirst: r.chance(0.8),
          body, label,
        });
      }
      case 6: {
        // a plain break/continue, or (as a lowered goto makes) a labeled one for an enclosing loop, switch or region
        const labeled = this.enclosing.length > 0 && r.chance(0.5) ? r.pick(this.enclosing) : undefined;
        if (labeled) return iff(this.int(int(8, false), 2), labeled.kind === 'switch' || r.chance(0.5) ? brk(labeled.label) : cont(labeled.label));
        return loopDepth > 0 ? iff(this.int(int(8, false), 2), r.chance(0.5) ? brk() : cont()) : expr(this.int(U64, 1));
      }
      case 8: {
        // a forward goto's region: do { ... } while (0), left by a labeled break
        const label = this.nextLabel++;
        this.enclosing.push({ label, kind: 'switch' });
        const body = block(...Array.from({ length: 1 + r.int(3) }, () => this.stmt(depth + 1, loopDepth)));
        this.enclosing.pop();
        return loop({ body, test: c(0, int(32, true)), testFirst: false, label });
      }
      case 7: return r.chance(0.3) ? ret(this.int(U64, 1)) : expr(this.int(U64, 1));
      case 10: {
        if (r.chance(0.6)) return expr(store(this.pointer(1), r.chance(0.05) ? r.int(64) : r.int(24), 8, this.word(0)));
        // a helper call whose result is unused, alone or at the end of a comma
        const call = helper(r.chance(0.1) ? 'bpf_fail' : 'bpf_mix', [this.int(U64, 1), this.pointer(1), this.int(int(32, true), 1)], r.chance(0.5) ? U64 : int(32, true));
        return expr(r.chance(0.5) ? call : seq(this.int(r.pick(TYPES), 1), call));
      }
      default: {
        const label = r.chance(0.7) ? this.nextLabel++ : undefined;
        if (label !== undefined) this.enclosing.push({ label, kind: 'switch' });
        const made = sw(this.int(int(32, false), 2), [
          { values: [0, 1], body: [this.stmt(depth + 1, loopDepth)] },
          { values: [2], body: [this.stmt(depth + 1, loopDepth), ...(r.chance(0.5) ? [brk()] : [])] },
          { values: 'default', body: [this.stmt(depth + 1, loopDepth)] },
          { values: [3], body: [this.stmt(depth + 1, loopDepth)] },
        ]);
        if (label === undefined) return made;
        this.enclosing.pop();
        return { ...made, label } as Stmt;
      }
    }
  }

  /** Loops, switches and goto regions around the statement being generated, for labeled break/continue. */
  private readonly enclosing: Array<{ label: number; kind: 'loop' | 'switch' }> = [];
  private nextLabel = 0;

  program(): IrProgram {
    const r = this.r;
    const main = func(0, {
      returnType: U64,
      locals: [...this.localTypes.map((type) => ({ type })), { type: int(32, false) }, { type: int(32, false) }, { type: int(32, false) }, { slotSize: 32 }, { type: ptrT(8) }],
      body: block(expr(assign(8, addr(BSS, ptrT(8)))), ...Array.from({ length: 2 + r.int(5) }, () => this.stmt(0, 0)), ret(this.int(U64, 1))),
    });
    // f1(x, p): a callee with its own slot, reading through p.
    const sub = func(1, {
      params: [U64, ptrT(8)], locals: [{ slotSize: 16 }], returnType: U64,
      body: block(
        expr(store(addr({ kind: 'stack', slot: 0 }), 0, 8, bin('mul', param(0, U64), c(3, U64)))),
        iff(ptrCmp('eq', param(1, ptrT(8)), nul()), ret(c(1, U64))),
        ret(bin('xor', load(addr({ kind: 'stack', slot: 0 }), 0, U64), conv(load(param(1, ptrT(8)), 0, int(16, false)), U64))),
      ),
    });
    return program(main, sub);
  }
}

function intToPtrRoundTrip(p: Expr): Expr { return ptrToInt(intToPtr(ptrToInt(p), ptrT(8))); }

interface Observation { outcome: RunOutcome; bss: number[]; stack: number[]; calls: string[] }

function observe(ir: IrProgram, mode: 'jit' | 'interpreter', budget: number): Observation {
  const mem = new TestMemory();
  const bss = mem.alloc(64, '.bss');
  const stack = mem.alloc(512, 'stack');
  for (let i = 0; i < 64; i++) bss.bytes[i] = (i * 37 + 11) & 0xff;
  bss.view.setBigUint64(8, bss.addr + 16n, true);
  bss.view.setBigUint64(16, stack.addr + 8n, true);
  bss.view.setBigUint64(24, 0n, true);
  const calls: string[] = [];
  const env: ExecEnv = {
    memory: mem, stack, sections: new Map([['.bss', bss]]), instructionBudget: budget, cancelCheckInterval: 7,
    helpers: (name, args) => {
      calls.push(`${name}(${args.join(',')})`);
      if (name === 'bpf_fail' && (args[0] & 3n) === 0n) throw new Error('refused');
      return args[0] * 31n + args[2] - (args[1] & 0xffffn);
    },
  };
  const prog = compileProgram(ir, { mode });
  assert.strictEqual(prog.mode, mode, prog.fallbackReason);
  const outcome = prog.run(0, [], env);
  return { outcome, bss: [...bss.bytes], stack: [...stack.bytes], calls };
}

describe('exec/jit: generated JS agrees with the interpreter', () => {
  it('on random well-typed programs: same R0 or error (kind, message, loc), same memory, same helper calls', () => {
    let failures = 0;
    fc.assert(fc.property(fc.integer(), fc.integer({ min: 0, max: 2 }), (seed, budgetKind) => {
      const ir = new ProgramGen(new Rng(seed)).program();
      const budget = [40, 400, 100_000][budgetKind];
      const a = observe(ir, 'interpreter', budget);
      const b = observe(ir, 'jit', budget);
      if (!a.outcome.ok) failures++;
      if (process.env.EXEC_DIFF_STATS) console.log(a.outcome.ok ? 'ok' : a.outcome.error.kind);
      assert.deepStrictEqual(b, a);
    }), { numRuns: 600 });
    // The generator must exercise both sides: programs that finish and programs that fault or run out.
    assert.ok(failures > 0 && failures < 600, `failures: ${failures}`);
  });

  it('a pointer whose arithmetic on NULL comes back to address 0 is NULL to both (seed -70505804, found by fast-check)', () => {
    // `((T *)0 - 2) + 2`: the first step leaves NULL for an unmapped address, the second wraps back to 0. The
    // interpreter compares pointers by address; the generated code compared `p == NULL` by region and went on to
    // read through it (a fault the interpreter never reached).
    const ir = new ProgramGen(new Rng(-70505804)).program();
    for (const budget of [40, 400, 100_000]) assert.deepStrictEqual(observe(ir, 'jit', budget), observe(ir, 'interpreter', budget), `budget ${budget}`);
  });
});

describe('exec/jit: hostile names and strings never become code', () => {
  const hostile = ['"', "'", '`', '\\', '${process.exit(1)}', '*/', '</script>', '__proto__', 'constructor', '\u2028', 'a\nb', 'v1', 'f1', 'k1'];
  it('runs programs whose helper, global, section, map and function names are hostile', () => {
    fc.assert(fc.property(fc.constantFrom(...hostile), fc.string(), (h, s) => {
      const name = h + s;
      const fn0 = func(0, { name, body: block(
        expr(store(addr({ kind: 'global', section: name, offset: 0, name }), 0, 8, c(9, U64))),
        ret(bin('add', helper(name, [addr({ kind: 'map', name })], U64), call(1, [], U64)))) });
      const fn1 = func(1, { name: s + h, body: block(ret(load(addr({ kind: 'global', section: name, offset: 0, name: s }), 0, U64))) });
      const ir = program(fn0, fn1);
      ir.strings.push(new TextEncoder().encode(name));
      const mem = new TestMemory();
      const sec = mem.alloc(8, name);
      const mapStruct = mem.alloc(8, 'map');
      const seen: string[] = [];
      const env: ExecEnv = { memory: mem, sections: new Map([[name, sec]]), maps: new Map([[name, { region: mapStruct, offset: 0 }]]), helpers: (n, args) => { seen.push(n); return args[0] === mapStruct.addr ? 1n : 0n; } };
      const prog = compileProgram(ir);
      assert.strictEqual(prog.mode, 'jit', prog.fallbackReason);
      const out = prog.run(0, [], env);
      assert.deepStrictEqual(out, { ok: true, value: 10n });
      assert.deepStrictEqual(seen, [name]);
    }), { numRuns: 200 });
  });
});
