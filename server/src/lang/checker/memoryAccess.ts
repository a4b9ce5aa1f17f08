/** Memory accesses through a pointer (mirrors check_mem_access()): ctx, map values, kernel structs (BTF), stack (initialized bytes, spills), buffers. */

import type { Loc } from '../ir';
import { Diagnostics } from '../diagnostics';
import { AbsValue, PtrValue, Region, formatTnum, offsetRange, regTypeName, S64_MIN, U64_MAX } from './domain';
import { iterCtxFieldAt, iterTargetInfo } from '../../kernel/iterTargets';
import { nullReason } from './nullness';
import { firstUninitialized, fpOffset, markInitialized } from './uninit';
import { checkBtfRead } from './btfAccess';
import type { State } from './abstractState';
import { VerifierState } from './verifierState';

export abstract class MemoryAccessChecker extends VerifierState {
  // ---------------------------------------------------------------- memory accesses (accessSize / uninit rules)

  access(p: AbsValue, insnOff: number, size: number, kind: 'read' | 'write', loc: Loc, state: State): void {
    if (p.kind === 'top') return;
    if (p.kind === 'null' || p.kind === 'scalar') {
      const what = p.kind === 'null' ? 'NULL' : 'This integer';
      this.report(Diagnostics.ScalarDereference, loc, [what, "R? invalid mem access 'scalar'"]);
      return;
    }
    if (p.maybeNull) {
      // mirrors check_mem_access() on a PTR_MAYBE_NULL register (fix b0db1accbc73 for PTR_TO_BUF)
      this.report(Diagnostics.NullDereference, loc, [p.desc, nullReason(p), `R? invalid mem access '${regTypeName(p)}'`]);
      return;
    }
    const r = offsetRange(p);
    const lo = r.min + BigInt(insnOff), hi = r.max + BigInt(insnOff) + BigInt(size);
    switch (p.region.kind) {
      case 'ctx':
        // mirrors btf_ctx_access(): tracing programs read their context, never write it
        if (kind === 'write') { this.report(Diagnostics.CtxWrite, loc, [`invalid bpf_context access off=${lo} size=${size}`]); return; }
        // mirrors check_mem_access() for PTR_TO_CTX: a variable offset is refused before btf_ctx_access() runs
        if (p.varOff) { this.report(Diagnostics.CtxVariableAccess, loc, [`variable ctx access var_off=${formatTnum(p.varOff)} disallowed`]); return; }
        {
          // clang folds a constant added to ctx into the load (r1 = *(u64 *)(r1 + 32)): the verifier checks the sum
          const off = p.off + BigInt(insnOff);
          // the ctx is the target's arguments, one 8-byte slot each (kernel/iterTargets.ts: bpf_iter__<target>)
          const target = iterTargetInfo(this.options.target);
          // an unknown target is refused at load already (BPF1392): its ctx layout is unknown, so nothing to add
          if (!target) return;
          const ctxSize = BigInt(target.ctxSize);
          const field = off >= 0n && off < ctxSize ? iterCtxFieldAt(this.options.target, Number(off)) : undefined;
          if (off % 8n !== 0n) this.report(Diagnostics.CtxAccessMisaligned, loc, [`func 'bpf_iter_${this.options.target}' offset ${off} is not multiple of 8`]);
          else if (!field || (field.type.kind !== 'scalar' && size !== 8) || size > 8) {
            // mirrors btf_ctx_access(): pointer arguments are read whole; scalar ones (task_file's fd) at their width
            const why = !field ? `struct bpf_iter__${this.options.target} is ${ctxSize} bytes` : 'each field is an 8-byte pointer and must be read whole';
            this.report(Diagnostics.CtxAccessOutOfRange, loc, [size, off, why, `invalid bpf_context access off=${off} size=${size}`]);
          }
        }
        return;
      case 'key': case 'value': this.bufferAccess(p, insnOff, size, kind, loc); return;
      case 'meta': case 'seq': case 'kmap': case 'btf': {
        // mirrors check_ptr_to_btf_access(): GPL only, and read only
        if (!this.options.gplCompatible) {
          const struct = p.region.kind === 'kmap' ? 'bpf_map' : p.region.kind === 'seq' ? 'seq_file' : p.region.kind === 'btf' ? p.region.struct : 'bpf_iter_meta';
          this.report(Diagnostics.NonGplKernelStructAccess, loc, [p.desc, `Cannot access kernel 'struct ${struct}' from non-GPL compatible program`]);
          return;
        }
        // mirrors check_ptr_to_btf_access(): negative and variable offsets come before the write check, the struct's end after
        const offIssue = checkBtfRead(p, insnOff, size);
        if (offIssue && offIssue.message !== Diagnostics.BtfAccessBeyondStruct) { this.report(offIssue.message, loc, offIssue.args); return; }
        if (kind === 'write') { this.report(Diagnostics.WriteIntoKernelStruct, loc, [this.kernelStructName(p, lo), 'only read is supported']); return; }
        if (offIssue) this.report(offIssue.message, loc, offIssue.args);
        return;
      }
      case 'global': {
        const g = p.region;
        if (kind === 'write' && g.readonly) { this.report(Diagnostics.WriteIntoReadonlyMap, loc, [g.name, `write into map forbidden, value_size=${g.size} off=${lo} size=${size}`]); return; }
        if (g.size >= 0 && (lo < 0n || hi > BigInt(g.size))) this.report(Diagnostics.MapValueOutOfBounds, loc, [`${g.section} (${g.size} bytes)`, `invalid access to map value, value_size=${g.size} off=${lo} size=${size}`]);
        return;
      }
      case 'string':
        if (kind === 'write') this.report(Diagnostics.WriteIntoReadonlyMap, loc, ['A string literal', `write into map forbidden, value_size=0 off=${lo} size=${size}`]);
        return;
      case 'mapValue': {
        const m = p.region;
        if (lo < 0n || hi > BigInt(m.valueSize)) this.report(Diagnostics.MapValueOutOfBounds, loc, [`the value of ${m.map} (${m.valueSize} bytes)`, `invalid access to map value, value_size=${m.valueSize} off=${lo} size=${size}`]);
        return;
      }
      case 'mem': {
        // mirrors check_mem_region_access() for PTR_TO_MEM
        const m = p.region.size;
        const off = lo < 0n ? lo : hi - BigInt(size);
        if (lo < 0n || hi > BigInt(m)) this.report(Diagnostics.MemOutOfBounds, loc, [p.desc, m, off, size, `invalid access to memory, mem_size=${m} off=${off} size=${size}`]);
        return;
      }
      case 'stack': this.stackAccess(p, insnOff, size, kind, loc, state); return;
      default: return;
    }
  }

