/** Expressions: the abstract value of each IR expression (scalar ranges and tnums, pointers as region + offset), loads, arithmetic, pointer arithmetic. */

import { nullSides, withNullImplication } from './nullImplication';
import type { Expr, Loc, IntType, IrFunction } from '../ir';
import { forEachNode, someExpr } from '../irWalk';

/** The largest block a folded size may copy (lowering's bound for a constant one). */
const MAX_FOLDED_BLOCK = 1 << 20;
import { Diagnostics } from '../diagnostics';
import { AbsValue, PtrValue, Range, Region, TOP, constant, joinValue, regTypeName, sameRegion, scalar, S64_MIN, U64_MAX } from './domain';
import { iterCtxFieldAt } from '../../kernel/iterTargets';
import { btfFieldNameAt, btfStructOf, walkedPointerTrust } from './btfAccess';
import { cloneState, LOAD_KEY, isLoadKey, copyInto, type State } from './abstractState';
import { ConditionRefiner } from './conditions';

function intRange(t: IntType): [bigint, bigint] {
  const b = BigInt(t.bits);
  return t.signed ? [-(1n << (b - 1n)), (1n << (b - 1n)) - 1n] : [0n, (1n << b) - 1n];
}

function fitTo(t: IntType, r: Range): AbsValue {
  const [lo, hi] = intRange(t);
  if (r.min >= lo && r.max <= hi) return { kind: 'scalar', range: r };
  if (r.min === r.max) {
    const v = t.signed ? BigInt.asIntN(t.bits, r.min) : BigInt.asUintN(t.bits, r.min);
    return constant(v);
  }
  return scalar(lo, hi, r.pathConst);
}

export abstract class ExpressionEvaluator extends ConditionRefiner {
  // ---------------------------------------------------------------- expressions

