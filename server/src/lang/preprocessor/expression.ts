/**
 * `#if` constant expressions (C11 6.10.1) evaluated as clang does: every value is intmax_t or uintmax_t
 * (64 bits, BigInt), the usual arithmetic conversions make a mixed operation unsigned, remaining
 * identifiers are 0, and division by zero is an error only where it is evaluated (`0 && 1/0` is fine).
 * Nesting is bounded (clang's bracket depth 256) so deep user input cannot overflow the stack.
 */

import { DiagnosticMessage, Diagnostics } from '../diagnostics';
import { Token, TokenKind } from '../token';

export interface PpValue {
  value: bigint;
  unsigned: boolean;
}

export type ExpressionReporter = (message: DiagnosticMessage, token: Token | undefined, ...args: string[]) => void;

const binaryPrecedence: Record<string, number> = {
  '*': 10, '/': 10, '%': 10,
  '+': 9, '-': 9,
  '<<': 8, '>>': 8,
  '<': 7, '>': 7, '<=': 7, '>=': 7,
  '==': 6, '!=': 6,
  '&': 5, '^': 4, '|': 3, '&&': 2, '||': 1,
};

class ExpressionError extends Error {}

function normalize(value: bigint, unsigned: boolean): PpValue {
  return { value: unsigned ? BigInt.asUintN(64, value) : BigInt.asIntN(64, value), unsigned };
}

/** Parses a pp-number as an integer constant; undefined when it is not one (floats, bad suffixes). */
export function parseIntegerLiteral(text: string): { value: bigint; unsigned: boolean; tooLarge: boolean } | undefined {
  const match = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)((?:[uU](?:ll|LL|[lL])?)|(?:(?:ll|LL|[lL])[uU]?))?$/.exec(text);
  if (!match) return undefined;
  const digits = match[1];
  let value: bigint;
  if (/^0[bB]/.test(digits)) value = BigInt(digits);
  else if (/^0[xX]/.test(digits)) value = BigInt(digits);
  else if (digits.length > 1 && digits.startsWith('0')) value = BigInt('0o' + digits.slice(1));
  else value = BigInt(digits);
  const suffix = match[2] ?? '';
  let unsigned = /[uU]/.test(suffix);
  const tooLarge = value > 0xffff_ffff_ffff_ffffn;
  // A decimal literal without u that does not fit intmax_t is still treated as unsigned by clang (warning);
  // a hex/octal one becomes uintmax_t silently.
  if (!unsigned && value > 0x7fff_ffff_ffff_ffffn) unsigned = true;
  return { value: BigInt.asUintN(64, value), unsigned, tooLarge };
}

/** Value of a character constant in `#if`: clang gives plain 'x' type int, sign-extended from char. */
export function parseCharacterConstant(text: string): bigint | undefined {
  const match = /^(L|u8|u|U)?'(.*)'$/s.exec(text);
  if (!match) return undefined;
  const prefix = match[1] ?? '';
  const body = match[2];
  const units: number[] = [];
  for (let i = 0; i < body.length;) {
    if (body[i] !== '\\') {
      const code = body.codePointAt(i)!;
      i += code > 0xffff ? 2 : 1;
      if (prefix === '' && code > 0x7f) {
        for (const byte of Buffer.from(String.fromCodePoint(code), 'utf8')) units.push(byte);
      } else units.push(code);
      continue;
    }
    const next = body[i + 1];
    i += 2;
    const simple: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, '\\': 92, "'": 39, '"': 34, '?': 63 };
    if (next !== undefined && next in simple) units.push(simple[next]);
    else if (next === 'x') {
      let hex = '';
      while (i < body.length && /[0-9a-fA-F]/.test(body[i])) hex += body[i++];
      units.push(hex.length > 0 ? Number(BigInt('0x' + hex) & 0xffffffffn) : 0);
    } else if (next !== undefined && /[0-7]/.test(next)) {
      let octal = next;
      while (octal.length < 3 && i < body.length && /[0-7]/.test(body[i])) octal += body[i++];
      units.push(parseInt(octal, 8));
    } else if (next === 'u' || next === 'U') {
      const width = next === 'u' ? 4 : 8;
      units.push(parseInt(body.slice(i, i + width), 16) || 0);
      i += width;
    } else if (next !== undefined) units.push(next.charCodeAt(0));
  }
  if (units.length === 0) return undefined;
  if (prefix === '') {
    if (units.length === 1) return BigInt.asIntN(8, BigInt(units[0] & 0xff));
    // Multi-character constant: int formed big-endian from the chars, as clang does.
    let value = 0n;
    for (const unit of units) value = BigInt.asIntN(32, (value << 8n) | BigInt(unit & 0xff));
    return value;
  }
  const last = BigInt(units[units.length - 1]);
  if (prefix === 'L') return BigInt.asIntN(32, last);
  if (prefix === 'u') return BigInt.asUintN(16, last);
  return BigInt.asUintN(32, last);
}

