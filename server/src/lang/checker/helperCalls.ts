/** Calls to helpers and kfuncs (mirrors check_helper_call(), check_kfunc_call()): argument types, memory arguments, the numbers iterator, callbacks. */

import type { Expr, Loc } from '../ir';
import { CLANG_CONSTANT_P, CLANG_STRLEN, CORE_POISON_HELPER_ID, STRLEN_LIMIT, UNSIMULATED_VALUE } from '../ir';
import { Diagnostics } from '../diagnostics';
import { AbsValue, PtrValue, Region, TOP, constant, regTypeName, scalar, S64_MIN, U64_MAX } from './domain';
import { externNotResolvedArgs, HELPERS_NOT_SIMULATED, LAST_HELPER_ID, lookupHelper, NOT_MODELLED_BUT_SIMULATED, notSimulatedReason, type HelperInfo } from './helpers';
import { iterKind, iterKindOfKfunc, iterTypeName, type IterKind } from '../../kernel/openIters';
import { mapTypeName } from '../../kernel/mapTypes';
import { kernelBtf } from '../../kernel/btf';
import { returnValueProblem } from './returnValue';
import { btfStructOf } from './btfAccess';
import { markInitialized } from './uninit';
import { cloneState, copyInto, type State } from './abstractState';
import { ExpressionEvaluator } from './expressions';

export abstract class HelperCallChecker extends ExpressionEvaluator {
  // ---------------------------------------------------------------- helpers

  /**
   * `__builtin_strlen(p)` where C has no constant: clang folds it once inlining makes `p` a string constant (a literal
   * at a constant offset, a `const` string of .rodata), and calls strlen otherwise (BPF2080).
   */
  protected foldedStrlen(p: AbsValue | undefined, loc: Loc): AbsValue {
    const bytes = p?.kind === 'ptr' && !p.varOff ? this.constantBytes(p) : undefined;
    const end = bytes?.indexOf(0);
    if (bytes && end !== undefined && end >= 0) return constant(BigInt(end));
    this.report(Diagnostics.StrlenNotFolded, loc, [p?.kind === 'ptr' ? p.desc : 'no pointer to a constant', "failed to find BTF for extern 'strlen': -2"]);
    return scalar(0n, BigInt(STRLEN_LIMIT), false);
  }

  /** The bytes from a pointer into constant memory on: a string literal, or .rodata as the program is loaded with it. */
  private constantBytes(p: PtrValue): Uint8Array | undefined {
    const region = p.region;
    if (region.kind === 'string' && region.index !== undefined) return this.program.strings[region.index]?.subarray(Number(p.off));
    if (region.kind === 'global' && region.section === '.rodata') {
      const out: number[] = [];
      for (let at = Number(p.off); out.length <= STRLEN_LIMIT; at++) {
        const byte = this.readFrozen('.rodata', at, { kind: 'int', bits: 8, signed: false });
        if (byte === undefined) return undefined;
        out.push(Number(byte));
        if (byte === 0n) return Uint8Array.from(out);
      }
    }
    return undefined;
  }

