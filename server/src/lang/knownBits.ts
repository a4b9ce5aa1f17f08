/**
 * What clang's optimizer knows of an integer's top bits without running it (LLVM's computeKnownBits, the part that
 * needs no control flow): a zero extension, a mask, a logical shift right, an unsigned remainder or quotient by a
 * constant clear the top bits whatever the operands. The lowering asks it whether clang 14 can turn a signed division
 * into an unsigned one (lower/expressions.ts); what dominating conditions prove (LLVM's CorrelatedValuePropagation)
 * is the checker's part, from the path's ranges.
 */

import { wrapTo, type Expr, type IntType } from './ir';

/** How many of the top bits of `e` (in its own type's width) are known to be 0. */
export function knownLeadingZeros(e: Expr): number {
  if (e.type.kind !== 'int') return 0;
  const bits = e.type.bits;
  switch (e.op) {
    case 'const': {
      const value = wrapTo(e.value, e.type);
      return value < 0n ? 0 : bits - value.toString(2).length + (value === 0n ? 1 : 0);
    }
    case 'convert': {
      if (e.operand.type.kind !== 'int') return 0;
      const from = e.operand.type;
      const inner = knownLeadingZeros(e.operand);
      if (bits > from.bits) return !from.signed || inner > 0 ? bits - from.bits + inner : 0;
      return Math.max(0, inner - (from.bits - bits));
    }
    case 'binary': {
      const left = knownLeadingZeros(e.left);
      const right = knownLeadingZeros(e.right);
      const divisor = e.right.op === 'const' ? wrapTo(e.right.value, e.right.type as IntType) : undefined;
      switch (e.kind) {
        case 'and': return Math.max(left, right);
        case 'or': case 'xor': return Math.min(left, right);
        case 'add': return Math.max(0, Math.min(left, right) - 1);
        case 'mul': return Math.max(0, left + right - bits);
        case 'shr':
          if (e.type.signed) return left;
          return divisor !== undefined && divisor >= 0n ? Math.min(bits, left + Number(divisor < BigInt(bits) ? divisor : BigInt(bits))) : left;
        case 'div':
          if (e.type.signed) return left > 0 && right > 0 ? left : 0;
          return divisor !== undefined && divisor > 1n ? Math.min(bits, left + divisor.toString(2).length - 1) : left;
        case 'rem':
          // an unsigned remainder is below its divisor; a signed one has its dividend's sign
          if (e.type.signed) return left > 0 ? 1 : 0;
          return Math.max(left, right);
        case 'eq': case 'ne': case 'lt': case 'le': case 'gt': case 'ge': return bits - 1;
        default: return 0;
      }
    }
    case 'unary': return e.kind === 'lnot' ? bits - 1 : 0;
    case 'logical': case 'ptrCompare': return bits - 1;
    case 'assign': return knownLeadingZeros(e.value);
    case 'sequence': return knownLeadingZeros(e.second);
    case 'conditional': return Math.min(knownLeadingZeros(e.then), knownLeadingZeros(e.else));
    default: return 0;
  }
}

/** Whether clang knows `e` is not negative (its sign bit is 0). */
export function knownNonNegative(e: Expr): boolean {
  return knownLeadingZeros(e) > 0;
}

/**
 * Whether clang 14 compiles the signed division or remainder `left / right` for a BPF CPU before v4 (which has no
 * signed division: the backend stops with "Unsupport signed division for DAG", measured): only when the optimizer
 * removes it (constants, a divisor of 1 or -1) or makes it unsigned (InstCombine: both operands known
 * non-negative). Conditions that make an operand non-negative on a path are not seen here (the checker's part).
 */
export function clangCompilesSignedDivision(left: Expr, right: Expr): boolean {
  if (left.op === 'const' && right.op === 'const') return true;
  if (right.op === 'const' && right.type.kind === 'int') {
    const divisor = wrapTo(right.value, right.type);
    if (divisor === 1n || divisor === -1n) return true;
  }
  return knownNonNegative(left) && knownNonNegative(right);
}