  eval(e: Expr, state: State): AbsValue {
    switch (e.op) {
      case 'const': return constant(e.value);
      case 'null': return { kind: 'null' };
      case 'param': return this.frames[this.frames.length - 1]?.args[e.index] ?? TOP;
      case 'local': {
        const k = this.key(e.id);
        if (state.unassigned.has(k)) {
          const name = this.localName(e.id);
          this.report(Diagnostics.UninitializedLocal, e.loc, [name, 'R? !read_ok']);
        }
        return state.locals.get(k) ?? TOP;
      }
      case 'assign': {
        const v = this.eval(e.value, state);
        const k = this.key(e.id);
        this.forgetLoads(state, k);
        let stored = v.kind === 'scalar' && e.type.kind === 'int' ? fitTo(e.type, v.range) : v;
        // a value that fits keeps what it says of a NULL check (nullImplication.ts)
        if (v.kind === 'scalar' && v.nullWhen && stored.kind === 'scalar' && stored.range === v.range) stored = v;
        state.locals.set(k, stored);
        state.unassigned.delete(k);
        return stored;
      }
      case 'addr': return this.addressOf(e.base);
      case 'load': {
        const p = this.eval(e.ptr, state);
        this.access(p, e.offset, e.type.bits / 8, 'read', e.loc, state);
        // clang loads `*i` once and tests and uses that register (reusedLoadKey): a bound checked on it holds for the use
        const reused = p.kind === 'ptr' && p.region.kind !== 'stack' ? this.reusedScalarLoadKey(e) : undefined;
        const known = reused === undefined ? undefined : state.locals.get(reused);
        if (known && known.kind === 'scalar') return known;
        const value = this.loadScalarValue(e, p, state);
        if (reused !== undefined) state.locals.set(reused, value);
        return value;
      }
      case 'loadPtr': return this.evalLoadPtr(e, state);
      case 'store': {
        const p = this.eval(e.ptr, state);
        const v = this.escapes(this.eval(e.value, state), e.value.loc);
        this.access(p, e.offset, e.size, 'write', e.loc, state);
        if (p.kind === 'ptr' && p.region.kind === 'stack' && !p.varOff) {
          const slot = state.stack.get(this.slotKey(p));
          if (slot) slot.spills.set(Number(p.off) + e.offset, v);
        } else this.forgetLoads(state);
        return v;
      }
      case 'copy': {
        const dst = this.eval(e.dst, state);
        const src = this.eval(e.src, state);
        const size = e.length ? this.foldedLength(e.length, e.libcall ?? 'memcpy', e.loc, state) : e.size;
        if (size !== undefined) {
          this.access(src, 0, size, 'read', e.loc, state);
          this.access(dst, 0, size, 'write', e.loc, state);
        }
        if (!(dst.kind === 'ptr' && dst.region.kind === 'stack')) this.forgetLoads(state);
        return TOP;
      }
      case 'fill': {
        const dst = this.eval(e.dst, state);
        const size = e.length ? this.foldedLength(e.length, e.libcall ?? 'memset', e.loc, state) : e.size;
        if (size !== undefined) this.access(dst, 0, size, 'write', e.loc, state);
        if (!(dst.kind === 'ptr' && dst.region.kind === 'stack')) this.forgetLoads(state);
        return TOP;
      }
      case 'binary': return this.evalBinary(e, state);
      case 'unary': {
        const v = this.eval(e.operand, state);
        if (v.kind !== 'scalar') return e.kind === 'lnot' ? scalar(0n, 1n, false) : fitTo(e.type, { min: S64_MIN, max: U64_MAX, pathConst: false });
        const r = v.range;
        if (e.kind === 'neg') return fitTo(e.type, { min: -r.max, max: -r.min, pathConst: r.pathConst });
        if (e.kind === 'lnot') return r.min === r.max ? constant(r.min === 0n ? 1n : 0n) : r.min > 0n || r.max < 0n ? constant(0n) : scalar(0n, 1n, r.pathConst);
        return r.min === r.max ? fitTo(e.type, { min: ~r.min, max: ~r.min, pathConst: r.pathConst }) : fitTo(e.type, { min: S64_MIN, max: U64_MAX, pathConst: r.pathConst });
      }
      case 'convert': {
        const v = this.eval(e.operand, state);
        if (v.kind !== 'scalar') { const [lo, hi] = intRange(e.type); return scalar(lo, hi, false); }
        return fitTo(e.type, v.range);
      }
      case 'ptrAdd': return this.evalPtrAdd(e, state);
      case 'ptrDiff': {
        // Two pointers into one object: clang folds `c - buf` of `c = buf + i` into i, so the verifier sees the
        // index (its offsets here); pointers into different objects give any number.
        const a = this.eval(e.left, state), b = this.eval(e.right, state);
        if (a.kind === 'ptr' && b.kind === 'ptr' && sameRegion(a.region, b.region)) {
          const lo = a.off + (a.varOff?.min ?? 0n) - b.off - (b.varOff?.max ?? 0n);
          const hi = a.off + (a.varOff?.max ?? 0n) - b.off - (b.varOff?.min ?? 0n);
          const scale = BigInt(e.scale);
          if (scale === 1n) return scalar(lo, hi, false);
          if (lo === hi && lo % scale === 0n) return scalar(lo / scale, lo / scale, false);
        }
        return scalar(S64_MIN, (1n << 63n) - 1n, false);
      }
      case 'ptrCompare': {
        const a = this.eval(e.left, state), b = this.eval(e.right, state);
        if ((e.kind === 'eq' || e.kind === 'ne') && (a.kind === 'null' || b.kind === 'null')) {
          const other = a.kind === 'null' ? b : a;
          if (other.kind === 'null') return constant(e.kind === 'eq' ? 1n : 0n);
          if (other.kind === 'ptr' && !other.maybeNull) return constant(e.kind === 'eq' ? 0n : 1n);
        }
        return scalar(0n, 1n, false);
      }
      case 'ptrToInt': {
        const v = this.escapes(this.eval(e.operand, state), e.loc);
        if (v.kind === 'null') return constant(0n);
        if (v.kind === 'scalar') return v;
        return v.kind === 'ptr' && !v.maybeNull ? scalar(1n, U64_MAX, false) : scalar(0n, U64_MAX, false);
      }
      case 'intToPtr': {
        const v = this.eval(e.operand, state);
        if (v.kind === 'scalar' && v.range.min === 0n && v.range.max === 0n) return { kind: 'null' };
        return v.kind === 'ptr' || v.kind === 'null' ? v : TOP;
      }
      case 'ptrCast': return this.eval(e.operand, state);
      case 'logical': {
        this.eval(e.left, state);
        const rightState = this.refine(e.left, cloneState(state), e.kind === 'and');
        if (rightState) this.eval(e.right, rightState);
        const t = this.refine(e, cloneState(state), true);
        const f = this.refine(e, cloneState(state), false);
        const merged = this.joinStates(this.joinStates(rightState, state), null);
        if (merged) copyInto(state, merged);
        return t && f ? scalar(0n, 1n, false) : t ? constant(1n) : constant(0n);
      }
      case 'conditional': {
        this.eval(e.test, state);
        const t = this.refine(e.test, cloneState(state), true);
        const f = this.refine(e.test, cloneState(state), false);
        const a = t ? this.eval(e.then, t) : undefined;
        const b = f ? this.eval(e.else, f) : undefined;
        const merged = this.joinStates(t, f);
        if (merged) copyInto(state, merged);
        if (a && b && t && f) {
          // `err = p ? work(p) : -ENOMEM;`: the value remembers what it was on the side where p is NULL
          const joined = joinValue(a, b, this.freshId);
          for (const { nullId, nullSide } of nullSides(t, f)) {
            const w = withNullImplication(joined, nullSide === t ? a : b, nullId);
            if (w !== joined) return w;
          }
          return joined;
        }
        return a ?? b ?? TOP;
      }
      case 'sequence': this.eval(e.first, state); return this.eval(e.second, state);
      case 'funcAddr': return this.funcValue(e);
      case 'callHelper': {
        const value = this.evalHelper(e, state);
        this.forgetLoads(state);
        return value;
      }
      case 'call': {
        // an __always_inline callee folds a derived pointer into its own accesses, which check it there
        const args = e.args.map((a, i) => this.callArgValue(e.func, i, a, state));
        this.forgetLoads(state);
        const results = this.callFunction(e.func, args, state, e.loc);
        let value: AbsValue | undefined;
        let merged: State | null = null;
        for (const r of results) {
          value = value ? joinValue(value, r.value, this.freshId) : r.value;
          merged = this.joinStates(merged, r.state);
        }
        if (merged) {
          // the callee's frame is gone: keep only the caller's locals and slots
          const depth = `${this.frames.length}:`;
          for (const k of [...merged.locals.keys()]) if (k.startsWith(depth)) merged.locals.delete(k);
          for (const k of [...merged.stack.keys()]) if (k.startsWith(depth)) merged.stack.delete(k);
          copyInto(state, merged);
        }
        return value ?? TOP;
      }
      case 'stmtExpr': {
        // GNU statement expression: its statements run in the current state, then its value is read.
        const after = this.execStmt(e.body, state);
        if (!after) return TOP;
        if (after !== state) copyInto(state, after);
        return e.value ? this.eval(e.value, state) : TOP;
      }
    }
  }

