/** Declarations: external declarations and function definitions, declaration specifiers, struct/union/enum specifiers, attributes and asm labels. */

import { appendAll } from '../arrays';
import * as ast from '../ast';
import { Diagnostics } from '../diagnostics';
import { Token, TokenKind } from '../token';
import { KEYWORDS, BUILTIN_TYPE_WORDS, STORAGE_CLASSES, TYPE_QUALIFIERS, FUNCTION_SPECIFIERS } from './grammar';
import { DeclaratorParser } from './declarators';

export abstract class DeclarationParser extends DeclaratorParser {
  protected parseExternalDeclaration(): ast.ExternalDeclaration | undefined {
    const start = this.startNode();
    if (this.eat(';')) return this.finish({ kind: 'EmptyDeclaration' as const, ...start, end: 0 });
    if (this.is('asm')) {
      this.next();
      this.parseAsmBody();
      this.expect(';');
      return this.finish({ kind: 'EmptyDeclaration' as const, ...start, end: 0 });
    }
    if (this.is('_Static_assert')) return this.parseStaticAssert();
    if (!this.startsDeclaration() && !this.isIdentifier()) {
      if (!this.is('(') && !this.is('*')) return undefined;
    }
    return this.parseDeclarationOrFunction(true);
  }

  protected parseStaticAssert(): ast.StaticAssert {
    const start = this.startNode();
    this.next();
    this.expect('(');
    const condition = this.parseAssignment();
    let message: ast.StringLiteral | undefined;
    if (this.eat(',')) {
      const literal = this.parsePrimary();
      if (literal.kind === 'StringLiteral') message = literal;
    }
    this.expect(')');
    this.expectSemicolon(Diagnostics.ExpectedSemicolonAfter, 'static_assert');
    return this.finish({ kind: 'StaticAssert' as const, ...start, end: 0, condition, message });
  }

  /**
   * A declaration, or at file scope a function definition. Also used in blocks, where a function definition
   * is reported (clang rejects nested functions) but still parsed so the rest of the file keeps its shape.
   */
  protected parseDeclarationOrFunction(fileScope: boolean): ast.Declaration | ast.FunctionDefinition {
    const start = this.startNode();
    const specifiers = this.parseDeclarationSpecifiers(true);
    const declarators: ast.InitDeclarator[] = [];
    const isTypedef = specifiers.storage.includes('typedef');
    if (this.impliedSemicolon) { this.impliedSemicolon = false; return this.finish({ kind: 'Declaration' as const, ...start, end: 0, specifiers, declarators }); }
    if (this.eat(';')) return this.finish({ kind: 'Declaration' as const, ...start, end: 0, specifiers, declarators });
    for (;;) {
      const declStart = this.startNode();
      const declarator = this.parseDeclarator(false);
      if (declarator.name) this.declareName(declarator.name.name, isTypedef);
      const last = declarator.derivations[declarator.derivations.length - 1];
      if (declarators.length === 0 && last?.kind === 'Function' && (this.is('{') || (last.identifierList && this.startsDeclaration()))) {
        if (!fileScope) this.error(Diagnostics.FunctionDefinitionNotAllowed);
        if (last.identifierList) this.parseIdentifierListDeclarations(last);
        return this.parseFunctionBody(start, specifiers, declarator);
      }
      let initializer: ast.Initializer | undefined;
      if (this.eat('=')) initializer = this.parseInitializer();
      declarators.push(this.finish({ kind: 'InitDeclarator' as const, ...declStart, end: 0, declarator, initializer }));
      if (!this.eat(',')) break;
    }
    const ended = fileScope ? this.expectSemicolon(Diagnostics.ExpectedSemicolonAfter, 'top level declarator') : this.expectSemicolon(Diagnostics.ExpectedSemicolonAtEnd, 'declaration');
    if (!ended) this.recoverAfterDeclaration();
    return this.finish({ kind: 'Declaration' as const, ...start, end: 0, specifiers, declarators });
  }

