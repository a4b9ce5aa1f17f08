/** The JIT's memory access: bounds-checked loads and stores through (region, offset), pointer loads, static addresses. */
import type { AddressBase, IntType, Loc } from '../../lang/ir';
import { Code, js, literal } from '../codeBuilder';
import { CompilerBase, type Compiled } from './compilerBase';

export abstract class MemoryAccessCompiler extends CompilerBase {
  protected storeBits(r: Code, o: Code, size: 1 | 2 | 4 | 8, bits: Code, loc: Loc): void {
    const at = this.fresh();
    this.emit(js`const ${at} = ${o};`);
    this.emit(js`if (${r} === null || ${r}.readonly || ${at} < 0 || ${at} + ${literal(size)} > ${r}.bytes.length) throw ${this.h.fault}(${this.k(loc)}, ${r}, ${at}, ${literal(size)}, true);`);
    const n = this.h.num;
    const known = this.normalised.get(bits);
    const fits = known !== undefined && !known.signed && known.bits <= size * 8;
    const u = (width: Code, x: Code): Code => fits ? x : js`${this.h.asU}(${width}, ${x})`;
    switch (size) {
      case 1: this.emit(js`${r}.view.setUint8(${at}, ${n}(${u(literal(8), bits)}));`); break;
      case 2: this.emit(js`${r}.view.setUint16(${at}, ${n}(${u(literal(16), bits)}), true);`); break;
      case 4: this.emit(js`${r}.view.setUint32(${at}, ${n}(${u(literal(32), bits)}), true);`); break;
      case 8: this.emit(js`${r}.view.setBigUint64(${at}, ${u(literal(64), bits)}, true);`); break;
    }
  }

  /** `probe`: a CO-RE (BPF_PROBE_MEM) load, which reads 0 at NULL or an unmapped address (interpreter's probeMemMisses()) */
  protected loadInt(r: Code, o: Code, offset: number, type: IntType, loc: Loc, probe = false): Compiled {
    const at = this.fresh();
    const size = type.bits >> 3;
    this.emit(js`const ${at} = ${o} + ${literal(offset)};`);
    const b = this.h.big;
    let read: Code;
    switch (type.bits) {
      case 8: read = type.signed ? js`${b}(${r}.view.getInt8(${at}))` : js`${b}(${r}.view.getUint8(${at}))`; break;
      case 16: read = type.signed ? js`${b}(${r}.view.getInt16(${at}, true))` : js`${b}(${r}.view.getUint16(${at}, true))`; break;
      case 32: read = type.signed ? js`${b}(${r}.view.getInt32(${at}, true))` : js`${b}(${r}.view.getUint32(${at}, true))`; break;
      default: read = type.signed ? js`${r}.view.getBigInt64(${at}, true)` : js`${r}.view.getBigUint64(${at}, true)`;
    }
    const check = js`if (${r} === null || ${at} < 0 || ${at} + ${literal(size)} > ${r}.bytes.length) throw ${this.h.fault}(${this.k(loc)}, ${r}, ${at}, ${literal(size)}, false);`;
    if (!probe) {
      this.emit(check);
      return this.tempAs(read, type);
    }
    const v = this.fresh();
    this.emit(js`let ${v};`);
    this.emit(js`if (${r} === null || ${r}.bytes.length === 0) ${v} = ${literal(0n)}; else { ${check} ${v} = ${read}; }`);
    return this.tempAs(v, type);
  }

  /**
   * A u64 load resolved as a pointer (loadInt of U64 then resolve), read as two u32 halves so no BigInt is made.
   * Each load site remembers the region its last pointer resolved to (module variables): a pointer inside it is that
   * region at the pointer's distance from its start, with no call, while the memory's generation is unchanged (see
   * ExecMemory.generation: its regions do not overlap and none was freed); a memory without one is never cached.
   */
  protected loadPointer(r: Code, o: Code, offset: number, loc: Loc, probe: boolean): Compiled {
    const at = this.fresh();
    this.emit(js`const ${at} = ${o} + ${literal(offset)};`);
    const check = js`if (${r} === null || ${at} < 0 || ${at} + 8 > ${r}.bytes.length) throw ${this.h.fault}(${this.k(loc)}, ${r}, ${at}, 8, false);`;
    const c = { r: this.fresh(), lo: this.fresh(), hi: this.fresh(), n: this.fresh(), g: this.fresh() };
    this.pointerCaches.push(c);
    const pr = this.fresh(), po = this.fresh(), lo = this.fresh(), hi = this.fresh(), d = this.fresh(), q = this.fresh(), g = this.fresh();
    const M = this.memoryVar;
    const resolve = js`${check}
const ${lo} = ${r}.view.getUint32(${at}, true), ${hi} = ${r}.view.getUint32(${at} + 4, true);
const ${d} = (${hi} - ${c.hi}) * 4294967296 + (${lo} - ${c.lo});
if (${d} >= 0 && ${d} < ${c.n} && ${M}.generation === ${c.g}) { ${pr} = ${c.r}; ${po} = ${d}; }
else {
const ${q} = ${this.h.resolveParts}(${lo}, ${hi}); ${pr} = ${q}.region; ${po} = ${q}.offset;
const ${g} = ${M}.generation;
if (${pr} !== null && ${pr}.bytes.length > 0 && typeof ${g} === 'number') { ${c.r} = ${pr}; ${c.lo} = ${lo} - ${po}; ${c.hi} = ${hi}; ${c.n} = ${pr}.bytes.length; ${c.g} = ${g}; }
}`;
    this.emit(js`let ${pr} = null, ${po} = 0;`);
    if (!probe) this.emit(resolve);
    else this.emit(js`if (${r} !== null && ${r}.bytes.length !== 0) {
${resolve}
}`);
    return { kind: 'ptr', r: pr, o: po };
  }


  /** Fetches (once per env) the pointer and address of a global/string/map leaf into module variables. */
  protected staticAddress(base: AddressBase, loc: Loc): { r: Code; o: Code; a: Code } {
    this.statics.push(base);
    const sv = { r: this.fresh(), o: this.fresh(), a: this.fresh() };
    this.staticVars.push(sv);
    const q = this.fresh();
    this.emit(js`if (${sv.r} === undefined) { const ${q} = ${this.h.stat}(${literal(this.statics.length - 1)}, ${this.k(loc)}); ${sv.r} = ${q}.region; ${sv.o} = ${q}.offset; ${sv.a} = ${this.h.addrOf}(${q}); }`);
    return sv;
  }

}