  protected kernelStructName(p: PtrValue, off: bigint): string {
    if (p.region.kind === 'kmap') {
      const field = this.options.fieldNames?.[Number(off)];
      return field ? `map->${field}` : 'struct bpf_map';
    }
    if (p.region.kind === 'btf') return `struct ${p.region.struct}`;
    return p.region.kind === 'seq' ? 'struct seq_file' : 'struct bpf_iter_meta';
  }

  protected stackAccess(p: PtrValue, insnOff: number, size: number, kind: 'read' | 'write', loc: Loc, state: State, helper?: { name: string; regno: number }): void {
    const region = p.region as Extract<Region, { kind: 'stack' }>;
    const slot = state.stack.get(`${region.frame}:${region.slot}`);
    if (!slot) return;
    const r = offsetRange(p);
    const start = Number(r.min) + insnOff, end = Number(r.max) + insnOff + size;
    if (helper && (start < 0 || end > region.size)) {
      // mirrors check_stack_range_initialized(): the helper reads bytes outside the object. clang places the object
      // itself, so past its end lies either another (maybe uninitialised) object or the top of the frame
      const fn = this.frames[region.frame]?.fn ?? this.frames[this.frames.length - 1].fn;
      const fpOff = fpOffset(fn, region.slot, start);
      const verb = kind === 'read' ? 'read from' : 'write to';
      const kernel = fpOff + size > 0 || kind === 'write' ? `invalid ${verb} stack R${helper.regno} off=${fpOff} size=${size}` : `invalid read from stack R${helper.regno} off ${fpOff}+${region.size - start} size ${size}`;
      this.report(Diagnostics.HelperStackReadOutOfBounds, loc, [p.desc, region.size, size, helper.name, kernel]);
      return;
    }
    if (!helper && r.min === r.max && (start < 0 || end > region.size)) {
      // A constant access past the object: from valid C, a CO-RE relocated field of a local copy of a
      // preserve_access_index struct (the kernel's offset used on the local object). mirrors
      // check_stack_access_within_bounds() when it leaves the frame; inside the frame it reads whatever clang
      // placed there, which this layout does not know.
      const fn = this.frames[region.frame]?.fn ?? this.frames[this.frames.length - 1].fn;
      const fpOff = fpOffset(fn, region.slot, start);
      if (fpOff + size > 0) {
        this.report(Diagnostics.StackAccessOutsideFrame, loc, [kind === 'read' ? 'reads' : 'writes', size, start, p.desc, region.size,
          `invalid ${kind === 'read' ? 'read from' : 'write to'} stack R? off=${fpOff} size=${size}`]);
      }
      return;
    }
    if (!helper && p.varOff && !p.varOff.pathConst && this.stackVarOffOutOfBounds(p, insnOff, size, kind, loc)) return;
    if (kind === 'write') {
      // a write at a variable offset initialises nothing for sure
      if (r.min === r.max) markInitialized(slot.init, start, end);
      // a store into an open-coded iterator's slot leaves no iterator there: next()/destroy() are refused after it
      // (measured on 6.18: "expected an initialized iter_task as arg #0" at the destroy)
      if (!helper) state.iters.delete(this.slotKey(p));
      return;
    }
    const i = firstUninitialized(slot.init, start, end);
    if (i < 0) return;
    const fn = this.frames[region.frame]?.fn ?? this.frames[this.frames.length - 1].fn;
    const fpOff = fpOffset(fn, region.slot, start);
    if (helper) this.report(Diagnostics.UninitializedStackHelperRead, loc, [p.desc, helper.name, size, `invalid read from stack R${helper.regno} off ${fpOff}+${i - start} size ${size}`]);
    else this.report(Diagnostics.UninitializedStackRead, loc, [p.desc, `invalid read from stack off ${fpOff}+${i - start} size ${size}`]);
  }