  protected evalHelper(e: Extract<Expr, { op: 'callHelper' }>, state: State): AbsValue {
    // clang answers after inlining and constant propagation: a value this path knows exactly is a constant to it too
    // (no call: its operand does not escape as a helper's argument does)
    if (e.name === CLANG_CONSTANT_P && e.helperId === -2) {
      const v = e.args[0] && this.eval(e.args[0], state);
      return constant(v?.kind === 'scalar' && v.range.min === v.range.max ? 1n : 0n);
    }
    const args = e.args.map((a, i) => this.escapes(this.eval(a, state), e.args[i].loc));
    if (e.helperId === CORE_POISON_HELPER_ID) {
      // mirrors libbpf's fixup of the verifier's "invalid func unknown#195896080" for a poisoned CO-RE access
      this.report(Diagnostics.CoreRelocationUnresolved, e.loc, [e.name, `failed to resolve CO-RE relocation <byte_off> ${e.name}`]);
      return TOP;
    }
    // a value lowering could not express, reported there as not simulated: nothing is known of it, nothing follows
    if (e.name === UNSIMULATED_VALUE) return TOP;
    if (e.name === CLANG_STRLEN && e.helperId === -2) return this.foldedStrlen(args[0], e.loc);
    if (e.compileTimeError !== undefined) {
      this.report(Diagnostics.CompileTimeErrorReached, e.loc, [e.name, e.compileTimeError]);
      return TOP;
    }
    // mirrors bpf_object__collect_externs(): an extern function outside .ksyms, or one clang emitted without BTF
    if (e.externUnresolved === 'notKsym' && this.options.linkedFunctions?.[e.name] !== undefined) {
      this.report(Diagnostics.LinkedFunctionNotSimulated, e.loc, [e.name, this.options.linkedFunctions[e.name]]);
      return TOP;
    }
    if (e.externUnresolved) {
      this.report(Diagnostics.ExternNotResolved, e.loc, externNotResolvedArgs(e.name, e.externUnresolved));
      return TOP;
    }
    const found = lookupHelper(e.name, { target: this.options.target, sleepable: this.options.sleepable });
    // An extern `__ksym` function this table does not know: libbpf resolves it against the kernel's BTF, so it may
    // well be a kfunc of 6.18 (bpf_task_acquire, bpf_rcu_read_lock, the cpumask kfuncs...): not modelled, not refused.
    if (found.status === 'unknown' && e.helperId === -1) { this.report(Diagnostics.KfuncNotModelled, e.loc, [e.name]); return TOP; }
    if (found.status === 'unknown') {
      // mirrors check_helper_call(): an id past the last helper is "invalid func"
      if (e.helperId > LAST_HELPER_ID) this.report(Diagnostics.UnknownHelper, e.loc, [e.name, `invalid func unknown#${e.helperId}`]);
      else this.report(Diagnostics.UnknownHelper, e.loc, [e.name, `unknown func ${e.name}#${e.helperId}`]);
      return TOP;
    }
    if (found.status === 'notAllowed') { this.report(Diagnostics.HelperNotAllowed, e.loc, [e.name, `program of this type cannot use helper ${e.name}#${found.id}`]); return TOP; }
    if (found.status === 'mightSleep') { this.report(Diagnostics.HelperMightSleep, e.loc, [e.name, 'helper call might sleep in a non-sleepable prog']); return TOP; }
    // mirrors check_kfunc_call(): a kfunc no kfunc set of a tracing program has (the LSM-only file kfuncs)
    if (found.status === 'kfuncNotAllowed') { this.report(Diagnostics.KfuncNotAllowed, e.loc, [e.name, `calling kernel function ${e.name} is not allowed`]); return TOP; }
    // mirrors check_kfunc_call(): a KF_SLEEPABLE kfunc in a program that is not sleepable
    if (found.status === 'kfuncSleepable') { this.report(Diagnostics.KfuncSleepableOnly, e.loc, [e.name, `program must be sleepable to call sleepable kfunc ${e.name}`]); return TOP; }
    if (found.status === 'notModelled') {
      const run = NOT_MODELLED_BUT_SIMULATED.has(e.name) ? 'a run takes the lock as free (one program runs at a time) and goes on' : 'a run stops when it reaches the call';
      this.report(Diagnostics.HelperNotModelled, e.loc, [e.name, run]);
      return TOP;
    }
    const info = found.info;
    // mirrors check_helper_call(): inside bpf_rcu_read_lock() (active_rcu_lock) a might_sleep proto is refused
    if (this.options.sleepable && state.rcuLocked === true && (info.sleepableOnly || info.mightSleepWhenSleepable)) {
      this.report(Diagnostics.SleepableHelperInRcu, e.loc, [e.name, `sleepable helper ${e.name}#${info.id} in rcu_read_lock region`]);
      return TOP;
    }
    if (info.gplOnly && !this.options.gplCompatible) this.report(Diagnostics.GplOnlyHelper, e.loc, [e.name, 'cannot call GPL-restricted function from non-GPL compatible program']);
    // a call that loads but that the simulated run cannot go past (after a load error there is no run to stop)
    else if (HELPERS_NOT_SIMULATED.has(e.name)) this.report(Diagnostics.HelperNotSimulated, e.loc, [e.name, notSimulatedReason(e.name)]);
    info.args.forEach((kind, i) => {
      const v = args[i];
      const argLoc = e.args[i]?.loc ?? e.loc;
      if (!v) return;
      const sizeOf = (j: number): number | undefined => { const s = args[j]; return s && s.kind === 'scalar' ? Number(s.range.max > 1n << 30n ? 1n << 30n : s.range.max) : undefined; };
      switch (kind.kind) {
        case 'mapKey': case 'mapValue': {
          const m = args[kind.mapArg];
          const def = m && m.kind === 'ptr' && m.region.kind === 'mapDef' ? this.program.maps.find((x) => x.name === (m.region as { name: string }).name) : undefined;
          if (v.kind === 'ptr' && v.region.kind === 'key') {
            this.report(Diagnostics.RdonlyBufAsHelperArg, argLoc, [i + 1, e.name, `R${i + 1} type=${regTypeName(v)} expected=fp, pkt, pkt_meta, map_key, map_value`]);
            return;
          }
          // mirrors resolve_map_arg_type(): the value of a sockmap or sockhash update is a socket
          // (ARG_PTR_TO_BTF_ID_SOCK_COMMON), as an iter/sockmap program copying ctx->sk into another sockmap passes it
          if (kind.kind === 'mapValue' && def && SOCK_MAP_TYPES.has(Number(def.type))) { this.sockCommonArg(v, false, i, argLoc, e.name); return; }
          // mirrors check_reg_type(): a map key or value argument is not read-only memory (no MEM_RDONLY), so a trusted
          // kernel object, which the program may only read, is refused (measured on 6.18: bpf_map_lookup_elem(&m, &task->pid))
          if (v.kind === 'ptr' && !v.maybeNull && (v.region.kind === 'kmap' || v.region.kind === 'meta' || v.region.kind === 'seq' || (v.region.kind === 'btf' && v.region.trusted))) {
            this.report(Diagnostics.WriteIntoKernelStruct, argLoc, [this.kernelStructName(v, v.off), `${e.name}() may write into memory pointed by R${i + 1} type=${regTypeName(v)}`]);
            return;
          }
          const size = def ? (kind.kind === 'mapKey' ? def.key_size : def.value_size) : 0;
          this.helperMem(v, size, 'read', argLoc, state, e.name, i, false);
          return;
        }
        case 'memRead': case 'memWrite': {
          const size = sizeOf(kind.sizeArg) ?? 0;
          const nullable = kind.kind === 'memRead' && kind.nullable === true;
          if (nullable && v.kind === 'null') return;
          if (nullable && v.kind === 'scalar' && v.range.min === 0n && v.range.max === 0n) return;
          if (this.sizeMayBeNegative(e.args[kind.sizeArg], args[kind.sizeArg], state, kind.sizeArg, e.name)) return;
          this.helperMem(v, size, kind.kind === 'memRead' ? 'read' : 'write', argLoc, state, e.name, i, nullable);
          return;
        }
        case 'memWriteFixed': this.helperMem(v, kind.size, 'write', argLoc, state, e.name, i, false); return;
        case 'constStr': this.constStrArg(v, i, argLoc, e.name); return;
        case 'seq': this.seqArg(v, i, argLoc, e.name); return;
        case 'trusted':
          // a `__nullable` parameter (bpf_iter_task_new()'s task) takes the constant NULL
          if (kind.nullable && (v.kind === 'null' || (v.kind === 'scalar' && v.range.min === 0n && v.range.max === 0n))) return;
          // ...but a pointer that may be NULL is not trusted there (measured on 6.18: ctx->task unchecked)
          if (kind.nullable && v.kind === 'ptr' && v.maybeNull) { this.report(Diagnostics.KfuncArgNotTrusted, argLoc, [v.desc, i + 1, e.name, `R${i + 1} must be referenced or trusted`]); return; }
          // a pointer walked from a kernel struct is untrusted or MEM_RCU, never trusted (measured on 6.18:
          // task->real_parent to bpf_iter_task_new(), cgrp->self.parent to bpf_iter_css_new()); a KF_RCU argument is left alone
          if (v.kind === 'top' && v.walked && !kind.rcu) { this.report(Diagnostics.KfuncArgNotTrusted, argLoc, [v.walked, i + 1, e.name, `R${i + 1} must be referenced or trusted`]); return; }
          if ((v.kind === 'ptr' && v.maybeNull) || v.kind === 'null' || (v.kind === 'scalar' && v.range.min === 0n && v.range.max === 0n)) {
            this.report(Diagnostics.NullPassedToTrustedKfuncArg, argLoc, [v.kind === 'ptr' ? v.desc : 'NULL', e.name, `Possibly NULL pointer passed to trusted arg${i}`]);
          } else this.kfuncBtfArg(v, kind.btf, i, argLoc, e.name, kind.rcu === true);
          return;
        case 'release': this.releaseArg(v, i, argLoc, e.name, state); return;
        case 'func':
          // mirrors check_func_arg() for ARG_PTR_TO_FUNC: only a subprogram's address (PTR_TO_FUNC) matches
          if (v.kind === 'top') return;
          if (v.kind !== 'ptr' || v.region.kind !== 'func' || v.region.func === undefined) {
            this.report(Diagnostics.CallbackNotFunction, argLoc, [i + 1, e.name, `R${i + 1} type=${v.kind === 'ptr' ? regTypeName(v) : 'scalar'} expected=func`]);
          } else if (this.program.functions[v.region.func]?.global) {
            // mirrors check_ld_imm() for BPF_PSEUDO_FUNC: only a static subprogram may be called back
            this.report(Diagnostics.CallbackNotStatic, argLoc, [v.desc, e.name, 'callback function not static']);
          }
          return;
        case 'stackOrNull':
          // ARG_PTR_TO_STACK_OR_NULL: a stack pointer or the constant 0
          if (v.kind === 'top' || v.kind === 'null' || (v.kind === 'ptr' && v.region.kind === 'stack')) return;
          if (v.kind === 'scalar' && v.range.min === 0n && v.range.max === 0n) return;
          this.report(Diagnostics.CallbackCtxNotStack, argLoc, [v.kind === 'ptr' ? v.desc : 'this integer', e.name, `R${i + 1} type=${v.kind === 'ptr' ? regTypeName(v) : 'scalar'} expected=fp`]);
          return;
        case 'iter': this.iterArg(v, iterKind(kind.iter), kind.op, i, e, state); return;
        case 'sockCommon': this.sockCommonArg(v, kind.nullable === true, i, argLoc, e.name); return;
        case 'notWalked':
          // mirrors check_reg_type(): PTR_UNTRUSTED is not among the BTF pointer types the argument takes
          if (v.kind === 'top' && v.walked && !v.rcu) this.report(Diagnostics.HelperArgUntrusted, argLoc, [v.walked, i + 1, e.name, `R${i + 1} type=untrusted_ptr_ expected=ptr_, trusted_ptr_, rcu_ptr_`]);
          // ...nor PTR_MAYBE_NULL unless the proto says ARG_PTR_TO_BTF_ID_OR_NULL: a ctx field that clang loads again
          // after its check (vmlinux.h's preserve_access_index) is maybe-NULL once more (measured on 6.18:
          // bpf_find_vma(ctx->task, ...), bpf_get_task_stack(ctx->task, ...) after `if (!ctx->task)` are refused)
          else if (v.kind === 'ptr' && v.maybeNull && v.region.kind === 'btf' && !kind.nullable) {
            this.report(Diagnostics.HelperBtfArgMaybeNull, argLoc, [v.desc, i + 1, e.name, `R${i + 1} type=${regTypeName(v)} expected=ptr_, trusted_ptr_, rcu_ptr_`]);
          }
          return;
        default: return;
      }
    });
    this.mapFuncCompatibility(e, info, args);
    if (info.args.some((k) => k.kind === 'func')) this.analyseCallback(e, args, state);
    if (info.rcu) this.rcuSection(info.rcu, e.name, e.loc, state);
    switch (info.returns) {
      case 'mapValueOrNull': {
        const m = args[0];
        const def = m && m.kind === 'ptr' && m.region.kind === 'mapDef' ? this.program.maps.find((x) => x.name === (m.region as { name: string }).name) : undefined;
        // without the map's definition the value's size is unknown: track nullness only
        const region: Region = def ? { kind: 'mapValue', map: def.name, valueSize: def.value_size } : { kind: 'other' };
        const known = e.name === 'bpf_map_lookup_elem' && def !== undefined && this.constantZeroArrayKey(def, args[1], state);
        return { kind: 'ptr', region, off: 0n, varOff: null, maybeNull: !known, nullId: this.freshId(), desc: `the result of ${e.name}` };
      }
      // RET_INTEGER: the verifier knows nothing of a helper's result (mark_reg_unknown()), even of a u32 one;
      // do_refine_retval_range() bounds bpf_get_smp_processor_id() by nr_cpu_ids
      case 'cpu': return scalar(0n, BigInt(Math.max(1, this.options.cpus) - 1), false);
      // KF_ITER_NEXT | KF_RET_NULL: NULL once the iterator is drained, else a read-only pointer to the numbers
      // iterator's current int, or the kind's object (MEM_RCU for a KF_RCU_PROTECTED kfunc: rcu_ptr_task_struct)
      case 'iterNext': {
        const next = iterKindOfKfunc(e.name)?.kind.next;
        const region: Region = next?.kind === 'btf' ? { kind: 'btf', struct: next.struct, trusted: !next.rcu, rcu: next.rcu || undefined } : { kind: 'other' };
        return { kind: 'ptr', region, off: 0n, varOff: null, maybeNull: true, nullId: this.freshId(), desc: `the result of ${e.name}` };
      }
      // RET_PTR_TO_BTF_ID_OR_NULL: the socket casts give NULL for a socket of another kind
      case 'btfOrNull': return { kind: 'ptr', region: { kind: 'btf', struct: info.returnStruct ?? '', trusted: false }, off: 0n, varOff: null, maybeNull: true, nullId: this.freshId(), desc: `the result of ${e.name}` };
      // mirrors do_refine_retval_range(): bpf_get_stack(), bpf_get_task_stack() and the _str probes return a
      // negative errno or at most the size they were given
      // mirrors check_kfunc_call() for bpf_rdonly_cast(): PTR_TO_BTF_ID | PTR_UNTRUSTED, read as a walked pointer is
      case 'btfUntrusted': return { kind: 'top', walked: `the result of ${e.name}` };
      // RET_PTR_TO_BTF_ID_TRUSTED (bpf_get_current_task_btf()): never NULL
      case 'btfTrusted': return { kind: 'ptr', region: { kind: 'btf', struct: info.returnStruct ?? '', trusted: true }, off: 0n, varOff: null, maybeNull: false, nullId: this.freshId(), desc: `the result of ${e.name}` };
      // mirrors check_kfunc_call() for KF_ACQUIRE | KF_RET_NULL: acquire_reference(), PTR_TRUSTED | PTR_MAYBE_NULL
      case 'acquiredOrNull': {
        const nullId = this.freshId();
        state.refs.set(nullId, { loc: e.loc, name: e.name });
        return { kind: 'ptr', region: { kind: 'btf', struct: info.returnStruct ?? '', trusted: true }, off: 0n, varOff: null, maybeNull: true, nullId, desc: `the result of ${e.name}` };
      }
      case 'sizeBounded': {
        const size = info.boundArg !== undefined ? args[info.boundArg] : undefined;
        const max = size && size.kind === 'scalar' && size.range.max >= 0n && size.range.max <= BigInt(Number.MAX_SAFE_INTEGER) ? size.range.max : undefined;
        return max === undefined ? scalar(S64_MIN, U64_MAX, false) : scalar(-4095n, max, false);
      }
      default: return scalar(S64_MIN, U64_MAX, false);
    }
  }

