/** What every layer of the parser shares: the token stream and its helpers (peek, expect, recover), diagnostics, the nesting cap, and the typedef scopes that decide whether a name starts a declaration. */

import * as ast from '../ast';
import { Diagnostics, DiagnosticMessage, FrontEndDiagnostic, formatMessage, MAX_COLLECTED_DIAGNOSTICS } from '../diagnostics';
import { Token, TokenKind, makeToken } from '../token';
import { MAX_NESTING_DEPTH, KEYWORDS, BUILTIN_TYPE_WORDS, STORAGE_CLASSES, TYPE_QUALIFIERS, FUNCTION_SPECIFIERS, type ParseOptions } from './grammar';

/** Keyword spellings GNU gives alternative names to, mapped to the canonical one. */
const KEYWORD_ALIASES = new Map<string, string>(Object.entries({
  __attribute: '__attribute__', __inline: 'inline', __inline__: 'inline', __restrict: 'restrict',
  __restrict__: 'restrict', __volatile__: 'volatile', __volatile: 'volatile', __const: 'const',
  __const__: 'const', __signed: 'signed', __signed__: 'signed', __typeof__: 'typeof', __typeof: 'typeof',
  __alignof__: '_Alignof', __alignof: '_Alignof', alignof: '_Alignof', __asm__: 'asm', __asm: 'asm',
  static_assert: '_Static_assert',
}));

/** Typedef names clang predeclares. */
const PREDECLARED_TYPEDEFS = ['__builtin_va_list', '__int128_t', '__uint128_t'];

/** Digraphs the scanner may hand over unchanged. */
const DIGRAPHS = new Map<string, string>([['<:', '['], [':>', ']'], ['<%', '{'], ['%>', '}'], ['%:', '#'], ['%:%:', '##']]);

type Scope = Map<string, boolean>;

function spelling(t: Token): string {
  if (t.kind === TokenKind.Punctuator) return DIGRAPHS.get(t.text) ?? t.text;
  if (t.kind === TokenKind.Identifier || t.kind === TokenKind.Keyword) return KEYWORD_ALIASES.get(t.text) ?? t.text;
  // Literals never compare equal to punctuator or keyword spellings.
  return t.kind === TokenKind.Number ? '' : '\u0000' + t.text;
}

export abstract class ParserState {
  // Provided by the layers above (see expressions, declarators, declarations, statements, index).
  abstract parseTypeName(): ast.TypeName;
  protected abstract parseInitializerList(): ast.InitializerList;
  protected abstract parseAttributes(): ast.Attribute[];
  protected abstract parseOptionalAttributes(): ast.Attribute[];
  protected abstract skipToCloseParen(): void;
  protected abstract parseDeclarationSpecifiers(allowStorage: boolean): ast.DeclarationSpecifiers;
  protected abstract parseIdentifierOrMissing(): ast.Identifier;
  protected abstract parseCompoundStatement(ownScope?: boolean): ast.CompoundStatement;

  readonly diagnostics: FrontEndDiagnostic[] = [];
  protected readonly tokens: Token[];
  /** Normalised spelling of each token (aliases and digraphs resolved), computed once. */
  protected readonly spellings: string[];
  protected index = 0;
  protected depth = 0;
  protected depthReported = false;
  protected readonly scopes: Scope[];
  /** The preamble's typedef names: consulted below the file scope, so each edit does not copy thousands of them. */
  protected readonly preludeTypedefs: ReadonlySet<string>;
  /** Typedef names of headers read through their index, visible from token `from` on (ParseOptions.lazyTypedefNames). */
  protected readonly lazyTypedefs: Array<{ from: number; names: ReadonlySet<string> }>;
  protected lastErrorPos = -1;
  /**
   * Set by parseDeclarationSpecifiers() when a struct, union or enum definition is followed by a type word
   * (`struct s { ... } int f(void)`): clang reports "expected ';' after struct" and goes on as if it were there.
   */
  protected impliedSemicolon = false;
  protected functionBodyDepth = 0;
  /**
   * GNU local labels: per open compound statement, the `__label__` names it declared (null: none) and the name each
   * label of that scope is renamed to, so `can_loop`'s `l_break` in two statement expressions of one function are
   * two labels, as they are for clang.
   */
  protected localLabelScopes: Array<Map<string, string> | null> = [];
  protected localLabelCount = 0;
  /** The name of the function whose body is being parsed: what `__func__` spells inside it. */
  protected functionName: string | undefined;

