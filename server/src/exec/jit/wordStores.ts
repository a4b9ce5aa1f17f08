/**
 * The JIT's u64 fast path: a statement that stores 8 bytes computed from loads and constants with + - & | ^ (its
 * value unused: `total += *val;`, BPF_SEQ_PRINTF's argument array) is done on the u32 halves of each value, with
 * no BigInt. The same bytes (those operators' low 64 bits depend only on their operands' low 64 bits), the same
 * checks and faults in the same order as the general path (expressions.ts), which takes every other shape.
 */
import type { Expr } from '../../lang/ir';
import { Code, js, literal } from '../codeBuilder';
import { HelperCallCompiler } from './helperCalls';

/** A 64-bit value as two u32 numbers. */
interface Halves { lo: Code; hi: Code }

const HALVES_OPS = new Set(['add', 'sub', 'and', 'or', 'xor']);
/** How deep an expression of those operators the fast path takes. */
const MAX_DEPTH = 3;

export abstract class WordStoreCompiler extends HelperCallCompiler {
  /** Compiles `e` as such a store and returns true, or emits nothing and returns false. */
  protected storeInHalves(e: Expr): boolean {
    if (e.op !== 'store' || e.size !== 8 || e.type.kind !== 'int' || e.type.bits !== 64 || !inHalves(e.value, 0)) return false;
    const p = this.ptr(e.ptr);
    const v = this.halves(e.value);
    const to = this.fresh();
    this.emit(js`const ${to} = ${p.o} + ${literal(e.offset)};`);
    this.emit(js`if (${p.r} === null || ${p.r}.readonly || ${to} < 0 || ${to} + 8 > ${p.r}.bytes.length) throw ${this.h.fault}(${this.k(e.loc)}, ${p.r}, ${to}, 8, true);`);
    this.emit(js`${p.r}.view.setUint32(${to}, ${v.lo}, true); ${p.r}.view.setUint32(${to} + 4, ${v.hi}, true);`);
    return true;
  }

  private halves(x: Expr): Halves {
    const lo = this.fresh(), hi = this.fresh();
    switch (x.op) {
      case 'const': {
        const t = x.type.kind === 'int' ? x.type : { bits: 64 as const, signed: false };
        const v = BigInt.asUintN(64, t.signed ? BigInt.asIntN(t.bits, x.value) : BigInt.asUintN(t.bits, x.value));
        return { lo: literal(Number(v & 0xffffffffn)), hi: literal(Number(v >> 32n)) };
      }
      case 'convert': return this.halves(x.operand);
      case 'load': {
        const q = this.ptr(x.ptr);
        const t = x.type;
        const size = t.bits >> 3;
        const at = this.fresh();
        this.emit(js`const ${at} = ${q.o} + ${literal(x.offset)};`);
        this.emit(js`if (${q.r} === null || ${at} < 0 || ${at} + ${literal(size)} > ${q.r}.bytes.length) throw ${this.h.fault}(${this.k(x.loc)}, ${q.r}, ${at}, ${literal(size)}, false);`);
        const view = js`${q.r}.view`;
        if (t.bits === 64) {
          this.emit(js`const ${lo} = ${view}.getUint32(${at}, true), ${hi} = ${view}.getUint32(${at} + 4, true);`);
          return { lo, hi };
        }
        const raw = this.fresh();
        let read: Code;
        switch (t.bits) {
          case 32: read = t.signed ? js`${view}.getInt32(${at}, true)` : js`${view}.getUint32(${at}, true)`; break;
          case 16: read = t.signed ? js`${view}.getInt16(${at}, true)` : js`${view}.getUint16(${at}, true)`; break;
          default: read = t.signed ? js`${view}.getInt8(${at})` : js`${view}.getUint8(${at})`;
        }
        // sign- or zero-extended to 64 bits, each half as a u32
        this.emit(js`const ${raw} = ${read}, ${lo} = ${raw} >>> 0, ${hi} = ${t.signed ? js`(${raw} >> 31) >>> 0` : literal(0)};`);
        return { lo, hi };
      }
      case 'binary': {
        const a = this.halves(x.left);
        const b = this.halves(x.right);
        switch (x.kind) {
          case 'add': {
            const s = this.fresh();
            this.emit(js`const ${s} = ${a.lo} + ${b.lo}, ${lo} = ${s} >>> 0, ${hi} = (${a.hi} + ${b.hi} + (${s} > 4294967295 ? 1 : 0)) >>> 0;`);
            break;
          }
          case 'sub': this.emit(js`const ${lo} = (${a.lo} - ${b.lo}) >>> 0, ${hi} = (${a.hi} - ${b.hi} - (${a.lo} < ${b.lo} ? 1 : 0)) >>> 0;`); break;
          case 'and': this.emit(js`const ${lo} = (${a.lo} & ${b.lo}) >>> 0, ${hi} = (${a.hi} & ${b.hi}) >>> 0;`); break;
          case 'or': this.emit(js`const ${lo} = (${a.lo} | ${b.lo}) >>> 0, ${hi} = (${a.hi} | ${b.hi}) >>> 0;`); break;
          default: this.emit(js`const ${lo} = (${a.lo} ^ ${b.lo}) >>> 0, ${hi} = (${a.hi} ^ ${b.hi}) >>> 0;`); break;
        }
        return { lo, hi };
      }
      default: throw new Error(`no u32 halves for ${x.op}`);
    }
  }
}

/**
 * Whether x's low 64 bits can be computed on u32 halves: a constant, a (non-CO-RE) load, a conversion to 64 bits of
 * one of those, or + - & | ^ of 64-bit operands of this kind.
 */
function inHalves(x: Expr, depth: number): boolean {
  switch (x.op) {
    case 'const': return x.type.kind === 'int';
    case 'load': return x.core !== true;
    case 'convert': return x.type.bits === 64 && (x.operand.op === 'load' || x.operand.op === 'const') && inHalves(x.operand, depth);
    case 'binary': return depth < MAX_DEPTH && x.type.bits === 64 && HALVES_OPS.has(x.kind) && inHalves(x.left, depth + 1) && inHalves(x.right, depth + 1);
    default: return false;
  }
}