/**
 * Evaluates the expanded tokens of a `#if`/`#elif` line. Returns undefined when the expression is malformed
 * (after reporting); the caller treats that as false, like clang.
 */
export function evaluateExpression(tokens: readonly Token[], report: ExpressionReporter, maxDepth = 256): PpValue | undefined {
  let index = 0;
  let depth = 0;
  const peek = (): Token | undefined => tokens[index];
  const fail = (message: DiagnosticMessage, token: Token | undefined, ...args: string[]): never => {
    report(message, token ?? tokens[tokens.length - 1], ...args);
    throw new ExpressionError();
  };

  const enter = (token: Token | undefined): void => {
    if (++depth > maxDepth) fail(Diagnostics.BracketNestingTooDeep, token, String(maxDepth));
  };

  // Unary operators are applied with an explicit stack so `- - - - x` cannot recurse deeply.
  function parseUnary(evaluate: boolean): PpValue {
    const operators: Token[] = [];
    for (;;) {
      const token = peek();
      if (token && token.kind === TokenKind.Punctuator && (token.text === '-' || token.text === '+' || token.text === '~' || token.text === '!')) {
        operators.push(token);
        index++;
        continue;
      }
      break;
    }
    let operand = parsePrimary(evaluate);
    for (let i = operators.length - 1; i >= 0; i--) {
      const op = operators[i].text;
      if (op === '-') operand = normalize(-operand.value, operand.unsigned);
      else if (op === '~') operand = normalize(~operand.value, operand.unsigned);
      else if (op === '!') operand = { value: operand.value === 0n ? 1n : 0n, unsigned: false };
    }
    return operand;
  }

  function parsePrimary(evaluate: boolean): PpValue {
    const token = peek();
    if (!token) return fail(Diagnostics.ExpectedValueInExpression, undefined);
    index++;
    switch (token.kind) {
      case TokenKind.Number: {
        const literal = parseIntegerLiteral(token.text);
        if (!literal) return fail(Diagnostics.InvalidNumberInExpression, token, token.text);
        if (literal.tooLarge) return fail(Diagnostics.IntegerLiteralTooLarge, token);
        return { value: literal.value, unsigned: literal.unsigned };
      }
      case TokenKind.CharConstant: {
        const value = parseCharacterConstant(token.text);
        if (value === undefined) return fail(Diagnostics.EmptyCharacterConstant, token);
        return normalize(value, false);
      }
      case TokenKind.Identifier:
      case TokenKind.Keyword:
        // C11 6.10.1p4: identifiers left after macro expansion are replaced by 0.
        return { value: 0n, unsigned: false };
      case TokenKind.Punctuator:
        if (token.text === '(') {
          enter(token);
          const value = parseComma(evaluate);
          const close = peek();
          if (!close || close.text !== ')') fail(Diagnostics.InvalidExpressionToken, close, "expected ')' in preprocessor expression");
          index++;
          depth--;
          return value;
        }
        break;
      default:
        break;
    }
    return fail(Diagnostics.InvalidExpressionToken, token, `invalid token at start of a preprocessor expression`);
  }

  // Binary operators by precedence climbing over an explicit operand/operator stack.
  function parseBinary(evaluate: boolean, minimumPrecedence: number): PpValue {
    let left = parseUnary(evaluate);
    for (;;) {
      const token = peek();
      if (!token || token.kind !== TokenKind.Punctuator) return left;
      const precedence = binaryPrecedence[token.text];
      if (precedence === undefined || precedence < minimumPrecedence) return left;
      index++;
      if (token.text === '&&' || token.text === '||') {
        const isAnd = token.text === '&&';
        const decided = isAnd ? left.value === 0n : left.value !== 0n;
        enter(token);
        const right = parseBinary(evaluate && !decided, precedence + 1);
        depth--;
        left = { value: decided ? (isAnd ? 0n : 1n) : (right.value !== 0n ? 1n : 0n), unsigned: false };
        continue;
      }
      enter(token);
      const right = parseBinary(evaluate, precedence + 1);
      depth--;
      left = applyBinary(token, left, right, evaluate);
    }
  }

  function applyBinary(token: Token, left: PpValue, right: PpValue, evaluate: boolean): PpValue {
    const unsigned = left.unsigned || right.unsigned;
    const a = unsigned ? BigInt.asUintN(64, left.value) : left.value;
    const b = unsigned ? BigInt.asUintN(64, right.value) : right.value;
    switch (token.text) {
      case '*': return normalize(a * b, unsigned);
      case '/':
      case '%':
        if (b === 0n) {
          if (evaluate) fail(Diagnostics.DivisionByZeroInExpression, token, token.text === '/' ? 'division' : 'remainder');
          return { value: 0n, unsigned };
        }
        return normalize(token.text === '/' ? a / b : a % b, unsigned);
      case '+': return normalize(a + b, unsigned);
      case '-': return normalize(a - b, unsigned);
      case '<<': {
        // The result type is the left operand's; clang masks nothing, shifts past the width give 0.
        const shift = right.unsigned ? BigInt.asUintN(64, right.value) : right.value;
        if (shift < 0n || shift >= 64n) return { value: 0n, unsigned: left.unsigned };
        return normalize(left.value << shift, left.unsigned);
      }
      case '>>': {
        const shift = right.unsigned ? BigInt.asUintN(64, right.value) : right.value;
        if (shift < 0n || shift >= 64n) return { value: left.value < 0n ? -1n : 0n, unsigned: left.unsigned };
        return normalize(left.value >> shift, left.unsigned);
      }
      case '<': return { value: a < b ? 1n : 0n, unsigned: false };
      case '>': return { value: a > b ? 1n : 0n, unsigned: false };
      case '<=': return { value: a <= b ? 1n : 0n, unsigned: false };
      case '>=': return { value: a >= b ? 1n : 0n, unsigned: false };
      case '==': return { value: a === b ? 1n : 0n, unsigned: false };
      case '!=': return { value: a !== b ? 1n : 0n, unsigned: false };
      case '&': return normalize(a & b, unsigned);
      case '^': return normalize(a ^ b, unsigned);
      case '|': return normalize(a | b, unsigned);
      default: return left;
    }
  }

  function parseConditional(evaluate: boolean): PpValue {
    const condition = parseBinary(evaluate, 1);
    const question = peek();
    if (!question || question.text !== '?') return condition;
    index++;
    enter(question);
    const taken = condition.value !== 0n;
    const whenTrue = parseComma(evaluate && taken);
    const colon = peek();
    if (!colon || colon.text !== ':') fail(Diagnostics.InvalidExpressionToken, colon, "expected ':' in preprocessor expression");
    index++;
    const whenFalse = parseConditional(evaluate && !taken);
    depth--;
    const unsigned = whenTrue.unsigned || whenFalse.unsigned;
    return normalize(taken ? whenTrue.value : whenFalse.value, unsigned);
  }

  function parseComma(evaluate: boolean): PpValue {
    let value = parseConditional(evaluate);
    while (peek()?.text === ',') {
      index++;
      value = parseConditional(evaluate);
    }
    return value;
  }

  try {
    if (tokens.length === 0) {
      report(Diagnostics.ExpectedValueInExpression, undefined);
      return undefined;
    }
    const value = parseComma(true);
    if (index < tokens.length) {
      const extra = tokens[index];
      fail(Diagnostics.InvalidExpressionToken, extra, extra.text === ')'
        ? "unexpected ')' in preprocessor expression"
        : 'token is not a valid binary operator in a preprocessor subexpression');
    }
    return value;
  } catch (error) {
    if (error instanceof ExpressionError) return undefined;
    throw error;
  }
}
