/** Statements and blocks, with recovery to the next statement or function. */

import * as ast from '../ast';
import { Diagnostics } from '../diagnostics';
import { TokenKind } from '../token';
import { MAX_NESTING_DEPTH } from './grammar';
import { DeclarationParser } from './declarations';

export abstract class StatementParser extends DeclarationParser {
  // ---------------------------------------------------------------- statements
  protected parseCompoundStatement(ownScope = true): ast.CompoundStatement {
    const start = this.startNode();
    const open = this.token;
    const items: ast.CompoundStatement['items'] = [];
    if (!this.is('{')) { this.expect('{'); return this.finish({ kind: 'Compound' as const, ...start, end: 0, items }); }
    if (!this.enter()) { this.skipBalanced(); return this.finish({ kind: 'Compound' as const, ...start, end: 0, items }); }
    this.next();
    if (ownScope) this.pushScope();
    this.localLabelScopes.push(null);
    let closed = false;
    while (!this.atEnd()) {
      if (this.is('}')) { this.next(); closed = true; break; }
      if (this.looksLikeNextFunction()) break;
      const before = this.index;
      const item = this.parseBlockItem();
      if (item) items.push(item);
      if (this.index === before) { this.error(Diagnostics.ExpectedStatement); this.next(); }
    }
    if (!closed) this.missingClosingBrace(open);
    this.localLabelScopes.pop();
    if (ownScope) this.popScope();
    this.leave();
    return this.finish({ kind: 'Compound' as const, ...start, end: 0, items });
  }

  /**
   * A function definition starting in column 0 inside a function body means the body's `}` is missing (C has no
   * nested functions). Ending the body there gives one diagnostic instead of a cascade. A column-0 declaration that
   * is not a function definition is parsed as what it is: clang accepts `{\nint r = 1;` in a body.
   */
  protected looksLikeNextFunction(): boolean {
    const t = this.token;
    return this.functionBodyDepth > 0 && t.atLineStart && !t.leadingSpace && !t.origin && this.startsDeclaration(t)
      && this.spell(t) !== '__extension__' && this.startsFunctionDefinition();
  }

  /** From here, a `{` comes before any `;`, `}`, `=` or `,` outside parentheses, right after a `)`: `int f(void) {`. */
  private startsFunctionDefinition(): boolean {
    let parens = 0;
    for (let i = this.index; i < this.tokens.length; i++) {
      const kind = this.tokens[i].kind;
      if (kind === TokenKind.EndOfFile) return false;
      if (kind === TokenKind.StringLiteral || kind === TokenKind.CharConstant) continue;
      const text = this.spellings[i];
      if (text === '(' || text === '[') parens++;
      else if (text === ')' || text === ']') parens--;
      else if (parens === 0 && (text === ';' || text === '}' || text === '=' || text === ',')) return false;
      else if (parens === 0 && text === '{') return i > this.index && this.spellings[i - 1] === ')';
    }
    return false;
  }

  /** `__label__ a, b;` (GNU): labels of the enclosing block only; each gets a name no other label of the function has. */
  private parseLocalLabels(): void {
    this.next();
    let scope = this.localLabelScopes[this.localLabelScopes.length - 1];
    if (scope === undefined) { while (!this.atEnd() && !this.eat(';')) this.next(); return; }
    if (scope === null) { scope = new Map(); this.localLabelScopes[this.localLabelScopes.length - 1] = scope; }
    while (!this.atEnd() && !this.eat(';')) {
      if (this.isIdentifier()) scope.set(this.token.text, `${this.token.text}.${++this.localLabelCount}`);
      this.next();
    }
  }

  /** A label's name as the function's labels know it: a local label's is its block's renaming. */
  private labelIdentifier(): ast.Identifier {
    const label = this.parseIdentifierOrMissing();
    for (let i = this.localLabelScopes.length - 1; i >= 0; i--) {
      const renamed = this.localLabelScopes[i]?.get(label.name);
      if (renamed !== undefined) return { ...label, name: renamed };
    }
    return label;
  }

  protected parseBlockItem(): ast.Statement | ast.Declaration | ast.StaticAssert | undefined {
    if (this.is('_Static_assert')) return this.parseStaticAssert();
    if (this.is('__label__')) { this.parseLocalLabels(); return undefined; }
    if (this.startsDeclaration() && !(this.isTypedefName() && this.is(':', this.peek()))) {
      const declaration = this.parseDeclarationOrFunction(false);
      return declaration.kind === 'FunctionDefinition' ? declaration.body : declaration;
    }
    return this.parseStatement();
  }

