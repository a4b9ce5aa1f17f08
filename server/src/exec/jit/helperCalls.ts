/**
 * The JIT's helper calls: the arguments as u64s through the env's helper table, as the interpreter passes them; and
 * bpf_seq_printf() through the env's direct helper (memory.ts DirectHelpers) when it has one, with the pointers as
 * (region, offset) and the sizes as numbers, falling back to the table when the direct helper declines.
 */
import type { Expr, IntType } from '../../lang/ir';
import { Code, join, js, literal } from '../codeBuilder';
import type { Compiled } from './compilerBase';
import { MemoryAccessCompiler } from './memoryAccess';

type HelperCall = Expr & { op: 'callHelper' };
const U64: IntType = { kind: 'int', bits: 64, signed: false };

/** bpf_seq_printf(seq, fmt, fmt_size, data, data_len): which arguments are pointers */
const SEQ_PRINTF_POINTERS = [true, true, false, true, false];

export abstract class HelperCallCompiler extends MemoryAccessCompiler {
  /** `used`: false for a statement's call, whose result is only checked (helperResult() faults on a non-integer). */
  protected callHelper(e: HelperCall, used = true): Compiled {
    const h = this.h;
    this.helperCalls.push(e);
    const i = literal(this.helperCalls.length - 1);
    const r0 = this.fresh(), x = this.fresh();
    if (this.takesDirectSeqPrintf(e)) {
      const ptrs: Array<{ r: Code; o: Code }> = [];
      const ints: Array<{ big: Code; num: Code }> = [];
      const table: Code[] = [];
      e.args.forEach((a, k) => {
        if (SEQ_PRINTF_POINTERS[k]) {
          const p = this.ptr(a);
          ptrs.push(p);
          table.push(this.address(p.r, p.o));
        } else {
          const n = this.sizeArg(a);
          ints.push(n);
          table.push(n.big);
        }
      });
      const d = this.fresh();
      const [seq, fmt, data] = ptrs, [fmtSize, dataLen] = ints;
      this.emit(js`let ${r0};
try {
const ${d} = ${this.directHelpers} === null ? undefined : ${this.directHelpers}.bpf_seq_printf(${seq.r}, ${seq.o}, ${fmt.r}, ${fmt.o}, ${fmtSize.num}, ${data.r}, ${data.o}, ${dataLen.num});
${r0} = ${d} !== undefined ? ${used ? js`${h.big}(${d})` : literal(0n)} : ${this.helperTable}(${literal(e.name)}, [${join(table, ', ')}], ${this.callbackVar});
} catch (${x}) { throw ${h.helperFail}(${i}, ${x}); }`);
    } else {
      const args = e.args.map((a) => this.addressArg(a));
      this.emit(js`let ${r0};
try { ${r0} = ${this.helperTable}(${literal(e.name)}, [${join(args, ', ')}], ${this.callbackVar}); } catch (${x}) { throw ${h.helperFail}(${i}, ${x}); }`);
    }
    if (!used) {
      // (a direct helper's result is an integer, as the table's would be: nothing to check)
      this.emit(js`if (typeof ${r0} !== 'bigint') ${h.helperResult}(${i}, ${r0});`);
      return this.zero(e.type.kind === 'ptr' ? e.type : { kind: 'int', bits: 64, signed: false });
    }
    if (e.type.kind === 'int') return this.tempAs(js`(typeof ${r0} === 'bigint' ? ${this.norm(r0, e.type)} : ${h.helperResult}(${i}, ${r0}))`, e.type);
    const result = js`${h.helperResult}(${i}, ${r0})`;
    return e.type.kind === 'ptr' ? this.fromPointerObject(result) : this.temp(result);
  }

  /** bpf_seq_printf() with its pointers as pointers (an integer turned into a pointer takes the table, with its u64). */
  private takesDirectSeqPrintf(e: HelperCall): boolean {
    if (e.name !== 'bpf_seq_printf' || e.args.length !== SEQ_PRINTF_POINTERS.length) return false;
    return e.args.every((a, k) => {
      let inner = a;
      while (inner.op === 'ptrCast') inner = inner.operand;
      return SEQ_PRINTF_POINTERS[k] ? a.type.kind === 'ptr' && inner.op !== 'intToPtr' : a.type.kind === 'int';
    });
  }

  /**
   * A size argument as its u64 (what the table gets) and as the number the kernel function takes (its low 32 bits,
   * as the runner converts it); a constant is converted here.
   */
  private sizeArg(a: Expr): { big: Code; num: Code } {
    if (a.op === 'const' && a.type.kind === 'int') {
      const t: IntType = a.type;
      const v = t.signed ? BigInt.asIntN(t.bits, a.value) : BigInt.asUintN(t.bits, a.value);
      return { big: literal(BigInt.asUintN(64, v)), num: literal(Number(BigInt.asUintN(32, v))) };
    }
    const v = this.intTemp(js`${this.h.asU}(64, ${this.int(a)})`);
    return { big: v, num: js`${this.h.num}(${this.h.asU}(32, ${v}))` };
  }

  /** A helper argument as a u64. An int-to-pointer conversion is skipped: resolving keeps the address and has no effect. */
  protected addressArg(a: Expr): Code {
    let inner = a;
    while (inner.op === 'ptrCast') inner = inner.operand;
    if (inner.op === 'intToPtr') return this.norm(this.int(inner.operand), U64);
    if (inner.op === 'addr' && inner.base.kind !== 'stack') return this.intTemp(this.staticAddress(inner.base, inner.loc).a);
    const v = this.value(a);
    return v.kind === 'int' ? this.norm(v.v, U64) : this.address(v.r, v.o);
  }
}