  constructor(input: readonly Token[], options: ParseOptions) {
    this.tokens = [];
    // where each header read through its index stands among the tokens kept (Newlines are dropped)
    const lazy = options.lazyTypedefNames ?? [];
    this.lazyTypedefs = lazy.map((entry) => ({ from: Number.MAX_SAFE_INTEGER, names: entry.names }));
    for (let i = 0; i < input.length; i++) {
      for (let l = 0; l < lazy.length; l++) if (lazy[l].fromToken === i) this.lazyTypedefs[l].from = this.tokens.length;
      if (input[i].kind !== TokenKind.Newline) this.tokens.push(input[i]);
    }
    for (let l = 0; l < lazy.length; l++) if (lazy[l].fromToken >= input.length) this.lazyTypedefs[l].from = Math.min(this.lazyTypedefs[l].from, this.tokens.length);
    const last = this.tokens[this.tokens.length - 1];
    if (!last || last.kind !== TokenKind.EndOfFile) {
      const at = last ?? { file: 0, end: 0 };
      this.tokens.push(makeToken(TokenKind.EndOfFile, '', at.file, at.end, at.end, false, false));
    }
    this.spellings = this.tokens.map(spelling);
    const fileScope: Scope = new Map();
    for (const name of PREDECLARED_TYPEDEFS) fileScope.set(name, true);
    this.preludeTypedefs = options.typedefNames ?? new Set();
    this.scopes = [fileScope];
  }