  protected parseStatement(): ast.Statement {
    const start = this.startNode();
    const t = this.token;
    const keyword = t.kind === TokenKind.Identifier || t.kind === TokenKind.Keyword ? this.spell(t) : '';
    if (this.is('{')) return this.parseCompoundStatement();
    if (this.depth >= MAX_NESTING_DEPTH) {
      this.enter();
      while (!this.atEnd() && !this.is(';') && !this.is('}')) { if (this.is('{') || this.is('(')) this.skipBalanced(); else this.next(); }
      this.eat(';');
      return this.finish({ kind: 'ExpressionStatement' as const, ...start, end: 0 });
    }
    this.depth++;
    try {
      switch (keyword) {
        case 'if': {
          this.next();
          const condition = this.parseParenthesizedCondition();
          const then = this.parseStatement();
          const otherwise = this.eat('else') ? this.parseStatement() : undefined;
          return this.finish({ kind: 'If' as const, ...start, end: 0, condition, then, else: otherwise });
        }
        case 'while': {
          this.next();
          const condition = this.parseParenthesizedCondition();
          const body = this.parseStatement();
          return this.finish({ kind: 'While' as const, ...start, end: 0, condition, body });
        }
        case 'do': {
          this.next();
          const body = this.parseStatement();
          this.expect('while');
          const condition = this.parseParenthesizedCondition();
          this.expectSemicolon(Diagnostics.ExpectedSemicolonAfter, 'do/while statement');
          return this.finish({ kind: 'Do' as const, ...start, end: 0, body, condition });
        }
        case 'for': {
          this.next();
          this.expect('(');
          this.pushScope();
          let init: ast.Declaration | ast.Expression | undefined;
          if (this.startsDeclaration()) {
            const declaration = this.parseDeclarationOrFunction(false);
            if (declaration.kind === 'Declaration') init = declaration;
          } else {
            if (!this.is(';')) init = this.parseExpression();
            this.expect(';');
          }
          const condition = this.is(';') ? undefined : this.parseExpression();
          this.expect(';');
          const update = this.is(')') ? undefined : this.parseExpression();
          this.expect(')');
          const body = this.parseStatement();
          this.popScope();
          return this.finish({ kind: 'For' as const, ...start, end: 0, init, condition, update, body });
        }
        case 'switch': {
          this.next();
          const discriminant = this.parseParenthesizedCondition();
          const body = this.parseStatement();
          return this.finish({ kind: 'Switch' as const, ...start, end: 0, discriminant, body });
        }
        case 'case': {
          this.next();
          const value = this.parseConditional();
          const last = this.eat('...') ? this.parseConditional() : undefined;
          this.expect(':');
          const body = this.parseLabeledBody();
          return this.finish({ kind: 'Case' as const, ...start, end: 0, value, last, body });
        }
        case 'default': {
          this.next();
          this.expect(':');
          const body = this.parseLabeledBody();
          return this.finish({ kind: 'Default' as const, ...start, end: 0, body });
        }
        case 'break': case 'continue': {
          this.next();
          this.expectSemicolon(Diagnostics.ExpectedSemicolonAfter, `${keyword} statement`);
          return this.finish({ kind: keyword === 'break' ? 'Break' as const : 'Continue' as const, ...start, end: 0 });
        }
        case 'goto': {
          this.next();
          const label = this.labelIdentifier();
          this.expectSemicolon(Diagnostics.ExpectedSemicolonAfter, 'goto statement');
          return this.finish({ kind: 'Goto' as const, ...start, end: 0, label });
        }
        case 'return': {
          this.next();
          const value = this.is(';') ? undefined : this.parseExpression();
          this.expectSemicolon(Diagnostics.ExpectedSemicolonAfter, 'return statement');
          return this.finish({ kind: 'Return' as const, ...start, end: 0, value });
        }
        case 'asm': {
          this.next();
          const operands = this.parseAsmOperands();
          const template = this.parseAsmBody();
          this.expect(';');
          return this.finish({ kind: 'Asm' as const, ...start, end: 0, template, ...operands });
        }
        default: break;
      }
      if (this.eat(';')) return this.finish({ kind: 'ExpressionStatement' as const, ...start, end: 0 });
      if (this.isIdentifier() && this.is(':', this.peek())) {
        const label = this.labelIdentifier();
        this.next();
        this.parseOptionalAttributes();
        const body = this.parseLabeledBody();
        return this.finish({ kind: 'Labeled' as const, ...start, end: 0, label, body });
      }
      if (this.is('}') || this.is(')') || this.is(']')) {
        this.error(Diagnostics.ExpectedStatement);
        return this.finish({ kind: 'ExpressionStatement' as const, ...start, end: 0 });
      }
      const expression = this.parseExpression();
      if (!this.expectSemicolon(Diagnostics.ExpectedSemicolonAfter, 'expression')) this.recoverAfterStatement();
      return this.finish({ kind: 'ExpressionStatement' as const, ...start, end: 0, expression });
    } finally {
      this.depth--;
    }
  }