  /**
   * mirrors check_func_arg() for ARG_PTR_TO_BTF_ID of struct seq_file: check_reg_type() wants a trusted BTF pointer
   * (anything else: "R1 type=scalar expected=ptr_, trusted_ptr_, rcu_ptr_"), then btf_struct_ids_match() at
   * offset 0 ("R1 is of type bpf_map but seq_file is expected"). Measured on 6.18 for NULL, a number, a value
   * copied by bpf_probe_read_kernel(), &local, ctx, ctx->meta, ctx->map and meta->seq + 8.
   */
  protected seqArg(v: AbsValue, argIndex: number, loc: Loc, helper: string): void {
    const reg = `R${argIndex + 1}`;
    const expected = 'expected=ptr_, trusted_ptr_, rcu_ptr_';
    let kernel: string | undefined;
    let shown = 'this value';
    if (v.kind === 'null' || v.kind === 'scalar') {
      kernel = `${reg} type=scalar ${expected}`;
      shown = v.kind === 'null' ? 'NULL' : 'this number';
    } else if (v.kind === 'ptr') {
      shown = v.desc;
      const btfName = v.region.kind === 'seq' ? 'seq_file' : v.region.kind === 'kmap' ? 'bpf_map' : v.region.kind === 'meta' ? 'bpf_iter_meta' : undefined;
      if (v.region.kind === 'other') return;
      if (v.maybeNull || btfName === undefined) kernel = `${reg} type=${regTypeName(v)} ${expected}`;
      else if (v.region.kind !== 'seq' || v.off !== 0n || v.varOff) kernel = `${reg} is of type ${btfName} but seq_file is expected`;
    }
    if (kernel) this.report(Diagnostics.SeqArgNotSeqFile, loc, [shown, argIndex + 1, helper, kernel]);
  }