  /**
   * The size of a __builtin_memcpy/memset that C does not make a constant (IR `copy.length`): clang builds the call
   * only where constant propagation, after inlining, makes it one, and this analysis follows the same constants into
   * the same inlined calls. A size it knows as one number is that number; any other is clang's error (BPF1230).
   */
  protected foldedLength(length: Expr, libcall: string, loc: Loc, state: State): number | undefined {
    const v = this.eval(length, state);
    if (v.kind === 'scalar' && v.range.min === v.range.max && v.range.min >= 0n && v.range.min <= BigInt(MAX_FOLDED_BLOCK)) return Number(v.range.min);
    this.report(Diagnostics.BuiltinCallNotSupported, loc, [libcall]);
    return undefined;
  }

  /**
   * mirrors bpf_map_direct_read(): .rodata is frozen before verification, so the verifier reads its bytes as
   * constants (e.g. a `const volatile u32 num_cpus` loop bound set before load). The caller puts the values the
   * program is loaded with into IrGlobal.init.
   */
  protected readFrozen(section: string, offset: number, type: IntType): bigint | undefined {
    const size = type.bits / 8;
    const g = this.program.globals.find((x) => x.section === section && offset >= x.offset && offset + size <= x.offset + x.size);
    if (!g) return undefined;
    // a `const volatile` global without an initializer is .rodata too, zero-filled (clang emits it there)
    const init = g.init ?? (section === '.rodata' ? new Uint8Array(g.size) : undefined);
    if (!init) return undefined;
    const at = offset - g.offset;
    if (at + size > init.length) return undefined;
    let v = 0n;
    for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(init[at + i]);
    return type.signed ? BigInt.asIntN(type.bits, v) : v;
  }

