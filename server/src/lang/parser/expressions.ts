/** Expressions: precedence climbing over binary operators, casts, unary and postfix operators, primary expressions, `_Generic` and `__builtin_offsetof`. */

import * as ast from '../ast';
import { Diagnostics } from '../diagnostics';
import { Token, TokenKind } from '../token';
import { MAX_NESTING_DEPTH } from './grammar';
import { parseNumber, charValue, decodeStringBody } from './literals';
import { ParserState } from './state';

const BINARY_PRECEDENCE = new Map<string, number>(Object.entries({
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
}));

const ASSIGNMENT_OPERATORS = new Set(['=', '*=', '/=', '%=', '+=', '-=', '<<=', '>>=', '&=', '^=', '|=']);

export abstract class ExpressionParser extends ParserState {
  // ---------------------------------------------------------------- expressions
  protected parseExpression(): ast.Expression {
    const start = this.startNode();
    const first = this.parseAssignment();
    if (!this.is(',')) return first;
    const expressions = [first];
    while (this.eat(',')) expressions.push(this.parseAssignment());
    return this.finish({ kind: 'Comma' as const, ...start, end: 0, expressions });
  }

  protected parseAssignment(): ast.Expression {
    const start = this.startNode();
    const left = this.parseConditional();
    const operator = this.spell(this.token);
    if (this.token.kind === TokenKind.Punctuator && ASSIGNMENT_OPERATORS.has(operator)) {
      const operatorSpan = this.span(this.next());
      // Right-associative chains `a = b = c = ...` recurse; the bracket-depth cap bounds them too.
      if (!this.enter()) { this.skipExpressionRest(); return left; }
      const right = this.parseAssignment();
      this.leave();
      return this.finish({ kind: 'Assignment' as const, ...start, end: 0, operator, left, right, operatorSpan });
    }
    return left;
  }

  protected parseConditional(): ast.Expression {
    const start = this.startNode();
    const condition = this.parseBinary(1);
    if (!this.is('?')) return condition;
    const questionSpan = this.span(this.next());
    // GNU `a ?: b`.
    if (!this.enter()) { this.skipExpressionRest(); return condition; }
    const whenTrue = this.is(':') ? undefined : this.parseExpression();
    this.leave();
    this.expect(':');
    if (!this.enter()) { this.skipExpressionRest(); return condition; }
    const whenFalse = this.parseConditional();
    this.leave();
    return this.finish({ kind: 'Conditional' as const, ...start, end: 0, condition, whenTrue, whenFalse, questionSpan });
  }

  /** Precedence climbing: one JS frame per precedence level actually used, not per grammar rule. */
  protected parseBinary(minPrecedence: number): ast.Expression {
    const start = this.startNode();
    let left = this.parseCast();
    for (;;) {
      const t = this.token;
      if (t.kind !== TokenKind.Punctuator) break;
      const operator = this.spell(t);
      const precedence = BINARY_PRECEDENCE.get(operator);
      if (precedence === undefined || precedence < minPrecedence) break;
      const operatorSpan = this.span(this.next());
      const right = this.parseBinary(precedence + 1);
      left = this.finish({ kind: 'Binary' as const, ...start, end: 0, operator, left, right, operatorSpan });
    }
    return left;
  }

  protected parseCast(): ast.Expression {
    if (this.is('(') && this.startsTypeName(this.peek())) {
      const start = this.startNode();
      if (!this.enter()) { this.skipBalanced(); return this.missing(start); }
      this.next();
      const typeName = this.parseTypeName();
      this.expect(')');
      this.leave();
      if (this.is('{')) {
        const initializer = this.parseInitializerList();
        const literal = this.finish({ kind: 'CompoundLiteral' as const, ...start, end: 0, typeName, initializer });
        return this.parsePostfixOperators(literal, start);
      }
      const operand = this.parseCastOperand();
      return this.finish({ kind: 'Cast' as const, ...start, end: 0, typeName, operand });
    }
    return this.parseUnary();
  }

  /** The operand of a cast: iterative over chains of casts `(a)(b)(c)x` would still recurse; depth caps it. */
  protected parseCastOperand(): ast.Expression {
    if (!this.enter()) { const start = this.startNode(); this.next(); return this.missing(start); }
    const operand = this.parseCast();
    this.leave();
    return operand;
  }

  /** After the depth cap: skips to the end of the expression (`;`, `,` at this level, or a closer). */
  protected skipExpressionRest(): void {
    while (!this.atEnd() && !this.is(';') && !this.is(',') && !this.is(')') && !this.is(']') && !this.is('}')) {
      if (this.is('(') || this.is('[') || this.is('{')) this.skipBalanced(); else this.next();
    }
  }

  protected missing(start: { file: number; pos: number }): ast.MissingExpression {
    return { kind: 'MissingExpression', ...start, end: Math.max(start.pos, this.previousEnd()) };
  }