  /**
   * mirrors check_mem_size_reg(): the size register's signed minimum must not be below 0. Only a known negative
   * bound is reported (a C `int` that may be negative); an unknown or widened value (min S64_MIN) is not, since this
   * analysis joins paths the verifier keeps apart.
   */
  protected sizeMayBeNegative(expr: Expr | undefined, value: AbsValue | undefined, state: State, argIndex: number, helper: string): boolean {
    if (!expr || !value) return false;
    // a signed variable converted to the helper's u32 size: clang passes the register as it is (no zero extension),
    // so the verifier sees the variable's signed range
    let inner = expr;
    while (inner.op === 'convert' && inner.operand.type.kind === 'int' && inner.operand.type.signed) inner = inner.operand;
    const local = inner !== expr && inner.op === 'local' ? state.locals.get(this.key(inner.id)) : undefined;
    const v = local ?? value;
    if (v.kind !== 'scalar' || v.range.min >= 0n || v.range.min <= S64_MIN || v.range.min < -(1n << 32n)) return false;
    const name = inner.op === 'local' ? this.localName(inner.id) : 'this value';
    this.report(Diagnostics.HelperSizeMayBeNegative, expr.loc, [name, argIndex + 1, helper, v.range.min.toString(),
      `R${argIndex + 1} min value is negative, either use unsigned or 'var &= const'`]);
    return true;
  }