  protected localName(id: number): string {
    const fn = this.frames[this.frames.length - 1]?.fn;
    return fn?.locals.find((l) => l.id === id)?.name ?? `local #${id}`;
  }

  protected slotKey(p: PtrValue): string {
    const r = p.region as Extract<Region, { kind: 'stack' }>;
    return `${r.frame}:${r.slot}`;
  }

  protected addressOf(base: Extract<Expr, { op: 'addr' }>['base']): AbsValue {
    const mk = (region: Region, off: bigint, desc: string): PtrValue => ({ kind: 'ptr', region, off, varOff: null, maybeNull: false, nullId: 0, desc });
    switch (base.kind) {
      case 'stack': {
        const fn = this.frames[this.frames.length - 1].fn;
        const slot = fn.slots.find((s) => s.id === base.slot);
        const local = fn.locals.find((l) => l.slot === base.slot);
        return mk({ kind: 'stack', frame: this.frames.length - 1, slot: base.slot, size: slot?.size ?? 0 }, 0n, local?.name ?? `stack slot ${base.slot}`);
      }
      case 'global': {
        const sec = this.program.sections.find((s) => s.name === base.section);
        const g = this.program.globals.find((x) => x.name === base.name);
        return mk({ kind: 'global', section: base.section, size: sec?.size ?? (g ? g.offset + g.size : -1), readonly: sec?.readonly ?? g?.readonly ?? false, name: base.name }, BigInt(base.offset), base.name);
      }
      case 'string': return mk({ kind: 'string', index: base.index }, 0n, 'a string literal');
      case 'map': return mk({ kind: 'mapDef', name: base.name }, 0n, `&${base.name}`);
    }
    return TOP;
  }

  protected funcValue(e: Extract<Expr, { op: 'funcAddr' }>): PtrValue {
    const t = e.target;
    const name = t.kind === 'kfunc' ? t.name : this.program.functions[t.func]?.name ?? `function #${t.func}`;
    const region: Region = t.kind === 'kfunc' ? { kind: 'func', name } : { kind: 'func', func: t.func, name };
    return { kind: 'ptr', region, off: 0n, varOff: null, maybeNull: false, nullId: 0, desc: name };
  }

  /**
   * Where clang (-O2) reuses an earlier load instead of loading again: a pointer field read through the same local
   * with no store to memory, call or assignment of the local in between, on every path. A CO-RE relocated load
   * (a preserve_access_index struct) is never reused: clang emits each one afresh, and the verifier gives each a
   * new id, so a NULL check of one says nothing about the next.
   */
  protected reusedLoadKey(e: Extract<Expr, { op: 'loadPtr' }>): string | undefined {
    return !e.core && e.ptr.op === 'local' ? `${this.key(e.ptr.id)}${LOAD_KEY}${e.offset}` : undefined;
  }

