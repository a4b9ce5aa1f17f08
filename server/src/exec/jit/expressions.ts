/** The JIT's expressions: each IR expression becomes statements into the output buffer and a value (Compiled). */
import type { Expr, IntType } from '../../lang/ir';
import { Code, join, js, literal } from '../codeBuilder';
import { functionAddress } from '../memory';
import type { Compiled, LocalVar } from './compilerBase';
import { WordStoreCompiler } from './wordStores';

export abstract class ExpressionCompiler extends WordStoreCompiler {
  protected assignLocal(lv: LocalVar, value: Expr, intType: IntType | undefined): Compiled {
    if (lv.kind === 'ptr') {
      const p = this.ptr(value);
      this.emit(js`${lv.r} = ${p.r}; ${lv.o} = ${p.o};`);
      return { kind: 'ptr', r: p.r, o: p.o };
    }
    const v = this.int(value);
    this.emit(js`${lv.v} = ${intType !== undefined ? this.norm(v, intType) : v};`);
    return this.temp(lv.v);
  }


  /**
   * An expression whose value is unused (an expression statement): the same effects and checks as value(), but a
   * helper call's result is only checked, and a store of + - & | ^ goes on u32 halves; through a GNU statement
   * expression (BPF_SEQ_PRINTF) and a comma.
   */
  protected discarded(e: Expr): void {
    switch (e.op) {
      case 'callHelper': this.callHelper(e, false); return;
      case 'stmtExpr': this.stmt(e.body); if (e.value) this.discarded(e.value); return;
      case 'sequence': this.value(e.first); this.discarded(e.second); return;
      case 'store': if (!this.storeInHalves(e)) this.value(e); return;
      default: this.value(e);
    }
  }