  /**
   * mirrors check_kfunc_args() for KF_ARG_PTR_TO_BTF_ID: a kernel pointer must be of the argument's struct at offset
   * 0 ("args#0 expected pointer to STRUCT bpf_map but R1 has a pointer to STRUCT bpf_iter_meta"); a pointer that is
   * not a kernel object (stack, ctx, a number) is taken as memory and refused for a struct with pointers ("arg#0
   * pointer type STRUCT bpf_map must point to scalar, or struct with scalar"). Measured on 6.18.
   */
  /**
   * mirrors check_kfunc_args() for a KF_RELEASE argument: not NULL ("Possibly NULL pointer passed to trusted arg0"),
   * then holding a reference (ref_obj_id), which release_reference() ends, with every copy of the pointer. A pointer
   * this checker knows nothing of passes. Measured on 6.18 with bpf_task_release().
   */
  protected releaseArg(v: AbsValue, argIndex: number, loc: Loc, kfunc: string, state: State): void {
    if ((v.kind === 'ptr' && v.maybeNull) || v.kind === 'null' || (v.kind === 'scalar' && v.range.min === 0n && v.range.max === 0n)) {
      this.report(Diagnostics.NullPassedToTrustedKfuncArg, loc, [v.kind === 'ptr' ? v.desc : 'NULL', kfunc, `Possibly NULL pointer passed to trusted arg${argIndex}`]);
      // the verifier stops here: no second error for the same reference at the exit
      if (v.kind === 'ptr') state.refs.delete(v.nullId);
      return;
    }
    if (v.kind !== 'ptr') return;
    // KF_RELEASE implies KF_TRUSTED_ARGS: an untrusted or MEM_RCU pointer is refused before its reference is looked
    // at (measured on 6.18: bpf_task_release() of a task iterator's next())
    if (v.region.kind === 'btf' && !v.region.trusted && !state.refs.has(v.nullId)) {
      this.report(Diagnostics.KfuncArgNotTrusted, loc, [v.desc, argIndex + 1, kfunc, `R${argIndex + 1} must be referenced or trusted`]);
      return;
    }
    if (!state.refs.delete(v.nullId)) {
      this.report(Diagnostics.KfuncReleaseUnreferenced, loc, [kfunc, v.desc, `release kernel function ${kfunc} expects refcounted PTR_TO_BTF_ID`]);
      return;
    }
    // the released pointer and its copies are no longer pointers the program may use
    const forget = (w: AbsValue): AbsValue => (w.kind === 'ptr' && w.nullId === v.nullId ? TOP : w);
    for (const [k, w] of state.locals) state.locals.set(k, forget(w));
    for (const slot of state.stack.values()) for (const [o, w] of slot.spills) slot.spills.set(o, forget(w));
  }

  /** mirrors check_kfunc_call() for bpf_rcu_read_lock()/unlock(): sections do not nest, and an unlock needs a lock. */
  protected rcuSection(op: 'lock' | 'unlock', kfunc: string, loc: Loc, state: State): void {
    if (op === 'lock') {
      if (state.rcuLocked === true) this.report(Diagnostics.RcuLockNested, loc, [`nested rcu read lock (kernel function ${kfunc})`]);
      state.rcuLocked = true;
    } else {
      if (state.rcuLocked === false) this.report(Diagnostics.RcuUnlockUnmatched, loc, [`unmatched rcu read unlock (kernel function ${kfunc})`]);
      state.rcuLocked = false;
      // the MEM_RCU iterator slots become PTR_UNTRUSTED, whoever made them (mark_stack_slots_iter() marked them MEM_RCU)
      for (const [key, it] of state.iters) if (iterKind(it.kind).rcuProtected && !it.rcuEnded) state.iters.set(key, { ...it, rcuEnded: true });
    }
  }

  protected kfuncBtfArg(v: AbsValue, btf: string, argIndex: number, loc: Loc, kfunc: string, rcuOk = false): void {
    let kernel: string | undefined;
    let shown = 'this number';
    if (v.kind === 'scalar') kernel = `arg#${argIndex} pointer type STRUCT ${btf} must point to scalar, or struct with scalar`;
    else if (v.kind === 'ptr') {
      shown = v.desc;
      const has = v.region.kind === 'btf' ? undefined : btfStructOf(v);
      if (v.region.kind === 'btf') {
        // KF_TRUSTED_ARGS: an untrusted PTR_TO_BTF_ID is refused before its type is looked at (measured on 6.18:
        // iter/unix's unix_sk passed to bpf_sock_destroy); then btf_struct_ids_match() walks first members
        // (udp_sock -> inet_sock -> sock -> sock_common), a task_struct is refused
        if (!v.region.trusted && !(rcuOk && v.region.rcu)) {
          this.report(Diagnostics.KfuncArgNotTrusted, loc, [shown, argIndex + 1, kfunc, `R${argIndex + 1} must be referenced or trusted`]);
          return;
        }
        if (v.off !== 0n || v.varOff || !structStartsWith(v.region.struct, btf)) {
          kernel = `kernel function ${kfunc} args#${argIndex} expected pointer to STRUCT ${btf} but R${argIndex + 1} has a pointer to STRUCT ${v.region.struct}`;
        }
      } else if (has !== undefined) {
        if (has !== btf || v.off !== 0n || v.varOff) kernel = `kernel function ${kfunc} args#${argIndex} expected pointer to STRUCT ${btf} but R${argIndex + 1} has a pointer to STRUCT ${has}`;
      } else if (v.region.kind === 'stack' || v.region.kind === 'ctx' || v.region.kind === 'mapValue' || v.region.kind === 'global') {
        kernel = `arg#${argIndex} pointer type STRUCT ${btf} must point to scalar, or struct with scalar`;
      }
    }
    if (kernel) this.report(Diagnostics.KfuncArgWrongType, loc, [shown, argIndex + 1, kfunc, btf, kernel]);
  }

