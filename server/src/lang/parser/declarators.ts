/** Declarators (pointers, arrays, functions, nested and abstract), parameter lists, type names and initializers. */

import { appendAll } from '../arrays';
import * as ast from '../ast';
import { Diagnostics } from '../diagnostics';
import { TokenKind } from '../token';
import { TYPE_QUALIFIERS } from './grammar';
import { ExpressionParser } from './expressions';

export abstract class DeclaratorParser extends ExpressionParser {
  // ---------------------------------------------------------------- declarators
  /**
   * Parses a (possibly abstract) declarator. The result lists derivations innermost-first: pointers bind
   * before the suffixes of the same level, and an inner parenthesised declarator applies last.
   */
  protected parseDeclarator(abstract: boolean, parameter = false): ast.Declarator {
    const start = this.startNode();
    const attributes: ast.Attribute[] = [];
    const pointers: ast.Derivation[] = [];
    while (this.is('*') || this.is('^')) {
      this.next();
      const qualifiers: string[] = [];
      const pointerAttributes: ast.Attribute[] = [];
      for (;;) {
        if (TYPE_QUALIFIERS.has(this.spell(this.token)) && this.token.kind !== TokenKind.Punctuator) { qualifiers.push(this.spell(this.next())); continue; }
        if (this.is('__attribute__')) { appendAll(pointerAttributes, this.parseAttributes()); continue; }
        break;
      }
      pointers.push({ kind: 'Pointer', qualifiers, attributes: pointerAttributes });
    }
    appendAll(attributes, this.parseOptionalAttributes());
    let name: ast.Identifier | undefined;
    let inner: ast.Declarator | undefined;
    // After the specifiers an identifier is the declarator's name even when it names a typedef: `int key_t`,
    // `__u32 u64` shadow the typedef (C11 6.2.1); the specifiers took a typedef name only while they had no type.
    if (this.isIdentifier()) {
      const t = this.next();
      name = { kind: 'Identifier', file: t.file, pos: t.pos, end: t.end, name: t.text };
    } else if (this.is('(') && this.startsNestedDeclarator(abstract, parameter)) {
      if (!this.enter()) { this.skipBalanced(); }
      else {
        this.next();
        inner = this.parseDeclarator(abstract, parameter);
        this.expect(')');
        this.leave();
      }
    } else if (!abstract) {
      this.error(Diagnostics.ExpectedIdentifier);
    }
    const suffixes: ast.Derivation[] = [];
    for (;;) {
      if (this.is('[')) {
        this.next();
        const qualifiers: string[] = [];
        while (TYPE_QUALIFIERS.has(this.spell(this.token)) || this.is('static')) qualifiers.push(this.spell(this.next()));
        let size: ast.Expression | undefined;
        if (this.is('*') && this.is(']', this.peek())) this.next();
        else if (!this.is(']')) size = this.parseAssignment();
        this.expect(']');
        suffixes.push({ kind: 'Array', size, qualifiers });
      } else if (this.is('(')) {
        if (!this.enter()) { this.skipBalanced(); continue; }
        this.next();
        suffixes.push(this.parseParameterList());
        this.expect(')');
        this.leave();
      } else break;
    }
    const derivations = [...pointers, ...suffixes.reverse(), ...(inner?.derivations ?? [])];
    name ??= inner?.name;
    appendAll(attributes, inner?.attributes ?? []);
    let asmLabel: ast.StringLiteral | undefined;
    if (this.is('asm')) {
      this.next();
      this.expect('(');
      const label = this.parsePrimary();
      if (label.kind === 'StringLiteral') asmLabel = label;
      this.expect(')');
    }
    appendAll(attributes, this.parseOptionalAttributes());
    return this.finish({ kind: 'Declarator' as const, ...start, end: 0, name, derivations, attributes, asmLabel });
  }

  /**
   * After `(` in a declarator: a nested declarator, or (abstract only) a parameter list? In a parameter
   * declaration `(name)` with a name that is no typedef is the parameter's parenthesised declarator:
   * `bool (less)(struct bpf_rb_node *a, ...)` declares `less`, a function adjusted to a pointer, as libbpf's
   * bpf_experimental.h writes bpf_rbtree_add_impl(); only a typedef name there starts a parameter list (C11 6.7.6.3p11).
   */
  protected startsNestedDeclarator(abstract: boolean, parameter = false): boolean {
    const after = this.peek();
    if (this.is('*', after) || this.is('^', after) || this.is('(', after) || this.is('[', after) || this.is('__attribute__', after)) {
      // `(__attribute__(...) int x)` is a parameter list; `(__attribute__(...) *p)` a declarator. Rare: assume declarator.
      return true;
    }
    if (abstract && !parameter) return false;
    return this.isIdentifier(after) && !this.isTypedefName(after);
  }