  protected value(e: Expr): Compiled {
    const h = this.h;
    switch (e.op) {
      case 'const': return { kind: 'int', v: this.constant(e.type.signed ? BigInt.asIntN(e.type.bits, e.value) : BigInt.asUintN(e.type.bits, e.value)) };
      case 'null': return { kind: 'ptr', r: literal(null), o: literal(0) };
      case 'param': {
        const pv = this.paramValues[e.index];
        if (pv === undefined) return this.zero(e.type);
        return pv.kind === 'ptr' ? this.ptrTemp(pv.r, pv.o) : this.temp(pv.v);
      }
      case 'local': {
        const lv = this.declareLocal(e.id, e.type);
        return lv.kind === 'ptr' ? this.ptrTemp(lv.r, lv.o) : this.temp(lv.v);
      }
      case 'assign': {
        const lv = this.declareLocal(e.id, e.type);
        return this.assignLocal(lv, e.value, e.type.kind === 'int' ? e.type : undefined);
      }
      case 'addr': {
        if (e.base.kind === 'stack') return this.ptrTemp(this.stackVar, js`${this.frameBase} + ${literal(this.slotOffsets.get(e.base.slot) ?? 0)}`);
        const sv = this.staticAddress(e.base, e.loc);
        return this.ptrTemp(sv.r, sv.o);
      }
      case 'load': {
        const p = this.ptr(e.ptr);
        return this.loadInt(p.r, p.o, e.offset, e.type, e.loc, e.core === true);
      }
      case 'loadPtr': {
        const p = this.ptr(e.ptr);
        return this.loadPointer(p.r, p.o, e.offset, e.loc, e.core === true);
      }
      case 'store': {
        const p = this.ptr(e.ptr);
        const v = this.value(e.value);
        if (v.kind === 'ptr') {
          this.storeBits(p.r, js`${p.o} + ${literal(e.offset)}`, e.size, this.address(v.r, v.o), e.loc);
          return v;
        }
        const nv = e.type.kind === 'int' ? this.tempAs(this.norm(v.v, e.type), e.type) : v;
        this.storeBits(p.r, js`${p.o} + ${literal(e.offset)}`, e.size, (nv as { v: Code }).v, e.loc);
        return nv;
      }
      case 'copy': {
        const d = this.ptr(e.dst);
        const s = this.ptr(e.src);
        this.emit(js`${h.copy}(${this.k(e.loc)}, ${d.r}, ${d.o}, ${s.r}, ${s.o}, ${e.length ? this.int(e.length) : literal(e.size)});`);
        return { kind: 'int', v: literal(0n) };
      }
      case 'fill': {
        const d = this.ptr(e.dst);
        this.emit(js`${h.fill}(${this.k(e.loc)}, ${d.r}, ${d.o}, ${literal(e.byte)}, ${e.length ? this.int(e.length) : literal(e.size)});`);
        return { kind: 'int', v: literal(0n) };
      }
      case 'binary': {
        const a = this.int(e.left);
        const b = this.int(e.right);
        const test = comparison(e.kind, a, b);
        if (test !== undefined) return this.boolTemp(test, e.type);
        return this.tempAs(this.binary(e.kind, a, b, e.type), e.type);
      }
      case 'unary': {
        if (e.kind === 'lnot') return this.boolTemp(js`!${this.truthy(this.value(e.operand))}`, e.type);
        const a = this.int(e.operand);
        return this.tempAs(this.norm(e.kind === 'neg' ? js`(-${a})` : js`(~${a})`, e.type), e.type);
      }
      case 'convert': return this.tempAs(this.norm(this.int(e.operand), e.type), e.type);
      case 'ptrAdd': {
        const p = this.ptr(e.ptr);
        const idx = this.intTemp(js`${h.asI}(64, ${this.int(e.index)})`);
        const r = this.fresh(), o = this.fresh(), q = this.fresh();
        this.emit(js`let ${r} = ${p.r}, ${o} = ${p.o} + ${h.num}(${idx}) * ${literal(e.scale)};`);
        this.emit(js`if (${r} === null || !(${o} <= 281474976710656 && ${o} >= -281474976710656)) { const ${q} = ${h.offPtr}(${p.r}, ${p.o}, ${idx} * ${literal(BigInt(e.scale))}); ${r} = ${q}.region; ${o} = ${q}.offset; }`);
        return { kind: 'ptr', r, o };
      }
      case 'ptrDiff': {
        const a = this.ptr(e.left);
        const b = this.ptr(e.right);
        const scale = literal(BigInt(e.scale > 0 ? e.scale : 1));
        return this.temp(this.norm(js`(${h.asI}(64, ${this.address(a.r, a.o)} - ${this.address(b.r, b.o)}) / ${scale})`, e.type));
      }
      case 'ptrCompare': {
        const a = this.ptr(e.left);
        const b = this.ptr(e.right);
        if (e.kind === 'eq' || e.kind === 'ne') {
          // Same region: equal iff same offset. Equal to NULL: no region, or an unmapped one (no bytes) whose address
          // wrapped to 0 (`(T *)0 - 2 + 2`), which the interpreter compares by address as well.
          const nullSide = e.right.op === 'null' ? a : e.left.op === 'null' ? b : undefined;
          const same = nullSide !== undefined
            ? js`(${nullSide.r} === null ? ${nullSide.o} === 0 : ${nullSide.r}.bytes.length === 0 && ${this.address(nullSide.r, nullSide.o)} === 0n)`
            : js`(${a.r} === ${b.r} ? ${a.o} === ${b.o} : ${a.r} !== null && ${b.r} !== null && ${this.address(a.r, a.o)} === ${this.address(b.r, b.o)})`;
          return this.boolTemp(e.kind === 'eq' ? same : js`!${same}`, e.type);
        }
        return this.boolTemp(comparison(e.kind, this.address(a.r, a.o), this.address(b.r, b.o))!, e.type);
      }
      case 'ptrToInt': return this.temp(this.norm(this.int(e.operand), e.type));
      case 'intToPtr': {
        const p = this.ptr(e.operand);
        return { kind: 'ptr', r: p.r, o: p.o };
      }
      case 'ptrCast': return this.value(e.operand);
      case 'logical': {
        const tb = this.fresh(), t = this.fresh();
        const l = this.truthy(this.value(e.left));
        let rightTruth!: Code;
        const right = this.nested(() => { rightTruth = this.truthy(this.value(e.right)); });
        if (e.kind === 'and') this.emit(js`let ${tb} = false;\nif ${l} {\n${right}\n${tb} = ${rightTruth};\n}`);
        else this.emit(js`let ${tb} = true;\nif (!${l}) {\n${right}\n${tb} = ${rightTruth};\n}`);
        this.emit(js`const ${t} = ${tb} ? 1n : 0n;`);
        return { kind: 'int', v: t, b: tb };
      }
      case 'conditional': {
        const test = this.truthy(this.value(e.test));
        if (e.type.kind === 'ptr') {
          const r = this.fresh(), o = this.fresh();
          const branch = (x: Expr) => this.nested(() => { const p = this.ptr(x); this.emit(js`${r} = ${p.r}; ${o} = ${p.o};`); });
          const thenCode = branch(e.then), elseCode = branch(e.else);
          this.emit(js`let ${r} = null, ${o} = 0;\nif ${test} {\n${thenCode}\n} else {\n${elseCode}\n}`);
          return { kind: 'ptr', r, o };
        }
        const t = this.fresh();
        const branch = (x: Expr) => this.nested(() => { const v = this.int(x); this.emit(js`${t} = ${v};`); });
        const thenCode = branch(e.then), elseCode = branch(e.else);
        this.emit(js`let ${t} = 0n;\nif ${test} {\n${thenCode}\n} else {\n${elseCode}\n}`);
        return { kind: 'int', v: t };
      }
      case 'sequence': this.value(e.first); return this.value(e.second);
      case 'funcAddr': return this.fromPointerObject(js`${h.resolve}(${literal(functionAddress(e.target))})`);
      case 'callHelper': return this.callHelper(e);
      case 'call': {
        const callee = this.ir.functions[e.func];
        if (callee === undefined) {
          this.emit(js`throw ${h.badCall}(${this.k(e.loc)}, ${literal(e.func)});`);
          return this.zero(e.type);
        }
        const args: Code[] = [this.k(e.loc)];
        callee.params.forEach((id, i) => {
          const type = callee.locals.find((l) => l.id === id)?.type;
          const a = e.args[i];
          if (type?.kind === 'ptr') {
            if (a === undefined) { args.push(literal(null), literal(0)); return; }
            const p = this.ptr(a);
            args.push(p.r, p.o);
          } else {
            args.push(a === undefined ? literal(0n) : this.int(a));
          }
        });
        for (let i = callee.params.length; i < e.args.length; i++) this.value(e.args[i]);
        const call = js`${this.fnNames[e.func]}(${join(args, ', ')})`;
        return callee.returnType.kind === 'ptr' ? this.fromPointerObject(call) : this.temp(call);
      }
      case 'stmtExpr': {
        // GNU statement expression: its statements are emitted in place, then its value is computed.
        this.stmt(e.body);
        return e.value ? this.value(e.value) : this.zero(e.type);
      }
      default: throw new Error(`unknown expression ${JSON.stringify((e as { op: unknown }).op)}`);
    }
  }