  /**
   * mirrors check_reg_type() for ARG_PTR_TO_BTF_ID_SOCK_COMMON: the register must be one of the socket pointer types
   * or a BTF pointer (trusted or not), not maybe-NULL unless the argument allows it, and then btf_struct_ids_match()
   * must find struct sock_common at its start (tcp_sock -> inet_connection_sock -> inet_sock -> sock -> sock_common).
   * Measured on 6.18 for iter/tcp: ctx->sk_common unchecked, &local and ctx->meta passed to bpf_skc_to_tcp_sock().
   */
  protected sockCommonArg(v: AbsValue, nullable: boolean, argIndex: number, loc: Loc, helper: string): void {
    const reg = `R${argIndex + 1}`;
    const types = (type: string): string => `${reg} type=${type} expected=sock_common, sock, tcp_sock, xdp_sock, ptr_, trusted_ptr_`;
    let kernel: string | undefined;
    let shown = 'this value';
    if (v.kind === 'null' || (v.kind === 'scalar' && v.range.min === 0n && v.range.max === 0n)) {
      if (!nullable) kernel = types('scalar');
      shown = 'NULL';
    } else if (v.kind === 'scalar') kernel = types('scalar');
    else if (v.kind === 'ptr') {
      shown = v.desc;
      const struct = v.region.kind === 'btf' ? v.region.struct : btfStructOf(v);
      // a pointer the checker does not follow ('other') may well be a socket: nothing is said of it
      if (v.region.kind === 'other') return;
      if (struct === undefined || (v.maybeNull && !nullable)) kernel = types(regTypeName(v));
      else if (!structStartsWith(struct, 'sock_common') || v.off !== 0n || v.varOff) kernel = `${reg} is of type ${struct} but sock_common is expected`;
    }
    if (kernel) this.report(Diagnostics.SocketArgNotSocket, loc, [shown, argIndex + 1, helper, kernel]);
  }

  /**
   * mirrors process_iter_arg(): the STACK_ITER slot's state before and after new/next/destroy, with the RCU rule of
   * check_kfunc_call() for a KF_RCU_PROTECTED kind: new() outside an RCU section of a sleepable program, and
   * next()/destroy() after a bpf_rcu_read_unlock() ended the iterator's section (is_iter_reg_valid_init() -EPROTO).
   */
  protected iterArg(v: AbsValue, kind: IterKind, op: 'new' | 'next' | 'destroy', argIndex: number, e: Extract<Expr, { op: 'callHelper' }>, state: State): void {
    const words = [kind.description, kind.newKfunc];
    if (v.kind !== 'ptr' || v.region.kind !== 'stack' || v.varOff || v.off !== 0n) {
      if (v.kind === 'top') return;
      this.report(Diagnostics.IterNotInitialized, e.args[argIndex]?.loc ?? e.loc, [v.kind === 'ptr' ? v.desc : 'this value', `arg#${argIndex} expected pointer to an iterator on stack`, ...words]);
      return;
    }
    const key = this.slotKey(v);
    const active = state.iters.get(key);
    // after an error about this slot the verifier has stopped: a reported slot is taken as it comes (marked only when
    // the error is really reported, not in a loop's fixpoint passes, whose head state would carry the mark)
    const reported = (): void => { if (this.reporting) state.iters.set(key, { loc: e.loc, name: v.desc, kind: kind.kind, reported: true }); };
    if (active?.reported) { if (op === 'destroy') state.iters.delete(key); return; }
    if (op === 'new') {
      if (active) { this.report(Diagnostics.IterAlreadyInitialized, e.args[argIndex].loc, [v.desc, `expected uninitialized ${iterTypeName(kind)} as arg #${argIndex}`, ...words]); reported(); return; }
      // in_rcu_cs(): a non-sleepable program is always inside one; where paths disagree nothing is said
      if (kind.rcuProtected && this.options.sleepable && state.rcuLocked === false) {
        this.report(Diagnostics.IterNeedsRcu, e.loc, [e.name, `kernel func ${e.name} requires RCU critical section protection`]);
        reported();
        return;
      }
      state.iters.set(key, { loc: e.loc, name: v.desc, kind: kind.kind });
      const slot = state.stack.get(key);
      if (slot) markInitialized(slot.init, 0, slot.init.length);
      return;
    }
    if (!active || active.kind !== kind.kind) { this.report(Diagnostics.IterNotInitialized, e.args[argIndex].loc, [v.desc, `expected an initialized ${iterTypeName(kind)} as arg #${argIndex}`, ...words]); if (op === 'next') reported(); return; }
    if (active.rcuEnded) { this.report(Diagnostics.IterOutsideRcu, e.loc, [v.desc, e.name, `expected an RCU CS when using ${e.name}`]); reported(); return; }
    if (op === 'destroy') state.iters.delete(key);
  }

  /**
   * mirrors push_callback_call() with set_loop_callback_state() / set_map_elem_callback_state(): the callback is
   * analysed as a subprogram with the registers the helper passes, and its R0 must be in [0, 1]. The helper may
   * call it any number of times (zero included), so the caller goes on from the join of before and after.
   */
  /**
   * mirrors check_reg_type() with const_str_ptr_types (PTR_TO_MAP_VALUE only) and check_reg_const_str(): the string
   * must be in a read-only map at a constant offset. Reported only where that is certain: writable globals (.data,
   * .bss), a map's value, a kernel object; not the stack, which clang may replace by a constant of .rodata.
   */
  protected constStrArg(v: AbsValue, i: number, loc: Loc, helper: string): void {
    const r = `R${i + 1}`;
    let where: string | undefined, verifier: string | undefined;
    if (v.kind === 'ptr' && v.region.kind === 'global' && !v.region.readonly) {
      where = `${v.desc}, a writable global (${v.region.section})`;
      verifier = `${r} does not point to a readonly map'`;
    } else if (v.kind === 'ptr' && v.region.kind === 'mapValue') {
      where = `a value of the map ${v.region.map}, which programs may write`;
      verifier = `${r} does not point to a readonly map'`;
    } else if (v.kind === 'ptr' && v.region.kind === 'global' && v.varOff) {
      where = `${v.desc} at an offset known only at run time`;
      verifier = `${r} is not a constant address'`;
    } else if (v.kind === 'ptr' && (v.region.kind === 'btf' || v.region.kind === 'ctx')) {
      where = `${v.desc}, kernel memory`;
      verifier = `${r} type=${regTypeName(v)} expected=map_value`;
    }
    if (where && verifier) this.report(Diagnostics.HelperConstStrNotReadonly, loc, [i + 1, helper, where, verifier]);
  }