  protected parseParameterList(): ast.Derivation {
    const parameters: ast.ParameterDeclaration[] = [];
    let variadic = false;
    if (this.is(')')) return { kind: 'Function', parameters, variadic, oldStyle: true };
    this.pushScope();
    // `f(a, b)`: an identifier list (K&R); once begun, every parameter is a bare name, as clang's
    // ParseFunctionDeclaratorIdentifierList() requires: `int BPF_UPROBE(name, struct data *d)` with a libbpf
    // that lacks the macro is "expected identifier" at `struct`, and `d` stays undeclared in the body.
    let identifierList = false;
    for (;;) {
      if (identifierList && (this.is('...') || this.startsTypeName() || this.is('register') || !this.isIdentifier())) {
        if (this.isIdentifier() && this.isTypedefName(this.token)) this.error(Diagnostics.UnexpectedTypeNameExpectedIdentifier, this.token, [this.token.text]);
        else this.error(Diagnostics.ExpectedIdentifier);
        this.skipToCloseParen();
        break;
      }
      if (this.eat('...')) { variadic = true; break; }
      const start = this.startNode();
      if (!this.startsTypeName() && !this.is('register')) {
        if (this.isIdentifier()) {
          // An unknown type name in a prototype (`foo_t x`), or a K&R identifier list.
          const t = this.token;
          if (this.isIdentifier(this.peek()) || this.is('*', this.peek())) {
            this.error(Diagnostics.UnknownTypeName, t, [t.text]);
            this.declareName(t.text, true);
          } else {
            this.next();
            if (parameters.length === 0) identifierList = true;
            parameters.push(this.finish({
              kind: 'Parameter' as const, ...start, end: 0,
              specifiers: { kind: 'DeclarationSpecifiers', ...start, end: start.pos, storage: [], qualifiers: [], functionSpecifiers: [], attributes: [], alignas: [] },
              declarator: { kind: 'Declarator', ...start, end: t.end, name: { kind: 'Identifier', file: t.file, pos: t.pos, end: t.end, name: t.text }, derivations: [], attributes: [] },
            }));
            if (!this.eat(',')) break;
            continue;
          }
        } else {
          this.error(Diagnostics.ExpectedTypeName);
          this.skipToCloseParen();
          break;
        }
      }
      const specifiers = this.parseDeclarationSpecifiers(true);
      const declarator = this.parseDeclarator(true, true);
      if (declarator.name) this.declareName(declarator.name.name, false);
      parameters.push(this.finish({ kind: 'Parameter' as const, ...start, end: 0, specifiers, declarator }));
      if (!this.eat(',')) break;
    }
    this.popScope();
    // `(void)` means no parameters.
    const only = parameters[0];
    if (parameters.length === 1 && !variadic && !only.declarator.name && only.declarator.derivations.length === 0
      && only.specifiers.type?.kind === 'BuiltinType' && only.specifiers.type.words.join(' ') === 'void') {
      return { kind: 'Function', parameters: [], variadic: false, oldStyle: false };
    }
    return { kind: 'Function', parameters, variadic, oldStyle: false, ...(identifierList ? { identifierList: true as const } : {}) };
  }

  parseTypeName(): ast.TypeName {
    const start = this.startNode();
    if (!this.startsTypeName()) this.error(Diagnostics.ExpectedTypeName);
    const specifiers = this.parseDeclarationSpecifiers(false);
    const declarator = this.parseDeclarator(true);
    return this.finish({ kind: 'TypeName' as const, ...start, end: 0, specifiers, declarator });
  }

  // ---------------------------------------------------------------- initializers
  protected parseInitializer(): ast.Initializer {
    if (this.is('{')) return this.parseInitializerList();
    return this.parseAssignment();
  }

  protected parseInitializerList(): ast.InitializerList {
    const start = this.startNode();
    const items: ast.InitializerItem[] = [];
    if (!this.enter()) { this.skipBalanced(); return this.finish({ kind: 'InitializerList' as const, ...start, end: 0, items }); }
    this.next();
    while (!this.is('}') && !this.atEnd()) {
      const itemStart = this.startNode();
      const designators: ast.Designator[] = [];
      for (;;) {
        const t = this.token;
        if (this.is('.')) {
          this.next();
          const nameToken = this.token;
          if (!this.isIdentifier()) { this.error(Diagnostics.ExpectedIdentifier); break; }
          this.next();
          designators.push({ kind: 'FieldDesignator', file: t.file, pos: t.pos, end: nameToken.end, name: { kind: 'Identifier', file: nameToken.file, pos: nameToken.pos, end: nameToken.end, name: nameToken.text } });
        } else if (this.is('[')) {
          this.next();
          const index = this.parseConditional();
          let last: ast.Expression | undefined;
          if (this.eat('...')) last = this.parseConditional();
          this.expect(']');
          designators.push({ kind: 'IndexDesignator', file: t.file, pos: t.pos, end: this.previousEnd(), index, last });
        } else if (designators.length === 0 && this.isIdentifier() && this.is(':', this.peek())) {
          // GNU old-style `field: value`.
          this.next();
          designators.push({ kind: 'FieldDesignator', file: t.file, pos: t.pos, end: t.end, name: { kind: 'Identifier', file: t.file, pos: t.pos, end: t.end, name: t.text } });
          break;
        } else break;
      }
      if (designators.length > 0) this.expect(designators[designators.length - 1].kind === 'FieldDesignator' && this.is(':') ? ':' : '=');
      const before = this.index;
      const value = this.parseInitializer();
      items.push(this.finish({ kind: 'InitializerItem' as const, ...itemStart, end: 0, designators, value }));
      if (!this.eat(',')) break;
      if (this.index === before) break;
    }
    if (!this.expect('}')) {
      while (!this.atEnd() && !this.is('}') && !this.is(';')) this.next();
      this.eat('}');
    }
    this.leave();
    return this.finish({ kind: 'InitializerList' as const, ...start, end: 0, items });
  }
}