  // ---------------------------------------------------------------- token helpers
  protected get token(): Token { return this.tokens[this.index]; }
  protected peek(offset = 1): Token { return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]; }
  protected previousEnd(): number { return this.index > 0 ? this.tokens[this.index - 1].end : 0; }
  protected previousFile(): number { return this.index > 0 ? this.tokens[this.index - 1].file : this.token.file; }

  /** The spelling with keyword aliases and digraphs normalised; identifiers stay as spelled. */
  protected spell(t: Token): string {
    if (t === this.tokens[this.index]) return this.spellings[this.index];
    return spelling(t);
  }
  /** Is the current token (or the one `t` names) spelled `text` as a punctuator or keyword? */
  protected is(text: string, t?: Token): boolean {
    if (t === undefined || t === this.tokens[this.index]) return this.spellings[this.index] === text && this.tokens[this.index].kind !== TokenKind.StringLiteral && this.tokens[this.index].kind !== TokenKind.CharConstant;
    return (t.kind === TokenKind.Punctuator || t.kind === TokenKind.Identifier || t.kind === TokenKind.Keyword) && spelling(t) === text;
  }
  protected isIdentifier(t: Token = this.token): boolean {
    return (t.kind === TokenKind.Identifier || t.kind === TokenKind.Keyword) && !KEYWORDS.has(t.text);
  }
  protected atEnd(): boolean { return this.token.kind === TokenKind.EndOfFile; }
  protected next(): Token {
    const t = this.token;
    if (t.kind !== TokenKind.EndOfFile) this.index++;
    return t;
  }
  protected eat(text: string): boolean {
    if (this.is(text)) { this.index++; return true; }
    return false;
  }
  /** A `;` ending a construct clang names in its message ("after return statement", "at end of declaration"). */
  protected expectSemicolon(message: DiagnosticMessage, construct: string): boolean {
    if (this.eat(';')) return true;
    const pos = this.previousEnd();
    this.errorAt(message, this.previousFile(), pos, pos, [construct]);
    return false;
  }
  /** Like clang: "expected '}'" just after the last token, with a note "to match this '{'" on the opening brace. */
  protected missingClosingBrace(open: Token): void {
    const pos = this.previousEnd();
    const count = this.diagnostics.length;
    this.errorAt(Diagnostics.MissingClosingBrace, this.previousFile(), pos, pos);
    if (this.diagnostics.length > count) this.diagnostics[count].related = [{ file: open.file, pos: open.pos, end: open.end, message: "to match this '{'" }];
  }
  protected expect(text: string): boolean {
    if (this.eat(text)) return true;
    // Like clang, a missing token is reported just after the previous one.
    const file = this.previousFile();
    const pos = this.previousEnd();
    this.errorAt(Diagnostics.ExpectedToken, file, pos, pos, [text]);
    return false;
  }

  protected errorAt(message: DiagnosticMessage, file: number, pos: number, end: number, args: ReadonlyArray<string | number> = []): void {
    // One error per position: cascades from one missing token would otherwise bury the real problem.
    if (pos === this.lastErrorPos || this.diagnostics.length >= MAX_COLLECTED_DIAGNOSTICS) return;
    this.lastErrorPos = pos;
    this.diagnostics.push({ code: message.code, category: message.category, message: formatMessage(message.message, args), file, pos, end });
  }
  protected error(message: DiagnosticMessage, t: Token = this.token, args: ReadonlyArray<string | number> = []): void {
    this.errorAt(message, t.file, t.pos, t.end, args);
  }

  protected startNode(t: Token = this.token): { file: number; pos: number } { return { file: t.file, pos: t.pos }; }
  protected span(t: Token): ast.Span { return { file: t.file, pos: t.pos, end: t.end }; }
  protected finish<T extends { file: number; pos: number; end?: number }>(node: T): T & { end: number } {
    const end = Math.max(this.previousEnd(), node.pos);
    (node as T & { end: number }).end = this.tokens[this.index - 1]?.file === node.file ? end : node.pos;
    return node as T & { end: number };
  }

  /** Enters one bracket level; false (with one diagnostic) when the cap is reached. */
  protected enter(): boolean {
    if (this.depth >= MAX_NESTING_DEPTH) {
      this.reportNestingTooDeep();
      return false;
    }
    this.depth++;
    return true;
  }
  protected leave(): void { this.depth--; }
  protected reportNestingTooDeep(): void {
    if (this.depthReported) return;
    this.depthReported = true;
    this.error(Diagnostics.NestingTooDeep, this.token, [MAX_NESTING_DEPTH]);
  }

  /** Skips a balanced bracket group starting at the current opener, iteratively. */
  protected skipBalanced(): void {
    let level = 0;
    do {
      const text = this.spell(this.token);
      if (text === '(' || text === '[' || text === '{') level++;
      else if (text === ')' || text === ']' || text === '}') level--;
      this.next();
    } while (level > 0 && !this.atEnd());
  }

  // ---------------------------------------------------------------- scopes
  protected pushScope(): void { this.scopes.push(new Map()); }
  protected popScope(): void { if (this.scopes.length > 1) this.scopes.pop(); }
  protected declareName(name: string, isTypedef: boolean): void { this.scopes[this.scopes.length - 1].set(name, isTypedef); }
  protected isTypedefName(t: Token = this.token): boolean {
    if (!this.isIdentifier(t)) return false;
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const entry = this.scopes[i].get(t.text);
      if (entry !== undefined) return entry;
    }
    for (const lazy of this.lazyTypedefs) if (this.index >= lazy.from && lazy.names.has(t.text)) return true;
    return this.preludeTypedefs.has(t.text);
  }

  /** Can the current token begin declaration specifiers (and so a declaration or a type name)? */
  protected startsDeclaration(t: Token = this.token): boolean {
    if (t.kind !== TokenKind.Identifier && t.kind !== TokenKind.Keyword) return false;
    const text = this.spell(t);
    return BUILTIN_TYPE_WORDS.has(text) || STORAGE_CLASSES.has(text) || TYPE_QUALIFIERS.has(text)
      || FUNCTION_SPECIFIERS.has(text) || text === 'struct' || text === 'union' || text === 'enum'
      || text === '__attribute__' || text === 'typeof' || text === '_Alignas' || text === '__auto_type'
      || text === '_Static_assert' || (text === '__extension__' && this.startsDeclaration(this.peek()))
      || this.isTypedefName(t);
  }
  protected startsTypeName(t: Token = this.token): boolean {
    if (!this.startsDeclaration(t)) return false;
    const text = this.spell(t);
    return !STORAGE_CLASSES.has(text) && text !== '_Static_assert';
  }

}