  /** mirrors check_map_func_compatibility() for the local storage maps and their helpers */
  /**
   * mirrors get_constant_map_key() and check_helper_call() (Linux 6.18): an array lookup whose key is a stack
   * object the verifier knows is zero (STACK_ZERO: a 4-byte zero stored anywhere in the frame) returns a value that
   * is not NULL, key 0 being below max_entries. A non-zero key is known only as an 8-byte-aligned spill, which a
   * `__u32` clang puts at fp-4 is not (measured: `__u32 key = 1` stays map_value_or_null), so only zero is taken.
   */
  protected constantZeroArrayKey(def: { type: string; key_size: number; max_entries: number }, key: AbsValue | undefined, state: State): boolean {
    if (!ELIDE_NULL_MAP_TYPES.has(Number(def.type)) || def.max_entries < 1 || def.key_size !== 4) return false;
    if (!key || key.kind !== 'ptr' || key.region.kind !== 'stack' || key.varOff || key.maybeNull) return false;
    const slot = state.stack.get(this.slotKey(key));
    const off = Number(key.off);
    if (!slot || off < 0 || off + 4 > slot.init.length) return false;
    for (let i = off; i < off + 4; i++) if (!slot.init[i]) return false;
    // the last store over those bytes must be the whole key: a spill at its offset, none inside it
    for (const o of slot.spills.keys()) if (o !== off && o > off - 8 && o < off + 4) return false;
    const v = slot.spills.get(off);
    return v !== undefined && v.kind === 'scalar' && v.range.min === 0n && v.range.max === 0n;
  }

  protected mapFuncCompatibility(e: Extract<Expr, { op: 'callHelper' }>, info: HelperInfo, args: AbsValue[]): void {
    const at = info.args.findIndex((k) => k.kind === 'map');
    const m = at >= 0 ? args[at] : undefined;
    const def = m && m.kind === 'ptr' && m.region.kind === 'mapDef' ? this.program.maps.find((x) => x.name === (m.region as { name: string }).name) : undefined;
    // bpf_for_each_map_elem() is refused earlier for these maps ("callback function not allowed for map")
    if (!def || e.name === 'bpf_for_each_map_elem') return;
    const type = Number(def.type);
    const takes = LOCAL_STORAGE_HELPERS.get(type);
    let why: string | undefined;
    if (takes && !takes.includes(e.name) && e.name !== 'bpf_kptr_xchg') why = `is reached only through ${takes.join(' and ')}`;
    else if (!takes) {
      for (const [storage, helpers] of LOCAL_STORAGE_HELPERS) {
        if (helpers.includes(e.name)) { why = `is not the ${mapTypeName(storage)} map it takes`; break; }
      }
    }
    if (why) this.report(Diagnostics.MapFuncIncompatible, e.args[at]?.loc ?? e.loc, [def.name, e.name, mapTypeName(type), why, `cannot pass map_type ${type} into func ${e.name}#${info.id}`]);
  }

  protected analyseCallback(e: Extract<Expr, { op: 'callHelper' }>, args: AbsValue[], state: State): void {
    const findVma = e.name === 'bpf_find_vma';
    const fnArg = e.name === 'bpf_loop' || e.name === 'bpf_for_each_map_elem' ? args[1] : findVma ? args[2] : undefined;
    if (!fnArg || fnArg.kind !== 'ptr' || fnArg.region.kind !== 'func' || fnArg.region.func === undefined) return;
    const ctxArg = (findVma ? args[3] : args[2]) ?? TOP;
    if (this.program.functions[fnArg.region.func]?.global) return;
    let calleeArgs: AbsValue[];
    if (findVma) {
      // mirrors set_find_vma_callback_state(): R1 the task as the caller passed it, R2 a plain (untrusted-to-helpers)
      // PTR_TO_BTF_ID of struct vm_area_struct, never NULL, R3 the context
      const vma: PtrValue = { kind: 'ptr', region: { kind: 'btf', struct: 'vm_area_struct', trusted: false }, off: 0n, varOff: null, maybeNull: false, nullId: 0, desc: 'the vma of bpf_find_vma' };
      calleeArgs = [args[0] ?? TOP, vma, ctxArg];
    } else if (e.name === 'bpf_loop') {
      // R1 = the loop index (an unknown scalar to the verifier, a u32 in C), R2 = the context
      calleeArgs = [scalar(0n, (1n << 32n) - 1n, false), ctxArg];
    } else {
      const m = args[0];
      const def = m && m.kind === 'ptr' && m.region.kind === 'mapDef' ? this.program.maps.find((x) => x.name === (m.region as { name: string }).name) : undefined;
      if (def && !FOR_EACH_MAP_TYPES.has(Number(def.type))) {
        // mirrors check_map_func_compatibility(): map->ops->map_for_each_callback is NULL
        this.report(Diagnostics.CallbackMapNotAllowed, e.args[0].loc, [def.name, mapTypeName(Number(def.type)), 'callback function not allowed for map']);
        return;
      }
      const mk = (region: Region, desc: string): PtrValue => ({ kind: 'ptr', region, off: 0n, varOff: null, maybeNull: false, nullId: 0, desc });
      // R1 = CONST_PTR_TO_MAP, R2 = PTR_TO_MAP_KEY, R3 = PTR_TO_MAP_VALUE of that map, R4 = the context
      calleeArgs = [
        m ?? TOP,
        def ? mk({ kind: 'mapValue', map: def.name, valueSize: def.key_size }, `the key of ${def.name}`) : TOP,
        def ? mk({ kind: 'mapValue', map: def.name, valueSize: def.value_size }, `the value of ${def.name}`) : TOP,
        ctxArg,
      ];
    }
    const results = this.callFunction(fnArg.region.func, calleeArgs, state, e.loc);
    let merged: State | null = null;
    for (const r of results) {
      if (r.final && r.value.kind === 'scalar') {
        // mirrors prepare_func_exit(): retval_range_within(callee->callback_ret_range, r0)
        const problem = returnValueProblem(r.value.range, 'At callback return');
        if (problem) this.report(Diagnostics.CallbackReturnOutOfRange, r.loc, [e.name, problem.shown, problem.kernelText]);
      }
      merged = this.joinStates(merged, r.state);
    }
    if (!merged) return;
    const depth = `${this.frames.length}:`;
    for (const k of [...merged.locals.keys()]) if (k.startsWith(depth)) merged.locals.delete(k);
    for (const k of [...merged.stack.keys()]) if (k.startsWith(depth)) merged.stack.delete(k);
    const after = this.joinStates(cloneState(state), merged);
    if (after) copyInto(state, after);
  }