  /** The value an integer load gives: a spilled register, a frozen .rodata byte, or any number of its type. */
  protected loadScalarValue(e: Extract<Expr, { op: 'load' }>, p: AbsValue, state: State): AbsValue {
    if (p.kind === 'ptr' && p.region.kind === 'stack' && !p.varOff) {
      const spilled = state.stack.get(this.slotKey(p))?.spills.get(Number(p.off) + e.offset);
      if (spilled && spilled.kind === 'scalar') return fitTo(e.type, spilled.range);
    }
    if (p.kind === 'ptr' && p.region.kind === 'global' && p.region.readonly && !p.varOff) {
      const known = this.readFrozen(p.region.section, Number(p.off) + e.offset, e.type);
      if (known !== undefined) return constant(known);
    }
    // a string literal's bytes: clang folds such a load (a literal passed to an inline helper), and its
    // .rodata.str1.1 map is frozen like .rodata (bpf_map_direct_read())
    if (p.kind === 'ptr' && p.region.kind === 'string' && p.region.index !== undefined && !p.varOff) {
      const bytes = this.program.strings[p.region.index];
      const at = Number(p.off) + e.offset;
      const size = e.type.bits / 8;
      if (bytes && at >= 0 && at + size <= bytes.length) {
        let v = 0n;
        for (let i = size - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[at + i]);
        return constant(e.type.signed ? BigInt.asIntN(e.type.bits, v) : v);
      }
    }
    // BPF_PROG(name, struct bpf_iter_meta *meta, struct task_struct *task) reads its arguments as `ctx[i]`, u64
    // words: the verifier types the register by the offset (btf_ctx_access()), not by the C type of the load
    if (p.kind === 'ptr' && p.region.kind === 'ctx' && !p.varOff && e.type.bits === 64) {
      const field = this.ctxFieldValue(Number(p.off) + e.offset);
      if (field) return field;
    }
    const [lo, hi] = intRange(e.type);
    return scalar(lo, hi, false);
  }

  /**
   * An integer read through a local pointer, as reusedLoadKey for pointer fields: `while ((i = bpf_iter_num_next(&it)))
   * { if (*i >= N) break; buf[*i]; }` is one load in clang's output, so the test bounds the index (measured on 6.18:
   * loads). Only memory off the stack: a store to the stack keeps the other loads (see 'store'), which would be wrong
   * for a pointer into the stack.
   */
  protected reusedScalarLoadKey(e: Extract<Expr, { op: 'load' }>): string | undefined {
    return !e.core && e.ptr.op === 'local' ? `${this.key(e.ptr.id)}${LOAD_KEY}${e.offset}/${e.type.bits}${e.type.signed ? 's' : 'u'}` : undefined;
  }

  /**
   * The value an argument register holds. A pointer converted to an integer is still the pointer to the verifier:
   * a global function's integer parameter refuses it ("R1 is not a scalar", btf_check_func_arg_match()).
   */
  protected callArgValue(func: number, i: number, a: Expr, state: State): AbsValue {
    const v = this.eval(a, state);
    if (this.program.functions[func]?.globalSignature?.args[i]?.kind !== 'scalar' || v.kind !== 'scalar') return v;
    let x = a;
    while (x.op === 'convert') x = x.operand;
    if (x.op !== 'ptrToInt') return v;
    const saved = this.reporting;
    this.reporting = false;
    const p = this.eval(x.operand, cloneState(state));
    this.reporting = saved;
    return p.kind === 'ptr' ? p : v;
  }

  /** Loads clang could reuse are gone after memory may have changed (every one), or the local was assigned. */
  protected forgetLoads(state: State, local?: string): void {
    for (const k of [...state.locals.keys()]) {
      if (isLoadKey(k) && (local === undefined || k.startsWith(local + LOAD_KEY))) state.locals.delete(k);
    }
  }

  protected evalLoadPtr(e: Extract<Expr, { op: 'loadPtr' }>, state: State): AbsValue {
    const reused = this.reusedLoadKey(e);
    const known = reused === undefined ? undefined : state.locals.get(reused);
    if (known) { this.eval(e.ptr, state); return known; }
    const value = this.loadPtrValue(e, state);
    if (reused !== undefined && (value.kind === 'ptr' || value.kind === 'null')) state.locals.set(reused, value);
    return value;
  }