  /**
   * A K&R definition's parameter declarations, between `)` and `{` (`static int twice(x) int x; { ... }`: clang 14
   * compiles it): each declared name takes the place of its bare name in the identifier list, so it has that type; a
   * name left undeclared is an int, as clang has it. Mirrors clang's ParseKNRParamDeclarations().
   */
  protected parseIdentifierListDeclarations(derivation: Extract<ast.Derivation, { kind: 'Function' }>): void {
    while (!this.atEnd() && !this.is('{') && this.startsDeclaration()) {
      const before = this.index;
      const specifiers = this.parseDeclarationSpecifiers(true);
      for (;;) {
        const start = this.startNode();
        const declarator = this.parseDeclarator(false);
        const name = declarator.name;
        const index = name ? derivation.parameters.findIndex((p) => p.declarator.name?.name === name.name) : -1;
        if (name && index < 0) this.errorAt(Diagnostics.KnrParameterMissing, name.file, name.pos, name.end, [name.name]);
        else if (index >= 0) derivation.parameters[index] = this.finish({ kind: 'Parameter' as const, ...start, end: 0, specifiers, declarator });
        if (!this.eat(',')) break;
      }
      if (!this.expectSemicolon(Diagnostics.ExpectedSemicolonAtEnd, 'declaration')) this.recoverAfterDeclaration();
      // nothing read (a token that starts a declaration but none of its parts, at a line's start where recovery
      // stops): the body's `{` is reported missing instead of reading the same token forever (fuzz seed 25500)
      if (this.index === before) break;
    }
  }

  /** After a missing `;`: if garbage follows on the same line, skip to a plausible restart point. */
  protected recoverAfterDeclaration(): void {
    while (!this.atEnd() && !this.token.atLineStart && !this.is(';') && !this.is('}') && !this.is('{')) this.next();
    this.eat(';');
  }

  protected parseFunctionBody(start: { file: number; pos: number }, specifiers: ast.DeclarationSpecifiers, declarator: ast.Declarator): ast.FunctionDefinition {
    this.pushScope();
    const functionDerivation = declarator.derivations[declarator.derivations.length - 1];
    if (functionDerivation?.kind === 'Function') {
      for (const parameter of functionDerivation.parameters) {
        if (parameter.declarator.name) this.declareName(parameter.declarator.name.name, false);
      }
    }
    this.functionBodyDepth++;
    const enclosingName = this.functionName;
    this.functionName = declarator.name?.name;
    const body = this.parseCompoundStatement(false);
    this.functionName = enclosingName;
    this.functionBodyDepth--;
    this.popScope();
    return this.finish({ kind: 'FunctionDefinition' as const, ...start, end: 0, specifiers, declarator, body });
  }