  protected parseUnary(): ast.Expression {
    const start = this.startNode();
    const t = this.token;
    const text = this.spell(t);
    if (t.kind === TokenKind.Punctuator && (text === '++' || text === '--' || text === '&' || text === '*' || text === '+' || text === '-' || text === '~' || text === '!' || text === '&&')) {
      this.next();
      if (text === '&&') {
        // GNU label address `&&label`.
        const label = this.parseIdentifierOrMissing();
        return this.finish({ kind: 'Unary' as const, ...start, end: 0, operator: '&&', operand: label });
      }
      const operand = this.parseCastOperand();
      return this.finish({ kind: 'Unary' as const, ...start, end: 0, operator: text, operand });
    }
    if (t.kind === TokenKind.Identifier || t.kind === TokenKind.Keyword) {
      if (text === 'sizeof' || text === '_Alignof') {
        this.next();
        let operand: ast.Expression | ast.TypeName;
        const operandStart = this.span(this.token);
        if (this.is('(') && this.startsTypeName(this.peek())) {
          this.next();
          operand = this.parseTypeName();
          this.expect(')');
          if (this.is('{')) {
            // `sizeof (struct x){...}`: a compound literal operand.
            const initializer = this.parseInitializerList();
            operand = this.finish({ kind: 'CompoundLiteral' as const, file: operand.file, pos: operand.pos, end: 0, typeName: operand, initializer });
          }
        } else {
          operand = this.parseCastOperand();
        }
        return this.finish({ kind: 'Sizeof' as const, ...start, end: 0, operator: text, operand, operandStart });
      }
      if (text === '__extension__' || text === '__real__' || text === '__imag__') {
        this.next();
        return this.parseCastOperand();
      }
    }
    return this.parsePostfix();
  }

  protected parsePostfix(): ast.Expression {
    const start = this.startNode();
    const primary = this.parsePrimary();
    return this.parsePostfixOperators(primary, start);
  }

  protected parsePostfixOperators(expression: ast.Expression, start: { file: number; pos: number }): ast.Expression {
    let result = expression;
    // Each postfix operator nests the tree one level deeper; cap the chain like brackets.
    for (let chain = 0; ; chain++) {
      const t = this.token;
      if (t.kind !== TokenKind.Punctuator) break;
      if (chain >= MAX_NESTING_DEPTH) {
        this.reportNestingTooDeep();
        this.skipExpressionRest();
        break;
      }
      const text = this.spell(t);
      if (text === '[') {
        // `a[b[c[...` recurses through parseExpression: it counts as a bracket level like `(`.
        if (!this.enter()) { this.skipBalanced(); break; }
        const openBracket = this.span(this.next());
        const index = this.parseExpression();
        this.expect(']');
        this.leave();
        result = this.finish({ kind: 'Index' as const, ...start, end: 0, object: result, index, openBracket });
      } else if (text === '(') {
        if (!this.enter()) { this.skipBalanced(); break; }
        const openParen = this.span(this.next());
        const args: ast.Expression[] = [];
        while (!this.is(')') && !this.atEnd()) {
          const before = this.index;
          args.push(this.parseAssignment());
          if (!this.eat(',')) break;
          if (this.index === before) break;
        }
        const closeParen = this.is(')') ? this.span(this.token) : { file: this.previousFile(), pos: this.previousEnd(), end: this.previousEnd() };
        this.expect(')');
        this.leave();
        result = this.finish({ kind: 'Call' as const, ...start, end: 0, callee: result, args, openParen, closeParen });
      } else if (text === '.' || text === '->') {
        const operatorSpan = this.span(this.next());
        const member = this.parseIdentifierOrMissing();
        result = this.finish({ kind: 'Member' as const, ...start, end: 0, object: result, arrow: text === '->', member, operatorSpan });
      } else if (text === '++' || text === '--') {
        const operatorSpan = this.span(this.next());
        result = this.finish({ kind: 'Postfix' as const, ...start, end: 0, operator: text, operand: result, operatorSpan });
      } else break;
    }
    return result;
  }