  /**
   * mirrors check_helper_mem_access() -> check_stack_range_initialized() for a helper that writes memory: the bytes
   * become STACK_MISC, so what is read back is a number, never a pointer (a pointer copied by bpf_probe_read_kernel(),
   * as BPF_CORE_READ() does, is a scalar to the verifier).
   */
  protected helperWroteStack(v: PtrValue, size: number, state: State): void {
    const slot = state.stack.get(this.slotKey(v));
    if (!slot) return;
    if (v.varOff) { slot.spills.clear(); return; }
    const start = Number(v.off), end = start + size;
    for (const off of [...slot.spills.keys()]) if (off < end && off + 8 > start) slot.spills.delete(off);
    for (let off = start; off + 8 <= end; off += 8) slot.spills.set(off, scalar(S64_MIN, U64_MAX, false));
  }

  protected helperMem(v: AbsValue, size: number, kind: 'read' | 'write', loc: Loc, state: State, helper: string, argIndex: number, nullable: boolean): void {
    if (v.kind === 'ptr' && v.maybeNull && !nullable) {
      // mirrors check_reg_type(): a maybe-NULL register does not match ARG_PTR_TO_MEM
      this.report(Diagnostics.NullPassedToHelper, loc, [v.desc, argIndex + 1, helper, `R${argIndex + 1} type=${regTypeName(v)} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_`]);
      return;
    }
    // mirrors check_reg_type() against mem_types: a kernel object matches only as PTR_TO_BTF_ID | PTR_TRUSTED
    const untrusted = v.kind === 'top' && v.walked ? { desc: v.walked, type: v.rcu ? 'rcu_ptr_' : 'untrusted_ptr_' }
      : v.kind === 'ptr' && v.region.kind === 'btf' && !v.region.trusted ? { desc: v.desc, type: 'ptr_' } : undefined;
    if (untrusted) {
      const why = untrusted.type === 'ptr_' ? 'not PTR_TRUSTED' : untrusted.type === 'rcu_ptr_' ? 'MEM_RCU, loaded from a kernel struct' : 'loaded from a kernel struct';
      this.report(Diagnostics.HelperMemArgNotTrusted, loc, [untrusted.desc, argIndex + 1, helper, why,
        `R${argIndex + 1} type=${untrusted.type} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_`]);
      return;
    }
    if (v.kind !== 'ptr') return;
    if (v.region.kind === 'stack') {
      this.stackAccess(v, 0, size, kind, loc, state, { name: helper, regno: argIndex + 1 });
      if (kind === 'write') this.helperWroteStack(v, size, state);
      return;
    }
    this.access({ ...v, maybeNull: false }, 0, size, kind, loc, state);
  }
}

/** mirrors btf_struct_ids_match() without strict matching: `have` is `want`, or its first member (recursively) is. */
function structStartsWith(have: string, want: string): boolean {
  for (let s: string | undefined = have, depth = 0; s && depth < 8; depth++) {
    if (s === want) return true;
    const first: { typeName: string } | undefined = kernelBtf[s]?.fields.find((f) => f.offset === 0);
    const m: RegExpExecArray | null | undefined = first && /^(?:struct )?(\w+)$/.exec(first.typeName.replace(/^(const |volatile )+/, ''));
    s = m ? m[1] : undefined;
  }
  return false;
}

/** BPF_MAP_TYPE_SOCKMAP, BPF_MAP_TYPE_SOCKHASH. */
const SOCK_MAP_TYPES = new Set([15, 18]);

/** can_elide_value_nullness(): BPF_MAP_TYPE_ARRAY and BPF_MAP_TYPE_PERCPU_ARRAY. */
const ELIDE_NULL_MAP_TYPES = new Set([2, 6]);

/**
 * check_map_func_compatibility() for the local storages: each map type (enum bpf_map_type) with the only helpers that
 * may take it (and bpf_kptr_xchg), each such helper taking only that type.
 */
const LOCAL_STORAGE_HELPERS: ReadonlyMap<number, readonly string[]> = new Map([
  [24, ['bpf_sk_storage_get', 'bpf_sk_storage_delete']],
  [28, ['bpf_inode_storage_get', 'bpf_inode_storage_delete']],
  [29, ['bpf_task_storage_get', 'bpf_task_storage_delete']],
  [32, ['bpf_cgrp_storage_get', 'bpf_cgrp_storage_delete']],
]);

/**
 * Map types whose ops have map_for_each_callback in 6.18: hash, array, percpu_hash, percpu_array, lru_hash,
 * lru_percpu_hash (enum bpf_map_type values). Not the local storages: measured on 6.18, a task, socket, inode or
 * cgroup storage map given to bpf_for_each_map_elem() is "callback function not allowed for map".
 */
const FOR_EACH_MAP_TYPES = new Set([1, 2, 5, 6, 9, 10]);