  protected loadPtrValue(e: Extract<Expr, { op: 'loadPtr' }>, state: State): AbsValue {
    const p = this.eval(e.ptr, state);
    this.access(p, e.offset, 8, 'read', e.loc, state);
    // a pointer loaded through a walked one is walked too
    if (p.kind === 'top' && p.walked) return { kind: 'top', walked: `${p.walked}->…` };
    if (p.kind !== 'ptr') return TOP;
    const mk = (region: Region, maybeNull: boolean, desc: string): PtrValue => ({ kind: 'ptr', region, off: 0n, varOff: null, maybeNull, nullId: maybeNull ? this.freshId() : 0, desc });
    // a constant offset added to ctx counts in the field's offset, as the verifier sees the folded access
    if (p.region.kind === 'ctx' && !p.varOff) return this.ctxFieldValue(Number(p.off) + e.offset) ?? TOP;
    if (p.region.kind === 'meta' && p.off + BigInt(e.offset) === 0n) return mk({ kind: 'seq' }, false, 'meta->seq');
    if (p.region.kind === 'stack' && !p.varOff) {
      const spilled = state.stack.get(this.slotKey(p))?.spills.get(Number(p.off) + e.offset);
      if (spilled) return spilled;
    }
    // mirrors check_ptr_to_btf_access(): a pointer loaded from a kernel struct is no longer trusted (measured on 6.18:
    // task->mm->exe_file and even ctx->vma->vm_file are "untrusted_ptr_" to bpf_d_path())
    const struct = btfStructOf(p);
    if (struct === undefined) return TOP;
    const field = p.varOff ? undefined : btfFieldNameAt(struct, Number(p.off) + e.offset);
    const baseTrusted = !p.maybeNull && (p.region.kind === 'kmap' || (p.region.kind === 'btf' && p.region.trusted));
    // in_rcu_cs(): a sleepable program is in an RCU section only between bpf_rcu_read_lock() and unlock (where paths
    // that disagree were merged, taken as inside: no error the kernel might not give)
    const trust = walkedPointerTrust(struct, field, baseTrusted, this.options.sleepable === true && state.rcuLocked === false);
    // a field the verifier keeps trusted (file->f_inode of a trusted file): not modelled as a kernel object, not refused
    if (trust === 'trusted') return TOP;
    return { kind: 'top', walked: `${p.desc}->${field ?? '…'}`, ...(trust === 'rcu' ? { rcu: true } : {}) };
  }

  /**
   * The pointer a load of the ctx field at `offset` gives, or undefined for a scalar field or no field.
   * mirrors btf_ctx_access() with the target's ctx_arg_info (kernel/iterTargets.ts): every load of a
   * PTR_TO_BTF_ID_OR_NULL / PTR_TO_BUF_OR_NULL field gets a new reg->id.
   */
  protected ctxFieldValue(offset: number): PtrValue | undefined {
    const field = iterCtxFieldAt(this.options.target, offset);
    if (!field) return undefined;
    const mk = (region: Region, maybeNull: boolean): PtrValue => ({ kind: 'ptr', region, off: 0n, varOff: null, maybeNull, nullId: maybeNull ? this.freshId() : 0, desc: `ctx->${field.name}` });
    const t = field.type;
    switch (t.kind) {
      case 'meta': return mk({ kind: 'meta' }, false);
      case 'buf': return mk({ kind: t.readonly ? 'key' : 'value' }, true);
      case 'btf':
        // the map targets' bpf_map keeps its own region (the attach map's sizes, field names in messages)
        if (t.struct === 'bpf_map') return mk({ kind: 'kmap' }, t.nullable);
        return mk({ kind: 'btf', struct: t.struct, trusted: t.trusted }, t.nullable);
      default: return undefined;
    }
  }

  /** Whether `e` reads a local that some loop of the current function assigns. */
  private readsLoopCarried(e: Expr): boolean {
    const fn = this.frames[this.frames.length - 1]?.fn;
    if (!fn) return false;
    let assigned = loopAssignedLocals.get(fn);
    if (!assigned) {
      const inLoops = new Set<number>();
      forEachNode(fn.body, (s) => {
        if (s.op !== 'loop') return;
        forEachNode(s, (inner) => { if (inner.op === 'declare') inLoops.add(inner.id); }, (x) => { if (x.op === 'assign') inLoops.add(x.id); });
      });
      loopAssignedLocals.set(fn, assigned = inLoops);
    }
    return someExpr(e, (x) => x.op === 'local' && assigned!.has(x.id));
  }

