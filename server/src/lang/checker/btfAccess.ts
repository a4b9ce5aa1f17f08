/**
 * Reads through a pointer to a kernel struct (PTR_TO_BTF_ID: ctx->meta, meta->seq, ctx->map, a target's task or
 * file...). Mirrors check_ptr_to_btf_access() and btf_struct_walk(): the verifier knows which struct the register
 * points to, whatever C cast the program applies, and checks each load's constant offset (reg->off plus the
 * instruction's) against that struct: negative, variable and past-the-end offsets fail the load with -EACCES.
 * Helpers that copy kernel memory (bpf_probe_read_kernel(), BPF_CORE_READ()) are not loads and are not checked here.
 */
import type { DiagnosticMessage } from '../diagnostics';
import { Diagnostics } from '../diagnostics';
import { kernelBtf } from '../../kernel/btf';
import { PtrValue, formatTnum, offsetRange } from './domain';

export interface BtfAccessIssue { message: DiagnosticMessage; args: Array<string | number> }

/** The BTF struct name the verifier tracks for a kernel-struct region (btf_name_by_offset() of reg->btf_id). */
/** The name of the field of kernel struct `struct` that starts at byte `offset`, when there is one. */
export function btfFieldNameAt(struct: string, offset: number): string | undefined {
  return kernelBtf[struct]?.fields.find((f) => f.offset === offset)?.name;
}

export function btfStructOf(p: PtrValue): string | undefined {
  switch (p.region.kind) {
    case 'kmap': return 'bpf_map';
    case 'seq': return 'seq_file';
    case 'meta': return 'bpf_iter_meta';
    case 'btf': return p.region.struct || undefined;
    default: return undefined;
  }
}

/**
 * What check_ptr_to_btf_access() makes of a pointer loaded from field `field` of `struct` through a trusted register
 * (BTF_TYPE_SAFE_TRUSTED / _TRUSTED_OR_NULL / _RCU / _RCU_OR_NULL in verifier.c, Linux 6.18): 'trusted' keeps
 * PTR_TRUSTED, 'rcu' is MEM_RCU inside an RCU read-side section (every non-sleepable program is in one: in_rcu_cs()),
 * anything else is untrusted. Measured on 6.18: `task->group_leader` and `cgroup->kn` are "rcu_ptr_", `task->mm`
 * and `group_leader->mm` "untrusted_ptr_", and so is `task->group_leader` in an `iter.s/` program.
 */
const SAFE_TRUSTED: Record<string, readonly string[]> = {
  bpf_iter_meta: ['seq'], bpf_iter__task: ['task'], linux_binprm: ['file'], file: ['f_inode'],
  dentry: ['d_inode'], socket: ['sk'],
};
const SAFE_RCU: Record<string, readonly string[]> = {
  task_struct: ['cpus_ptr', 'cgroups', 'real_parent', 'group_leader'], cgroup: ['kn'], css_set: ['dfl_cgrp'],
  cgroup_subsys_state: ['cgroup'], mm_struct: ['exe_file'], sk_buff: ['sk'], request_sock: ['sk'],
};

export function walkedPointerTrust(struct: string, field: string | undefined, baseTrusted: boolean, sleepable: boolean): 'trusted' | 'rcu' | 'untrusted' {
  if (!baseTrusted || field === undefined) return 'untrusted';
  if (SAFE_TRUSTED[struct]?.includes(field)) return 'trusted';
  if (!sleepable && SAFE_RCU[struct]?.includes(field)) return 'rcu';
  return 'untrusted';
}

/**
 * btf_struct_walk() lets an access run past the struct's size only into a flexible array that ends it (its last
 * member is an array of 0 elements). Our table flattens anonymous members, so a zero-length array anywhere at the
 * end counts: that can only make us accept more, never refuse a load the kernel takes.
 */
function endsInFlexibleArray(struct: string): boolean {
  const fields = kernelBtf[struct]?.fields ?? [];
  const last = fields.reduce<typeof fields[number] | undefined>((a, f) => (a === undefined || f.offset >= a.offset ? f : a), undefined);
  return last !== undefined && /\[0\]$/.test(last.typeName);
}

/** What check_ptr_to_btf_access() says about a read of `size` bytes at insnOff through `p`, or undefined. */
export function checkBtfRead(p: PtrValue, insnOff: number, size: number): BtfAccessIssue | undefined {
  const struct = btfStructOf(p);
  const layout = struct === undefined ? undefined : kernelBtf[struct];
  if (struct === undefined || !layout) return undefined;
  const fixed = p.off + BigInt(insnOff);
  // the fixed part is checked first: off < 0 before the variable part (check_ptr_to_btf_access())
  if (fixed < 0n) return { message: Diagnostics.BtfNegativeAccess, args: [p.desc, struct, Number(fixed), `R? is ptr_${struct} invalid negative access: off=${fixed}`] };
  if (p.varOff && !p.varOff.pathConst) {
    return { message: Diagnostics.BtfVariableOffset, args: [p.desc, struct, `R? is ptr_${struct} invalid variable offset: off=${fixed}, var_off=${formatTnum(p.varOff)}`] };
  }
  // a variable part the verifier knows on each path (an unrolled loop's counter): check the extremes
  const r = offsetRange(p);
  const lo = r.min + BigInt(insnOff), hi = r.max + BigInt(insnOff);
  if (lo < 0n) return { message: Diagnostics.BtfNegativeAccess, args: [p.desc, struct, Number(lo), `R? is ptr_${struct} invalid negative access: off=${lo}`] };
  if (hi + BigInt(size) > BigInt(layout.size) && !endsInFlexibleArray(struct)) {
    return { message: Diagnostics.BtfAccessBeyondStruct, args: [p.desc, struct, layout.size, size, Number(hi), `access beyond struct ${struct} at off ${hi} size ${size}`] };
  }
  return undefined;
}