  /**
   * mirrors check_stack_access_within_bounds() for a load or store at a variable offset: bounds past 2^29
   * (BPF_MAX_VAR_OFF) are refused with EACCES, a range whose end lies above the frame pointer with EINVAL. Our frame
   * layout is not clang's, so the end is taken as if the object were the deepest of the frame: reported only when
   * the access leaves the frame wherever clang puts the object.
   */
  protected stackVarOffOutOfBounds(p: PtrValue, insnOff: number, size: number, kind: 'read' | 'write', loc: Loc): boolean {
    const varOff = p.varOff!;
    const verb = kind === 'read' ? 'read from' : 'write to', does = kind === 'read' ? 'reads' : 'writes';
    const MAX_VAR_OFF = 1n << 29n;
    // a range widened to the extremes at a loop head is this analysis losing track, not the verifier's bounds
    if (varOff.max === U64_MAX || varOff.min === S64_MIN) return false;
    if (varOff.max >= MAX_VAR_OFF || varOff.min <= -MAX_VAR_OFF) {
      this.report(Diagnostics.StackUnboundedVariableOffset, loc, [does, p.desc, `invalid unbounded variable-offset ${verb} stack R?`]);
      return true;
    }
    const region = p.region as Extract<Region, { kind: 'stack' }>;
    const fn = this.frames[region.frame]?.fn ?? this.frames[this.frames.length - 1].fn;
    const fixed = Number(p.off) + insnOff;
    if (fixed + Number(varOff.max) + size <= fn.stackSize) return false;
    const range = `${varOff.min}..${varOff.max}`;
    this.report(Diagnostics.StackVariableOffsetOutsideFrame, loc, [does, size, p.desc, range,
      `invalid variable-offset ${verb} stack R? var_off=${formatTnum(varOff)} off=${fpOffset(fn, region.slot, fixed)} size=${size}`]);
    return true;
  }

  protected bufferAccess(p: PtrValue, insnOff: number, size: number, kind: 'read' | 'write', loc: Loc): void {
    for (const issue of this.tracker.check(p, insnOff, size, kind, loc, this.reporting)) this.report(issue.message, loc, issue.args, issue.related);
  }
}