  protected evalBinary(e: Extract<Expr, { op: 'binary' }>, state: State): AbsValue {
    const a = this.eval(e.left, state);
    const b = this.eval(e.right, state);
    const full = (pc: boolean) => fitTo(e.type, { min: S64_MIN, max: U64_MAX, pathConst: pc });
    if (a.kind !== 'scalar' || b.kind !== 'scalar') return ['eq', 'ne', 'lt', 'le', 'gt', 'ge'].includes(e.kind) ? scalar(0n, 1n, false) : full(false);
    const x = a.range, y = b.range;
    const pc = x.pathConst && y.pathConst;
    const both = x.min === x.max && y.min === y.max;
    const r = (min: bigint, max: bigint, p = pc) => fitTo(e.type, { min, max, pathConst: p });
    switch (e.kind) {
      case 'add': return r(x.min + y.min, x.max + y.max);
      case 'sub': return r(x.min - y.max, x.max - y.min);
      case 'mul': {
        const c = [x.min * y.min, x.min * y.max, x.max * y.min, x.max * y.max];
        return r(c.reduce((m, v) => (v < m ? v : m)), c.reduce((m, v) => (v > m ? v : m)));
      }
      case 'div': case 'rem': {
        // CorrelatedValuePropagation: a condition on the path that makes both operands non-negative lets clang divide unsigned
        // A value a loop computes is left alone: clang's induction analysis bounds it where the checker's join cannot
        // (`n += 2` over a bounded loop; signed overflow, which the checker wraps, is no case for clang)
        if (e.signedDivisionUnproven && !(x.min >= 0n && y.min >= 0n) && !this.readsLoopCarried(e)) {
          this.report(Diagnostics.SignedDivisionNotCompiled, e.loc, [e.kind === 'div' ? 'division' : 'remainder', signedRangeText(x), signedRangeText(y)]);
        }
        if (both && y.min !== 0n) return r(e.kind === 'div' ? x.min / y.min : x.min % y.min, e.kind === 'div' ? x.min / y.min : x.min % y.min);
        // clang turns an unsigned division or remainder by a power of two into a shift or a mask, which the verifier
        // bounds. Any other divisor is a BPF_DIV or BPF_MOD (a remainder by a constant: clang's div, mul and sub),
        // whose result the verifier does not track: adjust_scalar_min_max_vals() makes it an unknown scalar
        // (measured on 6.18: `table[x % 3]` is "math between map_value pointer and register with unbounded min value").
        const powerOfTwo = y.min === y.max && y.min > 0n && (y.min & (y.min - 1n)) === 0n;
        if (powerOfTwo && x.min >= 0n) return e.kind === 'div' ? r(x.min / y.min, x.max / y.min) : r(0n, x.max < y.min ? x.max : y.min - 1n);
        return full(pc);
      }
      case 'and': {
        if (both) return r(x.min & y.min, x.min & y.min);
        if (y.min === y.max && y.min >= 0n) return r(0n, x.min >= 0n && x.max < y.min ? x.max : y.min);
        if (x.min === x.max && x.min >= 0n) return r(0n, x.min);
        return full(pc);
      }
      case 'or': case 'xor': case 'shl': case 'shr': {
        if (both) {
          const v = e.kind === 'or' ? x.min | y.min : e.kind === 'xor' ? x.min ^ y.min : e.kind === 'shl' ? x.min << (y.min & 63n) : x.min >> (y.min & 63n);
          return r(v, v);
        }
        // a count outside [0, 63] is no shift the verifier bounds (and a negative one would shift the other way here)
        const count = y.min === y.max && y.min >= 0n && y.min < 64n;
        if (e.kind === 'shr' && count && x.min >= 0n) return r(x.min >> y.min, x.max >> y.min);
        if (e.kind === 'shl' && count && x.min >= 0n) return r(x.min << y.min, x.max << y.min);
        return full(pc);
      }
      default: {
        if (both) {
          const p = x.min, q = y.min;
          const holds = e.kind === 'eq' ? p === q : e.kind === 'ne' ? p !== q : e.kind === 'lt' ? p < q : e.kind === 'le' ? p <= q : e.kind === 'gt' ? p > q : p >= q;
          return constant(holds ? 1n : 0n);
        }
        return scalar(0n, 1n, pc);
      }
    }
  }