  protected binary(kind: string, a: Code, b: Code, t: IntType): Code {
    const n = (x: Code) => this.norm(x, t);
    const mask = literal(t.bits === 64 ? 63n : 31n);
    const divisor = this.constants.get(b);
    const nonZero = divisor !== undefined && divisor !== 0n;
    switch (kind) {
      case 'add': return n(js`(${a} + ${b})`);
      case 'sub': return n(js`(${a} - ${b})`);
      case 'mul': return n(js`(${a} * ${b})`);
      case 'div': return nonZero ? n(js`(${a} / ${b})`) : js`(${b} === 0n ? 0n : ${n(js`(${a} / ${b})`)})`;
      // a remainder is no larger than its dividend and has its sign: in range when the dividend is
      case 'rem': return nonZero ? (this.isNormalised(a, t) ? js`(${a} % ${b})` : n(js`(${a} % ${b})`)) : js`(${b} === 0n ? ${n(a)} : ${n(js`(${a} % ${b})`)})`;
      case 'and': return n(js`(${a} & ${b})`);
      case 'or': return n(js`(${a} | ${b})`);
      case 'xor': return n(js`(${a} ^ ${b})`);
      case 'shl': return n(js`(${n(a)} << (${this.h.asU}(64, ${b}) & ${mask}))`);
      case 'shr': return n(js`(${n(a)} >> (${this.h.asU}(64, ${b}) & ${mask}))`);
      case 'eq': return js`(${a} === ${b} ? 1n : 0n)`;
      case 'ne': return js`(${a} !== ${b} ? 1n : 0n)`;
      case 'lt': return js`(${a} < ${b} ? 1n : 0n)`;
      case 'le': return js`(${a} <= ${b} ? 1n : 0n)`;
      case 'gt': return js`(${a} > ${b} ? 1n : 0n)`;
      case 'ge': return js`(${a} >= ${b} ? 1n : 0n)`;
      default: throw new Error(`unknown binary operator ${JSON.stringify(kind)}`);
    }
  }
}

/** The JS boolean of a comparison of two bigints, or undefined for an arithmetic operator. */
function comparison(kind: string, a: Code, b: Code): Code | undefined {
  switch (kind) {
    case 'eq': return js`(${a} === ${b})`;
    case 'ne': return js`(${a} !== ${b})`;
    case 'lt': return js`(${a} < ${b})`;
    case 'le': return js`(${a} <= ${b})`;
    case 'gt': return js`(${a} > ${b})`;
    case 'ge': return js`(${a} >= ${b})`;
    default: return undefined;
  }
}