  protected parsePrimary(): ast.Expression {
    const start = this.startNode();
    const t = this.token;
    switch (t.kind) {
      case TokenKind.Number: this.next(); return this.numberLiteral(t);
      case TokenKind.CharConstant: this.next(); return { kind: 'CharLiteral', file: t.file, pos: t.pos, end: t.end, text: t.text, value: charValue(t.text) };
      case TokenKind.StringLiteral: {
        const parts: string[] = [];
        let value = '';
        let wide = false;
        while (this.token.kind === TokenKind.StringLiteral) {
          const part = this.next();
          parts.push(part.text);
          if (/^(L|u8|u|U)/.test(part.text) && !part.text.startsWith('u8')) wide = true;
          value += decodeStringBody(part.text);
        }
        return this.finish({ kind: 'StringLiteral' as const, ...start, end: 0, parts, value, wide });
      }
      case TokenKind.Unknown:
        this.error(Diagnostics.InvalidCharacter, t, [t.text]);
        this.next();
        return this.missing(start);
      default: break;
    }
    const text = this.spell(t);
    if (t.kind === TokenKind.Punctuator && text === '(') {
      if (!this.enter()) { this.skipBalanced(); return this.missing(start); }
      this.next();
      let inner: ast.Expression;
      if (this.is('{')) {
        // GNU statement expression `({ ... })`.
        const body = this.parseCompoundStatement();
        inner = this.finish({ kind: 'StatementExpression' as const, ...start, end: 0, body });
        this.expect(')');
        this.leave();
        inner.end = this.previousEnd();
        return inner;
      }
      inner = this.parseExpression();
      this.expect(')');
      this.leave();
      return inner;
    }
    if (t.kind === TokenKind.Identifier || t.kind === TokenKind.Keyword) {
      if (text === '_Generic') return this.parseGeneric();
      if (text === '__func__' || text === '__FUNCTION__') {
        // C11 6.4.2.2: `static const char __func__[] = "name";` declared at the start of each body; clang emits it
        // as a private constant string, so it is read as the string literal of the function's name. Outside every
        // function clang warns and makes it the empty string.
        if (this.functionName === undefined) this.error(Diagnostics.PredefinedIdentifierOutsideFunction, t);
        this.next();
        return this.finish({ kind: 'StringLiteral' as const, ...start, end: 0, parts: [], value: this.functionName ?? '', wide: false });
      }
      if (text === '__builtin_offsetof') return this.parseOffsetof();
      if (text === '__builtin_va_arg') {
        this.next();
        this.expect('(');
        const operand = this.parseAssignment();
        this.expect(',');
        const typeName = this.parseTypeName();
        this.expect(')');
        return this.finish({ kind: 'VaArg' as const, ...start, end: 0, operand, typeName });
      }
      if (text === '__builtin_types_compatible_p') {
        this.next();
        this.expect('(');
        const left = this.parseTypeName();
        this.expect(',');
        const right = this.parseTypeName();
        this.expect(')');
        return this.finish({ kind: 'TypesCompatible' as const, ...start, end: 0, left, right });
      }
      if (this.isIdentifier(t)) {
        this.next();
        return { kind: 'Identifier', file: t.file, pos: t.pos, end: t.end, name: t.text };
      }
    }
    this.error(Diagnostics.ExpectedExpression);
    return this.missing(start);
  }

  protected parseGeneric(): ast.Expression {
    const start = this.startNode();
    this.next();
    this.expect('(');
    const control = this.parseAssignment();
    const associations: ast.GenericExpression['associations'] = [];
    while (this.eat(',')) {
      let typeName: ast.TypeName | undefined;
      if (this.is('default')) this.next(); else typeName = this.parseTypeName();
      this.expect(':');
      associations.push({ typeName, value: this.parseAssignment() });
    }
    this.expect(')');
    return this.finish({ kind: 'Generic' as const, ...start, end: 0, control, associations });
  }

  protected parseOffsetof(): ast.Expression {
    const start = this.startNode();
    this.next();
    this.expect('(');
    const typeName = this.parseTypeName();
    this.expect(',');
    const designators: ast.Designator[] = [];
    const first = this.parseIdentifierOrMissing();
    designators.push({ kind: 'FieldDesignator', file: first.file, pos: first.pos, end: first.end, name: first });
    for (;;) {
      const t = this.token;
      if (this.eat('.')) {
        const name = this.parseIdentifierOrMissing();
        designators.push({ kind: 'FieldDesignator', file: t.file, pos: t.pos, end: name.end, name });
      } else if (this.eat('[')) {
        const index = this.parseExpression();
        this.expect(']');
        designators.push({ kind: 'IndexDesignator', file: t.file, pos: t.pos, end: this.previousEnd(), index });
      } else break;
    }
    this.expect(')');
    return this.finish({ kind: 'Offsetof' as const, ...start, end: 0, typeName, designators });
  }

  protected numberLiteral(t: Token): ast.Expression {
    const parsed = parseNumber(t.text);
    if (!parsed) {
      this.error(Diagnostics.InvalidNumber, t, [t.text]);
      return { kind: 'IntegerLiteral', file: t.file, pos: t.pos, end: t.end, text: t.text, value: 0n, unsigned: false, longs: 0 };
    }
    if (parsed.kind === 'float') return { kind: 'FloatLiteral', file: t.file, pos: t.pos, end: t.end, text: t.text, value: parsed.value };
    if (parsed.value >= 1n << 64n) this.error(Diagnostics.IntegerTooLarge, t);
    return { kind: 'IntegerLiteral', file: t.file, pos: t.pos, end: t.end, text: t.text, value: BigInt.asUintN(64, parsed.value), unsigned: parsed.unsigned, longs: parsed.longs };
  }
}