  // ---------------------------------------------------------------- specifiers
  protected parseDeclarationSpecifiers(allowStorage: boolean): ast.DeclarationSpecifiers {
    const start = this.startNode();
    const specifiers: ast.DeclarationSpecifiers = {
      kind: 'DeclarationSpecifiers', ...start, end: 0, storage: [], qualifiers: [], functionSpecifiers: [],
      attributes: [], alignas: [],
    };
    let builtinWords: string[] | undefined;
    let builtinStart: Token | undefined;
    this.impliedSemicolon = false;
    for (;;) {
      const t = this.token;
      if (t.kind !== TokenKind.Identifier && t.kind !== TokenKind.Keyword) break;
      const text = this.spell(t);
      if (text === '__attribute__') { appendAll(specifiers.attributes, this.parseAttributes()); continue; }
      if (text === '__extension__') { this.next(); continue; }
      if (STORAGE_CLASSES.has(text)) {
        if (!allowStorage) this.error(Diagnostics.UnexpectedToken, t, [t.text]);
        specifiers.storage.push(text as ast.DeclarationSpecifiers['storage'][number]);
        this.next();
        continue;
      }
      if (TYPE_QUALIFIERS.has(text)) {
        this.next();
        if (text === '_Atomic' && this.is('(')) {
          // `_Atomic(T)` is a type specifier; BPF code does not use it, treat as its operand type.
          this.next();
          const typeName = this.parseTypeName();
          this.expect(')');
          specifiers.type ??= typeName.specifiers.type;
        }
        specifiers.qualifiers.push(text);
        continue;
      }
      if (FUNCTION_SPECIFIERS.has(text)) { specifiers.functionSpecifiers.push(text); this.next(); continue; }
      if (text === '_Alignas') {
        this.next();
        this.expect('(');
        specifiers.alignas.push(this.startsTypeName() ? this.parseTypeName() : this.parseAssignment());
        this.expect(')');
        continue;
      }
      if (BUILTIN_TYPE_WORDS.has(text)) {
        if (specifiers.type && !builtinWords) { this.error(Diagnostics.InvalidTypeCombination, t, [t.text]); this.next(); continue; }
        builtinWords ??= [];
        builtinStart ??= t;
        builtinWords.push(text);
        this.next();
        specifiers.type = { kind: 'BuiltinType', file: builtinStart.file, pos: builtinStart.pos, end: t.end, words: builtinWords };
        continue;
      }
      if (text === 'struct' || text === 'union' || text === 'enum' || text === 'typeof' || text === '__auto_type') {
        const spec = text === 'enum' ? this.parseEnumSpecifier()
          : text === 'typeof' ? this.parseTypeofSpecifier()
          : text === '__auto_type' ? this.parseAutoType()
          : this.parseRecordSpecifier();
        if (specifiers.type) this.errorAt(Diagnostics.InvalidTypeCombination, spec.file, spec.pos, spec.end, [text]);
        else specifiers.type = spec;
        // mirrors clang's Parser::ParseClassSpecifier(): a definition followed by a type word is missing its `;`
        const defined = (spec.kind === 'RecordSpecifier' && spec.members !== undefined) || (spec.kind === 'EnumSpecifier' && spec.enumerators !== undefined);
        const after = this.token.kind === TokenKind.Identifier || this.token.kind === TokenKind.Keyword ? this.spell(this.token) : '';
        if (defined && (BUILTIN_TYPE_WORDS.has(after) || after === 'struct' || after === 'union' || after === 'enum')) {
          const pos = this.previousEnd();
          this.errorAt(Diagnostics.ExpectedSemicolonAfter, this.previousFile(), pos, pos, [text]);
          this.impliedSemicolon = true;
          break;
        }
        continue;
      }
      if (!specifiers.type && this.isTypedefName(t)) {
        // `T x` where T is a typedef name; `T` alone followed by `;` or `)` in a redeclaration context stays a type too.
        this.next();
        specifiers.type = { kind: 'TypedefName', file: t.file, pos: t.pos, end: t.end, name: { kind: 'Identifier', file: t.file, pos: t.pos, end: t.end, name: t.text } };
        continue;
      }
      if (!specifiers.type && this.isIdentifier(t) && this.isIdentifier(this.peek()) && !KEYWORDS.has(this.peek().text)
        && specifiers.storage.length + specifiers.qualifiers.length + specifiers.functionSpecifiers.length + specifiers.attributes.length >= 0) {
        // `unknown_t x;`: clang says "unknown type name"; treat it as a type to keep the declaration's shape.
        this.error(Diagnostics.UnknownTypeName, t, [t.text]);
        this.next();
        specifiers.type = { kind: 'TypedefName', file: t.file, pos: t.pos, end: t.end, name: { kind: 'Identifier', file: t.file, pos: t.pos, end: t.end, name: t.text } };
        continue;
      }
      break;
    }
    return this.finish(specifiers);
  }

  protected parseAutoType(): ast.TypeofSpecifier {
    const start = this.startNode();
    this.next();
    return this.finish({ kind: 'Typeof' as const, ...start, end: 0, operand: { kind: 'MissingExpression' as const, ...start, end: start.pos }, auto: true as const });
  }