  /**
   * A maybe-NULL base plus a constant is folded into the access instruction only when it is dereferenced at once;
   * as a value (stored, converted to an integer, passed to a call) clang materialises it with an ALU add, which
   * adjust_ptr_min_max_vals() refuses (measured: `BPF_SEQ_PRINTF(seq, "%s", ctx->map->name)`).
   */
  protected escapes(v: AbsValue, loc: Loc): AbsValue {
    if (v.kind !== 'ptr' || !v.derived || !v.maybeNull) return v;
    this.report(Diagnostics.NullPointerArithmetic, loc, [v.desc, `R? pointer arithmetic on ${regTypeName(v)} prohibited, null-check it first`]);
    return { ...v, maybeNull: false, derived: false };
  }

  protected evalPtrAdd(e: Extract<Expr, { op: 'ptrAdd' }>, state: State): AbsValue {
    const p = this.eval(e.ptr, state);
    const i = this.eval(e.index, state);
    if (p.kind === 'null') return p;
    // a member of a walked struct (`&f->f_path`) is as untrusted as the struct
    if (p.kind === 'top' && p.walked) return p;
    if (p.kind !== 'ptr') return TOP;
    const literal = constantIndex(e.index);
    if (p.maybeNull && literal !== undefined) {
      // clang folds a constant offset into the load/store instruction (r1 = *(u32 *)(r1 + 8)), so the verifier
      // sees the access through the maybe-NULL register itself; a NULL check of the derived pointer is removed by
      // clang (arithmetic on NULL is undefined), a check of the base still covers it (measured on Linux 6.18)
      return { ...p, off: p.off + literal * BigInt(e.scale), derived: true };
    }
    if (p.maybeNull) {
      // mirrors adjust_ptr_min_max_vals(): arithmetic on a PTR_MAYBE_NULL register
      const t = regTypeName(p);
      this.report(Diagnostics.NullPointerArithmetic, e.loc, [p.desc, `R? pointer arithmetic on ${t} prohibited, null-check it first`]);
    }
    const scale = BigInt(e.scale);
    if (i.kind !== 'scalar') return { ...p, varOff: { min: S64_MIN, max: U64_MAX, pathConst: false }, maybeNull: false };
    const r = i.range;
    if (r.min === r.max && r.pathConst) return { ...p, off: p.off + r.min * scale, maybeNull: false };
    if ((p.region.kind === 'global' || p.region.kind === 'mapValue' || p.region.kind === 'mem') && (r.min === S64_MIN || r.max >= 1n << 63n)) {
      // mirrors check_reg_sane_offset(): a register whose signed minimum is unknown (smin == S64_MIN); the verifier
      // stops here, so the access through the pointer is not checked again
      this.report(Diagnostics.PointerMathUnboundedMin, e.loc, [p.desc, `math between ${regTypeName(p)} pointer and register with unbounded min value is not allowed`]);
      return { ...p, maybeNull: false };
    }
    const lo = r.min * scale, hi = r.max * scale;
    const add: Range = { min: lo < hi ? lo : hi, max: lo < hi ? hi : lo, pathConst: r.pathConst };
    const varOff = p.varOff ? { min: p.varOff.min + add.min, max: p.varOff.max + add.max, pathConst: p.varOff.pathConst && add.pathConst } : add;
    return { ...p, varOff, maybeNull: false };
  }
}

function constantIndex(e: Expr): bigint | undefined {
  if (e.op === 'const') return e.value;
  if (e.op === 'convert') return constantIndex(e.operand);
  return undefined;
}

/** A range as the message of BPF2059 shows it. */
function signedRangeText(r: { min: bigint; max: bigint }): string {
  return r.min === r.max ? `${r.min}` : `[${r.min}, ${r.max}]`;
}

/** Per function, the locals its loops assign (BPF2059 leaves the values loops compute alone). */
const loopAssignedLocals = new WeakMap<IrFunction, Set<number>>();