  /** A label at the end of a block (`out: }`) is accepted by clang 14 with a warning only in C2x; keep it empty. */
  protected parseLabeledBody(): ast.Statement {
    if (this.is('}')) {
      const t = this.token;
      return { kind: 'ExpressionStatement', file: t.file, pos: t.pos, end: t.pos };
    }
    if (this.startsDeclaration() && !this.isTypedefName()) {
      // A declaration after a label: clang 14 rejects it in C; report and parse it as a declaration.
      this.error(Diagnostics.ExpectedStatement);
    }
    return this.parseStatement();
  }

  protected recoverAfterStatement(): void {
    while (!this.atEnd() && !this.token.atLineStart && !this.is(';') && !this.is('}') && !this.is('{')) this.next();
    this.eat(';');
  }

  protected parseParenthesizedCondition(): ast.Expression {
    this.expect('(');
    const condition = this.parseExpression();
    this.expect(')');
    return condition;
  }

  protected parseIdentifierOrMissing(): ast.Identifier {
    const t = this.token;
    if (this.isIdentifier()) { this.next(); return { kind: 'Identifier', file: t.file, pos: t.pos, end: t.end, name: t.text }; }
    this.error(Diagnostics.ExpectedIdentifier);
    return { kind: 'Identifier', file: t.file, pos: t.pos, end: t.pos, name: '' };
  }

  /**
   * The template string and operands of an asm statement (GNU: `("..." : [name] "+r" (x), ... : inputs : clobbers)`),
   * read ahead without moving: undefined for any other shape (an `asm goto`'s labels, a template clang would refuse),
   * which stays the token text only.
   */
  protected parseAsmOperands(): { instructions: string; operands: ast.AsmOperand[] } | undefined {
    const saved = { index: this.index, diagnostics: this.diagnostics.length, lastErrorPos: this.lastErrorPos, depth: this.depth, depthReported: this.depthReported, scopes: this.scopes.length };
    let result = this.tryAsmOperands();
    // an operand clang would refuse is reported where the statement is read as tokens (not twice, not here)
    if (this.diagnostics.length > saved.diagnostics) result = undefined;
    this.index = saved.index;
    this.diagnostics.length = saved.diagnostics;
    this.lastErrorPos = saved.lastErrorPos;
    this.depth = saved.depth;
    this.depthReported = saved.depthReported;
    this.scopes.length = saved.scopes;
    return result;
  }

  private tryAsmOperands(): { instructions: string; operands: ast.AsmOperand[] } | undefined {
    while (this.is('volatile') || this.is('inline')) this.next();
    if (!this.eat('(') || this.token.kind !== TokenKind.StringLiteral) return undefined;
    const template = this.parsePrimary();
    if (template.kind !== 'StringLiteral') return undefined;
    const operands: ast.AsmOperand[] = [];
    for (const output of [true, false]) {
      if (!this.eat(':')) break;
      while (!this.is(':') && !this.is(')')) {
        let name: string | undefined;
        if (this.eat('[')) {
          if (!this.isIdentifier()) return undefined;
          name = this.spell(this.token);
          this.next();
          if (!this.eat(']')) return undefined;
        }
        if (this.token.kind !== TokenKind.StringLiteral) return undefined;
        const constraint = this.parsePrimary();
        if (constraint.kind !== 'StringLiteral' || !this.is('(')) return undefined;
        this.next();
        const value = this.parseExpression();
        if (!this.eat(')')) return undefined;
        operands.push({ ...(name !== undefined ? { name } : {}), constraint: constraint.value, value, output });
        if (!this.eat(',')) break;
      }
    }
    // clobbers: strings only
    if (this.eat(':')) {
      while (this.token.kind === TokenKind.StringLiteral) { this.next(); if (!this.eat(',')) break; }
    }
    if (!this.is(')')) return undefined;
    return { instructions: template.value, operands };
  }
}