  protected parseTypeofSpecifier(): ast.TypeofSpecifier {
    const start = this.startNode();
    this.next();
    this.expect('(');
    const operand = this.startsTypeName() ? this.parseTypeName() : this.parseExpression();
    this.expect(')');
    return this.finish({ kind: 'Typeof' as const, ...start, end: 0, operand });
  }

  protected parseOptionalTagName(): ast.Identifier | undefined {
    if (!this.isIdentifier()) return undefined;
    const t = this.next();
    return { kind: 'Identifier', file: t.file, pos: t.pos, end: t.end, name: t.text };
  }

  protected parseRecordSpecifier(): ast.RecordSpecifier {
    const start = this.startNode();
    const tag = this.spell(this.next()) as 'struct' | 'union';
    const attributes = this.parseOptionalAttributes();
    const name = this.parseOptionalTagName();
    appendAll(attributes, this.parseOptionalAttributes());
    let members: ast.FieldDeclaration[] | undefined;
    if (this.is('{')) {
      const open = this.token;
      if (!this.enter()) { this.skipBalanced(); return this.finish({ kind: 'RecordSpecifier' as const, ...start, end: 0, tag, name, members: [], attributes }); }
      this.next();
      members = [];
      while (!this.is('}') && !this.atEnd()) {
        const before = this.index;
        if (this.eat(';')) continue;
        if (this.is('_Static_assert')) { this.parseStaticAssert(); continue; }
        const field = this.parseFieldDeclaration();
        if (field) members.push(field);
        if (this.index === before) { this.error(Diagnostics.ExpectedDeclaration); this.next(); }
      }
      if (!this.eat('}')) this.missingClosingBrace(open);
      this.leave();
      appendAll(attributes, this.parseOptionalAttributes());
    } else if (!name) {
      this.error(Diagnostics.ExpectedIdentifier);
    }
    return this.finish({ kind: 'RecordSpecifier' as const, ...start, end: 0, tag, name, members, attributes });
  }

  protected parseFieldDeclaration(): ast.FieldDeclaration | undefined {
    const start = this.startNode();
    if (!this.startsTypeName()) {
      this.error(Diagnostics.ExpectedTypeName);
      while (!this.atEnd() && !this.is(';') && !this.is('}')) this.next();
      this.eat(';');
      return undefined;
    }
    const specifiers = this.parseDeclarationSpecifiers(false);
    const declarators: ast.FieldDeclaration['declarators'] = [];
    if (this.impliedSemicolon) { this.impliedSemicolon = false; return this.finish({ kind: 'FieldDeclaration' as const, ...start, end: 0, specifiers, declarators }); }
    if (!this.is(';')) {
      for (;;) {
        const declarator = this.is(':') ? this.emptyDeclarator() : this.parseDeclarator(false);
        let bitWidth: ast.Expression | undefined;
        if (this.eat(':')) bitWidth = this.parseConditional();
        const attributes = this.parseOptionalAttributes();
        appendAll(declarator.attributes, attributes);
        declarators.push({ declarator, bitWidth, attributes });
        if (!this.eat(',')) break;
      }
    }
    if (!this.expectSemicolon(Diagnostics.ExpectedSemicolonAtEnd, 'declaration list')) {
      while (!this.atEnd() && !this.is(';') && !this.is('}') && !this.token.atLineStart) this.next();
      this.eat(';');
    }
    return this.finish({ kind: 'FieldDeclaration' as const, ...start, end: 0, specifiers, declarators });
  }

  protected emptyDeclarator(): ast.Declarator {
    const t = this.token;
    return { kind: 'Declarator', file: t.file, pos: t.pos, end: t.pos, derivations: [], attributes: [] };
  }

