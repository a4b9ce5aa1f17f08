/**
 * The return-value rule for iterator programs. Mirrors check_return_code() + verbose_invalid_scalar() (v6.8+
 * wording): BPF_TRACE_ITER programs must return a scalar in [0, 1]; only the signed bounds the verifier knows
 * are printed.
 */
import type { Range } from './domain';

const S64_MIN = -(1n << 63n);
const S64_MAX = (1n << 63n) - 1n;

export const ITER_RETVAL_RANGE = { min: 0n, max: 1n };

export interface ReturnProblem {
  /** Plain words for the message ("2", "a value in smin=0 smax=4294967295"). */
  shown: string;
  /** The verifier's line. */
  kernelText: string;
}

/** The signed 64-bit view of a range as bpf_reg_state's smin_value/smax_value. */
export function signedBounds(r: Range): { smin: bigint; smax: bigint } {
  if (r.max > S64_MAX && r.min <= S64_MAX) return { smin: S64_MIN, smax: S64_MAX };
  if (r.min > S64_MAX) return { smin: BigInt.asIntN(64, r.min), smax: BigInt.asIntN(64, r.max) };
  return { smin: r.min, smax: r.max };
}

/**
 * clang returns an `int` in the full 64-bit R0 without sign-extending it, so a value known only by its int type
 * ([-2^31, 2^31-1], not constant on any path) is an unknown scalar to the verifier (measured on Linux 6.18:
 * `return bpf_get_prandom_u32();` gives "R0 has unknown scalar value").
 */
function isIntTypeOnly(r: Range): boolean {
  return !r.pathConst && r.min === -(1n << 31n) && r.max === (1n << 31n) - 1n;
}

/** `where` is the verifier's context words: "At program exit" (check_return_code) or "At callback return". */
export function returnValueProblem(r: Range, where = 'At program exit'): ReturnProblem | undefined {
  const { smin, smax } = isIntTypeOnly(r) ? { smin: S64_MIN, smax: S64_MAX } : signedBounds(r);
  if (smin >= ITER_RETVAL_RANGE.min && smax <= ITER_RETVAL_RANGE.max) return undefined;
  const parts: string[] = [];
  if (smin > S64_MIN) parts.push(`smin=${smin}`);
  if (smax < S64_MAX) parts.push(`smax=${smax}`);
  const described = parts.length ? ` ${parts.join(' ')}` : ' unknown scalar value';
  return {
    shown: smin === smax ? String(smin) : parts.length ? `a value in ${parts.join(' ')}` : 'an unknown value',
    kernelText: `${where} the register R0 has${described} should have been in [${ITER_RETVAL_RANGE.min}, ${ITER_RETVAL_RANGE.max}]`,
  };
}
