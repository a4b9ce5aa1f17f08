/**
 * Calls of global functions (mirrors btf_check_subprog_call() -> btf_check_func_arg_match()): the verifier checks a
 * global `__noinline` function once, on its own, from its BTF prototype, and at each call only that the arguments
 * fit the prototype. Measured on Linux 6.18 (each refusal is "Caller passes invalid args into func#N", EINVAL).
 */
import type { GlobalSignature, IntType } from '../ir';
import { AbsValue, Range, offsetRange, regTypeName, scalar } from './domain';
import type { State } from './abstractState';

export interface GlobalArgProblem { why: string; kernel: (i: number) => string }

/** An unknown value of a C integer type (a 32-bit int argument is a sub-register clang extends). */
export function typedUnknown(t: IntType): AbsValue {
  if (t.bits === 64) return scalar(-(1n << 63n), (1n << 64n) - 1n, false);
  const r: Range = t.signed ? { min: -(1n << BigInt(t.bits - 1)), max: (1n << BigInt(t.bits - 1)) - 1n, pathConst: false } : { min: 0n, max: (1n << BigInt(t.bits)) - 1n, pathConst: false };
  return scalar(r.min, r.max, false);
}

/** What the verifier refuses in passing `v` for a parameter typed `arg`, or undefined. */
export function globalArgProblem(arg: GlobalSignature['args'][number], v: AbsValue, state: State): GlobalArgProblem | undefined {
  if (v.kind === 'top') return undefined;
  if (arg.kind === 'scalar') {
    // ARG_ANYTHING: "R%d is not a scalar" for any pointer (NULL is the scalar 0)
    if (v.kind === 'ptr') return { why: `is an integer, but ${v.desc} is a pointer`, kernel: (i) => `R${i + 1} is not a scalar` };
    return undefined;
  }
  if (arg.kind === 'unsized') {
    return { why: `points to ${arg.type}, whose size the verifier cannot know`, kernel: (i) => `arg#${i} reference type('${arg.type === 'void' ? 'UNKNOWN ' : arg.type}') size cannot be determined: -22` };
  }
  // ARG_PTR_TO_MEM | PTR_MAYBE_NULL of arg.size bytes: NULL, or memory the verifier lets it read and write
  if (v.kind === 'null' || v.kind === 'scalar') {
    if (v.kind === 'null' || (v.range.min === 0n && v.range.max === 0n)) return undefined;
    return { why: 'must point to memory, but this is an integer', kernel: (i) => `R${i + 1} invalid mem access 'scalar'` };
  }
  const size = arg.size;
  const r = offsetRange(v);
  const within = (limit: number): boolean => r.min >= 0n && r.max + BigInt(size) <= BigInt(limit);
  const region = v.region;
  switch (region.kind) {
    case 'stack': {
      if (!state.stack.has(`${region.frame}:${region.slot}`)) return undefined;
      if (within(region.size)) return undefined;
      return { why: `must point to ${size} bytes, but ${v.desc} has ${region.size}`, kernel: (i) => `invalid read from stack R${i + 1} off=${r.min} size=${size}` };
    }
    case 'mapValue':
      if (within(region.valueSize)) return undefined;
      return { why: `must point to ${size} bytes, but ${v.desc} has ${region.valueSize}`, kernel: () => `invalid access to map value, value_size=${region.valueSize} off=${r.min} size=${size}` };
    case 'global':
      if (region.readonly) return { why: `may be written by the function, but ${v.desc} is read-only data`, kernel: () => `write into map forbidden, value_size=${region.size} off=${r.min} size=${size}` };
      if (region.size < 0 || within(region.size)) return undefined;
      return { why: `must point to ${size} bytes, but ${v.desc} has ${region.size}`, kernel: () => `invalid access to map value, value_size=${region.size} off=${r.min} size=${size}` };
    case 'mem':
      if (within(region.size)) return undefined;
      return { why: `must point to ${size} bytes, but ${v.desc} has ${region.size}`, kernel: () => `invalid access to memory, mem_size=${region.size} off=${r.min} size=${size}` };
    case 'string':
      return { why: `may be written by the function, but ${v.desc} is read-only data`, kernel: () => 'write into map forbidden' };
    case 'key':
      return { why: `may be written by the function, but ${v.desc} is read-only`, kernel: (i) => `R${i + 1} cannot write into rdonly_buf` };
    case 'ctx':
      return { why: 'is memory to the verifier, which the program\'s context is not (tag the parameter __arg_ctx)', kernel: () => 'invalid bpf_context access' };
    case 'meta': case 'seq': case 'kmap': case 'btf':
      // the first line varies with the struct: "only read is supported", "access beyond the end of member ...",
      // "cannot access ptr member ..." (btf_struct_access() of the whole size, then the write)
      return { why: `is memory to the verifier, which ${v.desc} (a kernel object, ${regTypeName(v)}) is not (tag the parameter __arg_trusted)`, kernel: () => '' };
    case 'mapDef': case 'func':
      return { why: `must point to memory, but ${v.desc} is a ${regTypeName(v)}`, kernel: (i) => `R${i + 1} type=${regTypeName(v)} expected=fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf` };
    default:
      return undefined;
  }
}