  protected parseEnumSpecifier(): ast.EnumSpecifier {
    const start = this.startNode();
    this.next();
    const attributes = this.parseOptionalAttributes();
    const name = this.parseOptionalTagName();
    appendAll(attributes, this.parseOptionalAttributes());
    // A fixed underlying type, `enum E : u8 {`: a ':' followed by a type name, as clang's ParseEnumSpecifier()
    // decides in C (`enum E : 3;` in a struct stays an unnamed bit-field).
    let underlying: ast.TypeName | undefined;
    if (this.is(':') && this.startsTypeName(this.peek())) {
      this.next();
      underlying = this.parseTypeName();
    }
    let enumerators: ast.Enumerator[] | undefined;
    if (this.eat('{')) {
      enumerators = [];
      while (!this.is('}') && !this.atEnd()) {
        if (!this.isIdentifier()) { this.error(Diagnostics.ExpectedIdentifier); break; }
        const t = this.next();
        const enumeratorName: ast.Identifier = { kind: 'Identifier', file: t.file, pos: t.pos, end: t.end, name: t.text };
        this.parseOptionalAttributes();
        let value: ast.Expression | undefined;
        if (this.eat('=')) value = this.parseConditional();
        this.declareName(t.text, false);
        enumerators.push(this.finish({ kind: 'Enumerator' as const, file: t.file, pos: t.pos, end: 0, name: enumeratorName, value }));
        if (!this.eat(',')) break;
      }
      if (!this.expect('}')) {
        while (!this.atEnd() && !this.is('}') && !this.is(';')) this.next();
        this.eat('}');
      }
      appendAll(attributes, this.parseOptionalAttributes());
    } else if (!name) {
      this.error(Diagnostics.ExpectedIdentifier);
    }
    return this.finish({ kind: 'EnumSpecifier' as const, ...start, end: 0, name, underlying, enumerators, attributes });
  }

  // ---------------------------------------------------------------- attributes
  protected parseOptionalAttributes(): ast.Attribute[] {
    const attributes: ast.Attribute[] = [];
    while (this.is('__attribute__')) appendAll(attributes, this.parseAttributes());
    return attributes;
  }

  /** `__attribute__((a, b(args), ...))`; the arguments are parsed as expressions (identifiers stay unresolved). */
  protected parseAttributes(): ast.Attribute[] {
    this.next();
    const attributes: ast.Attribute[] = [];
    if (!this.expect('(')) return attributes;
    if (!this.expect('(')) { this.skipToCloseParen(); return attributes; }
    while (!this.is(')') && !this.atEnd()) {
      if (this.eat(',')) continue;
      const t = this.token;
      if (t.kind !== TokenKind.Identifier && t.kind !== TokenKind.Keyword) { this.error(Diagnostics.ExpectedIdentifier); this.skipToCloseParen(); break; }
      this.next();
      const name = t.text.replace(/^__(.+)__$/, '$1');
      const args: ast.Expression[] = [];
      if (this.is('(')) {
        if (!this.enter()) { this.skipBalanced(); break; }
        this.next();
        while (!this.is(')') && !this.atEnd()) {
          const before = this.index;
          args.push(this.parseAssignment());
          if (!this.eat(',')) break;
          if (this.index === before) break;
        }
        this.expect(')');
        this.leave();
      }
      attributes.push(this.finish({ kind: 'Attribute' as const, file: t.file, pos: t.pos, end: 0, name, args }));
    }
    this.expect(')');
    this.expect(')');
    return attributes;
  }

  protected skipToCloseParen(): void {
    while (!this.atEnd() && !this.is(')') && !this.is(';')) {
      if (this.is('(')) this.skipBalanced(); else this.next();
    }
  }

  protected parseAsmBody(): string {
    while (this.is('volatile') || this.is('inline') || this.is('goto')) this.next();
    if (!this.is('(')) { this.expect('('); return ''; }
    // by index: a search for the token was a pass over the whole file per asm statement (quadratic in a file that
    // includes itself around one: 41 s and 3 GB at 1,024 copies, found by the edit fuzzer, seed 24300)
    const from = this.index;
    this.skipBalanced();
    return this.tokens.slice(from + 1, this.index - 1).map((t) => t.text).join(' ');
  }
}
