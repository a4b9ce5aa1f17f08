/**
 * Recursive-descent parser for the C that BPF programs, libbpf's headers and vmlinux.h contain (C11 + the GNU
 * extensions clang accepts). Input is the preprocessor's token stream (keywords arrive as identifiers and
 * are classified here). Like the TypeScript parser it never throws: every problem becomes a diagnostic, and
 * the parser recovers so the rest of the file still gets a tree. Nesting is capped at clang's bracket depth
 * (256) so hostile input cannot overflow the JS stack.
 */
import { appendAll } from './arrays';
import * as ast from './ast';
import { Diagnostics, DiagnosticMessage, FrontEndDiagnostic, formatMessage, MAX_COLLECTED_DIAGNOSTICS } from './diagnostics';
import { Token, TokenKind } from './token';

/** clang's default `-fbracket-depth`. */
export const MAX_NESTING_DEPTH = 256;

const KEYWORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern',
  'float', 'for', 'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed',
  'sizeof', 'static', 'struct', 'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while',
  '_Alignas', '_Alignof', '_Atomic', '_Bool', '_Complex', '_Generic', '_Noreturn', '_Static_assert',
  '_Thread_local', '__attribute__', '__attribute', '__extension__', '__inline', '__inline__', '__restrict',
  '__restrict__', '__volatile__', '__volatile', '__const', '__const__', '__signed', '__signed__', 'typeof',
  '__typeof__', '__typeof', '__alignof__', '__alignof', 'asm', '__asm__', '__asm', '__int128',
  '__builtin_offsetof', '__builtin_va_arg', '__builtin_types_compatible_p', '__label__', '__auto_type',
  'static_assert', 'alignof', '_Float16', '__fp16', '__real__', '__imag__',
]);

/** Keyword spellings GNU gives alternative names to, mapped to the canonical one. */
const KEYWORD_ALIASES = new Map<string, string>(Object.entries({
  __attribute: '__attribute__', __inline: 'inline', __inline__: 'inline', __restrict: 'restrict',
  __restrict__: 'restrict', __volatile__: 'volatile', __volatile: 'volatile', __const: 'const',
  __const__: 'const', __signed: 'signed', __signed__: 'signed', __typeof__: 'typeof', __typeof: 'typeof',
  __alignof__: '_Alignof', __alignof: '_Alignof', alignof: '_Alignof', __asm__: 'asm', __asm: 'asm',
  static_assert: '_Static_assert',
}));

const BUILTIN_TYPE_WORDS = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', '_Complex',
  '__int128', '_Float16', '__fp16',
]);
const STORAGE_CLASSES = new Set(['typedef', 'extern', 'static', 'auto', 'register', '_Thread_local']);
const TYPE_QUALIFIERS = new Set(['const', 'volatile', 'restrict', '_Atomic']);
const FUNCTION_SPECIFIERS = new Set(['inline', '_Noreturn']);

/** Typedef names clang predeclares. */
const PREDECLARED_TYPEDEFS = ['__builtin_va_list', '__int128_t', '__uint128_t'];

const BINARY_PRECEDENCE = new Map<string, number>(Object.entries({
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
}));
const ASSIGNMENT_OPERATORS = new Set(['=', '*=', '/=', '%=', '+=', '-=', '<<=', '>>=', '&=', '^=', '|=']);

/** Digraphs the scanner may hand over unchanged. */
const DIGRAPHS = new Map<string, string>([['<:', '['], [':>', ']'], ['<%', '{'], ['%>', '}'], ['%:', '#'], ['%:%:', '##']]);

export interface ParseResult {
  unit: ast.TranslationUnit;
  diagnostics: FrontEndDiagnostic[];
  /** Typedef names visible at file scope after parsing (used to resume parsing after a cached preamble). */
  typedefNames: ReadonlySet<string>;
}

export interface ParseOptions {
  /** File-scope typedef names already declared (by a cached preamble); looked up, never copied. */
  typedefNames?: ReadonlySet<string>;
}

type Scope = Map<string, boolean>;

export function parse(tokens: readonly Token[], options: ParseOptions = {}): ParseResult {
  return new Parser(tokens, options).parseTranslationUnit();
}

/** Parses one expression (for tests, hover and the debugger's watch expressions). */
export function parseExpression(tokens: readonly Token[], options: ParseOptions = {}): { expression: ast.Expression; diagnostics: FrontEndDiagnostic[] } {
  const parser = new Parser(tokens, options);
  const expression = parser.parseExpressionOnly();
  return { expression, diagnostics: parser.diagnostics };
}

function spelling(t: Token): string {
  if (t.kind === TokenKind.Punctuator) return DIGRAPHS.get(t.text) ?? t.text;
  if (t.kind === TokenKind.Identifier || t.kind === TokenKind.Keyword) return KEYWORD_ALIASES.get(t.text) ?? t.text;
  // Literals never compare equal to punctuator or keyword spellings.
  return t.kind === TokenKind.Number ? '' : '\u0000' + t.text;
}

export function isKeyword(text: string): boolean {
  return KEYWORDS.has(text);
}

class Parser {
  readonly diagnostics: FrontEndDiagnostic[] = [];
  private readonly tokens: Token[];
  /** Normalised spelling of each token (aliases and digraphs resolved), computed once. */
  private readonly spellings: string[];
  private index = 0;
  private depth = 0;
  private depthReported = false;
  private readonly scopes: Scope[];
  /** The preamble's typedef names: consulted below the file scope, so each edit does not copy thousands of them. */
  private readonly preludeTypedefs: ReadonlySet<string>;
  private lastErrorPos = -1;
  private functionBodyDepth = 0;

  constructor(input: readonly Token[], options: ParseOptions) {
    this.tokens = input.filter((t) => t.kind !== TokenKind.Newline);
    const last = this.tokens[this.tokens.length - 1];
    if (!last || last.kind !== TokenKind.EndOfFile) {
      const at = last ?? { file: 0, end: 0 };
      this.tokens.push({ kind: TokenKind.EndOfFile, text: '', file: at.file, pos: at.end, end: at.end, leadingSpace: false, atLineStart: false });
    }
    this.spellings = this.tokens.map(spelling);
    const fileScope: Scope = new Map();
    for (const name of PREDECLARED_TYPEDEFS) fileScope.set(name, true);
    this.preludeTypedefs = options.typedefNames ?? new Set();
    this.scopes = [fileScope];
  }

  // ---------------------------------------------------------------- token helpers
  private get token(): Token { return this.tokens[this.index]; }
  private peek(offset = 1): Token { return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)]; }
  private previousEnd(): number { return this.index > 0 ? this.tokens[this.index - 1].end : 0; }
  private previousFile(): number { return this.index > 0 ? this.tokens[this.index - 1].file : this.token.file; }

  /** The spelling with keyword aliases and digraphs normalised; identifiers stay as spelled. */
  private spell(t: Token): string {
    if (t === this.tokens[this.index]) return this.spellings[this.index];
    return spelling(t);
  }
  /** Is the current token (or the one `t` names) spelled `text` as a punctuator or keyword? */
  private is(text: string, t?: Token): boolean {
    if (t === undefined || t === this.tokens[this.index]) return this.spellings[this.index] === text && this.tokens[this.index].kind !== TokenKind.StringLiteral && this.tokens[this.index].kind !== TokenKind.CharConstant;
    return (t.kind === TokenKind.Punctuator || t.kind === TokenKind.Identifier || t.kind === TokenKind.Keyword) && spelling(t) === text;
  }
  private isIdentifier(t: Token = this.token): boolean {
    return (t.kind === TokenKind.Identifier || t.kind === TokenKind.Keyword) && !KEYWORDS.has(t.text);
  }
  private atEnd(): boolean { return this.token.kind === TokenKind.EndOfFile; }
  private next(): Token {
    const t = this.token;
    if (t.kind !== TokenKind.EndOfFile) this.index++;
    return t;
  }
  private eat(text: string): boolean {
    if (this.is(text)) { this.index++; return true; }
    return false;
  }
  private expect(text: string): boolean {
    if (this.eat(text)) return true;
    // Like clang, a missing token is reported just after the previous one.
    const file = this.previousFile();
    const pos = this.previousEnd();
    this.errorAt(Diagnostics.ExpectedToken, file, pos, pos, [text]);
    return false;
  }

  private errorAt(message: DiagnosticMessage, file: number, pos: number, end: number, args: ReadonlyArray<string | number> = []): void {
    // One error per position: cascades from one missing token would otherwise bury the real problem.
    if (pos === this.lastErrorPos || this.diagnostics.length >= MAX_COLLECTED_DIAGNOSTICS) return;
    this.lastErrorPos = pos;
    this.diagnostics.push({ code: message.code, category: message.category, message: formatMessage(message.message, args), file, pos, end });
  }
  private error(message: DiagnosticMessage, t: Token = this.token, args: ReadonlyArray<string | number> = []): void {
    this.errorAt(message, t.file, t.pos, t.end, args);
  }

  private startNode(t: Token = this.token): { file: number; pos: number } { return { file: t.file, pos: t.pos }; }
  private finish<T extends { file: number; pos: number; end?: number }>(node: T): T & { end: number } {
    const end = Math.max(this.previousEnd(), node.pos);
    (node as T & { end: number }).end = this.tokens[this.index - 1]?.file === node.file ? end : node.pos;
    return node as T & { end: number };
  }

  /** Enters one bracket level; false (with one diagnostic) when the cap is reached. */
  private enter(): boolean {
    if (this.depth >= MAX_NESTING_DEPTH) {
      this.reportNestingTooDeep();
      return false;
    }
    this.depth++;
    return true;
  }
  private leave(): void { this.depth--; }
  private reportNestingTooDeep(): void {
    if (this.depthReported) return;
    this.depthReported = true;
    this.error(Diagnostics.NestingTooDeep, this.token, [MAX_NESTING_DEPTH]);
  }

  /** Skips a balanced bracket group starting at the current opener, iteratively. */
  private skipBalanced(): void {
    let level = 0;
    do {
      const text = this.spell(this.token);
      if (text === '(' || text === '[' || text === '{') level++;
      else if (text === ')' || text === ']' || text === '}') level--;
      this.next();
    } while (level > 0 && !this.atEnd());
  }

  // ---------------------------------------------------------------- scopes
  private pushScope(): void { this.scopes.push(new Map()); }
  private popScope(): void { if (this.scopes.length > 1) this.scopes.pop(); }
  private declareName(name: string, isTypedef: boolean): void { this.scopes[this.scopes.length - 1].set(name, isTypedef); }
  private isTypedefName(t: Token = this.token): boolean {
    if (!this.isIdentifier(t)) return false;
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const entry = this.scopes[i].get(t.text);
      if (entry !== undefined) return entry;
    }
    return this.preludeTypedefs.has(t.text);
  }

  /** Can the current token begin declaration specifiers (and so a declaration or a type name)? */
  private startsDeclaration(t: Token = this.token): boolean {
    if (t.kind !== TokenKind.Identifier && t.kind !== TokenKind.Keyword) return false;
    const text = this.spell(t);
    return BUILTIN_TYPE_WORDS.has(text) || STORAGE_CLASSES.has(text) || TYPE_QUALIFIERS.has(text)
      || FUNCTION_SPECIFIERS.has(text) || text === 'struct' || text === 'union' || text === 'enum'
      || text === '__attribute__' || text === 'typeof' || text === '_Alignas' || text === '__auto_type'
      || text === '_Static_assert' || (text === '__extension__' && this.startsDeclaration(this.peek()))
      || this.isTypedefName(t);
  }
  private startsTypeName(t: Token = this.token): boolean {
    if (!this.startsDeclaration(t)) return false;
    const text = this.spell(t);
    return !STORAGE_CLASSES.has(text) && text !== '_Static_assert';
  }

  // ---------------------------------------------------------------- translation unit
  parseTranslationUnit(): ParseResult {
    const start = this.startNode();
    const declarations: ast.ExternalDeclaration[] = [];
    while (!this.atEnd()) {
      const before = this.index;
      const declaration = this.parseExternalDeclaration();
      if (declaration) declarations.push(declaration);
      if (this.index === before) {
        // No progress: report the token and drop it (a stray `}` or `)`).
        this.error(Diagnostics.ExpectedDeclaration);
        this.next();
      }
    }
    const unit = this.finish({ kind: 'TranslationUnit' as const, ...start, end: 0, declarations });
    unit.end = this.token.pos;
    const fileScope = this.scopes[0];
    const prelude = this.preludeTypedefs;
    let typedefNames: Set<string> | undefined;
    return {
      unit, diagnostics: this.diagnostics,
      // Only a preamble's parse needs the set; built on first use.
      get typedefNames(): ReadonlySet<string> {
        if (!typedefNames) {
          typedefNames = new Set<string>();
          for (const name of prelude) if (fileScope.get(name) !== false) typedefNames.add(name);
          for (const [name, isTypedef] of fileScope) if (isTypedef) typedefNames.add(name);
        }
        return typedefNames;
      },
    };
  }

  parseExpressionOnly(): ast.Expression {
    const expression = this.parseExpression();
    if (!this.atEnd()) this.error(Diagnostics.UnexpectedToken, this.token, [this.token.text]);
    return expression;
  }

  private parseExternalDeclaration(): ast.ExternalDeclaration | undefined {
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

  private parseStaticAssert(): ast.StaticAssert {
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
    this.expect(';');
    return this.finish({ kind: 'StaticAssert' as const, ...start, end: 0, condition, message });
  }

  /**
   * A declaration, or at file scope a function definition. Also used in blocks, where a function definition
   * is reported (clang rejects nested functions) but still parsed so the rest of the file keeps its shape.
   */
  private parseDeclarationOrFunction(fileScope: boolean): ast.Declaration | ast.FunctionDefinition {
    const start = this.startNode();
    const specifiers = this.parseDeclarationSpecifiers(true);
    const declarators: ast.InitDeclarator[] = [];
    const isTypedef = specifiers.storage.includes('typedef');
    if (this.eat(';')) return this.finish({ kind: 'Declaration' as const, ...start, end: 0, specifiers, declarators });
    for (;;) {
      const declStart = this.startNode();
      const declarator = this.parseDeclarator(false);
      if (declarator.name) this.declareName(declarator.name.name, isTypedef);
      const last = declarator.derivations[declarator.derivations.length - 1];
      if (declarators.length === 0 && last?.kind === 'Function' && (this.is('{') || this.startsOldStyleParameters())) {
        if (!fileScope) this.error(Diagnostics.FunctionDefinitionNotAllowed);
        return this.parseFunctionBody(start, specifiers, declarator);
      }
      let initializer: ast.Initializer | undefined;
      if (this.eat('=')) initializer = this.parseInitializer();
      declarators.push(this.finish({ kind: 'InitDeclarator' as const, ...declStart, end: 0, declarator, initializer }));
      if (!this.eat(',')) break;
    }
    if (!this.expect(';')) this.recoverAfterDeclaration();
    return this.finish({ kind: 'Declaration' as const, ...start, end: 0, specifiers, declarators });
  }

  /** K&R parameter declarations between `)` and `{` are not used by BPF code; only detect, never accept. */
  private startsOldStyleParameters(): boolean { return false; }

  /** After a missing `;`: if garbage follows on the same line, skip to a plausible restart point. */
  private recoverAfterDeclaration(): void {
    while (!this.atEnd() && !this.token.atLineStart && !this.is(';') && !this.is('}') && !this.is('{')) this.next();
    this.eat(';');
  }

  private parseFunctionBody(start: { file: number; pos: number }, specifiers: ast.DeclarationSpecifiers, declarator: ast.Declarator): ast.FunctionDefinition {
    this.pushScope();
    const functionDerivation = declarator.derivations[declarator.derivations.length - 1];
    if (functionDerivation?.kind === 'Function') {
      for (const parameter of functionDerivation.parameters) {
        if (parameter.declarator.name) this.declareName(parameter.declarator.name.name, false);
      }
    }
    this.functionBodyDepth++;
    const body = this.parseCompoundStatement(false);
    this.functionBodyDepth--;
    this.popScope();
    return this.finish({ kind: 'FunctionDefinition' as const, ...start, end: 0, specifiers, declarator, body });
  }

  // ---------------------------------------------------------------- specifiers
  private parseDeclarationSpecifiers(allowStorage: boolean): ast.DeclarationSpecifiers {
    const start = this.startNode();
    const specifiers: ast.DeclarationSpecifiers = {
      kind: 'DeclarationSpecifiers', ...start, end: 0, storage: [], qualifiers: [], functionSpecifiers: [],
      attributes: [], alignas: [],
    };
    let builtinWords: string[] | undefined;
    let builtinStart: Token | undefined;
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

  private parseAutoType(): ast.TypeofSpecifier {
    const start = this.startNode();
    this.next();
    return this.finish({ kind: 'Typeof' as const, ...start, end: 0, operand: { kind: 'MissingExpression' as const, ...start, end: start.pos } });
  }

  private parseTypeofSpecifier(): ast.TypeofSpecifier {
    const start = this.startNode();
    this.next();
    this.expect('(');
    const operand = this.startsTypeName() ? this.parseTypeName() : this.parseExpression();
    this.expect(')');
    return this.finish({ kind: 'Typeof' as const, ...start, end: 0, operand });
  }

  private parseOptionalTagName(): ast.Identifier | undefined {
    if (!this.isIdentifier()) return undefined;
    const t = this.next();
    return { kind: 'Identifier', file: t.file, pos: t.pos, end: t.end, name: t.text };
  }

  private parseRecordSpecifier(): ast.RecordSpecifier {
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
      if (!this.eat('}')) this.error(Diagnostics.MissingClosingBrace, open);
      this.leave();
      appendAll(attributes, this.parseOptionalAttributes());
    } else if (!name) {
      this.error(Diagnostics.ExpectedIdentifier);
    }
    return this.finish({ kind: 'RecordSpecifier' as const, ...start, end: 0, tag, name, members, attributes });
  }

  private parseFieldDeclaration(): ast.FieldDeclaration | undefined {
    const start = this.startNode();
    if (!this.startsTypeName()) {
      this.error(Diagnostics.ExpectedTypeName);
      while (!this.atEnd() && !this.is(';') && !this.is('}')) this.next();
      this.eat(';');
      return undefined;
    }
    const specifiers = this.parseDeclarationSpecifiers(false);
    const declarators: ast.FieldDeclaration['declarators'] = [];
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
    if (!this.expect(';')) {
      while (!this.atEnd() && !this.is(';') && !this.is('}') && !this.token.atLineStart) this.next();
      this.eat(';');
    }
    return this.finish({ kind: 'FieldDeclaration' as const, ...start, end: 0, specifiers, declarators });
  }

  private emptyDeclarator(): ast.Declarator {
    const t = this.token;
    return { kind: 'Declarator', file: t.file, pos: t.pos, end: t.pos, derivations: [], attributes: [] };
  }

  private parseEnumSpecifier(): ast.EnumSpecifier {
    const start = this.startNode();
    this.next();
    const attributes = this.parseOptionalAttributes();
    const name = this.parseOptionalTagName();
    appendAll(attributes, this.parseOptionalAttributes());
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
    return this.finish({ kind: 'EnumSpecifier' as const, ...start, end: 0, name, enumerators, attributes });
  }

  // ---------------------------------------------------------------- attributes
  private parseOptionalAttributes(): ast.Attribute[] {
    const attributes: ast.Attribute[] = [];
    while (this.is('__attribute__')) appendAll(attributes, this.parseAttributes());
    return attributes;
  }

  /** `__attribute__((a, b(args), ...))`; the arguments are parsed as expressions (identifiers stay unresolved). */
  private parseAttributes(): ast.Attribute[] {
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

  private skipToCloseParen(): void {
    while (!this.atEnd() && !this.is(')') && !this.is(';')) {
      if (this.is('(')) this.skipBalanced(); else this.next();
    }
  }

  private parseAsmBody(): string {
    while (this.is('volatile') || this.is('inline') || this.is('goto')) this.next();
    if (!this.is('(')) { this.expect('('); return ''; }
    const from = this.token;
    this.skipBalanced();
    return this.tokens.slice(this.tokens.indexOf(from) + 1, this.index - 1).map((t) => t.text).join(' ');
  }

  // ---------------------------------------------------------------- declarators
  /**
   * Parses a (possibly abstract) declarator. The result lists derivations innermost-first: pointers bind
   * before the suffixes of the same level, and an inner parenthesised declarator applies last.
   */
  private parseDeclarator(abstract: boolean): ast.Declarator {
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
    } else if (this.is('(') && this.startsNestedDeclarator(abstract)) {
      if (!this.enter()) { this.skipBalanced(); }
      else {
        this.next();
        inner = this.parseDeclarator(abstract);
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

  /** After `(` in a declarator: a nested declarator, or (abstract only) a parameter list? */
  private startsNestedDeclarator(abstract: boolean): boolean {
    const after = this.peek();
    if (this.is('*', after) || this.is('^', after) || this.is('(', after) || this.is('[', after) || this.is('__attribute__', after)) {
      // `(__attribute__(...) int x)` is a parameter list; `(__attribute__(...) *p)` a declarator. Rare: assume declarator.
      return true;
    }
    if (abstract) return false;
    return this.isIdentifier(after) && !this.isTypedefName(after);
  }

  private parseParameterList(): ast.Derivation {
    const parameters: ast.ParameterDeclaration[] = [];
    let variadic = false;
    if (this.is(')')) return { kind: 'Function', parameters, variadic, oldStyle: true };
    this.pushScope();
    for (;;) {
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
      const declarator = this.parseDeclarator(true);
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
    return { kind: 'Function', parameters, variadic, oldStyle: false };
  }

  parseTypeName(): ast.TypeName {
    const start = this.startNode();
    if (!this.startsTypeName()) this.error(Diagnostics.ExpectedTypeName);
    const specifiers = this.parseDeclarationSpecifiers(false);
    const declarator = this.parseDeclarator(true);
    return this.finish({ kind: 'TypeName' as const, ...start, end: 0, specifiers, declarator });
  }

  // ---------------------------------------------------------------- initializers
  private parseInitializer(): ast.Initializer {
    if (this.is('{')) return this.parseInitializerList();
    return this.parseAssignment();
  }

  private parseInitializerList(): ast.InitializerList {
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

  // ---------------------------------------------------------------- statements
  private parseCompoundStatement(ownScope = true): ast.CompoundStatement {
    const start = this.startNode();
    const open = this.token;
    const items: ast.CompoundStatement['items'] = [];
    if (!this.is('{')) { this.expect('{'); return this.finish({ kind: 'Compound' as const, ...start, end: 0, items }); }
    if (!this.enter()) { this.skipBalanced(); return this.finish({ kind: 'Compound' as const, ...start, end: 0, items }); }
    this.next();
    if (ownScope) this.pushScope();
    let closed = false;
    while (!this.atEnd()) {
      if (this.is('}')) { this.next(); closed = true; break; }
      if (this.looksLikeNextFunction()) break;
      const before = this.index;
      const item = this.parseBlockItem();
      if (item) items.push(item);
      if (this.index === before) { this.error(Diagnostics.ExpectedStatement); this.next(); }
    }
    if (!closed) this.error(Diagnostics.MissingClosingBrace, open);
    if (ownScope) this.popScope();
    this.leave();
    return this.finish({ kind: 'Compound' as const, ...start, end: 0, items });
  }

  /**
   * A declaration starting in column 0 inside a function body almost always means the body's `}` is missing
   * (declarations in bodies are indented). Ending the body there gives one diagnostic instead of a cascade.
   */
  private looksLikeNextFunction(): boolean {
    const t = this.token;
    return this.functionBodyDepth > 0 && t.atLineStart && !t.leadingSpace && !t.origin && this.startsDeclaration(t)
      && this.spell(t) !== '__extension__';
  }

  private parseBlockItem(): ast.Statement | ast.Declaration | ast.StaticAssert | undefined {
    if (this.is('_Static_assert')) return this.parseStaticAssert();
    if (this.is('__label__')) { while (!this.atEnd() && !this.eat(';')) this.next(); return undefined; }
    if (this.startsDeclaration() && !(this.isTypedefName() && this.is(':', this.peek()))) {
      const declaration = this.parseDeclarationOrFunction(false);
      return declaration.kind === 'FunctionDefinition' ? declaration.body : declaration;
    }
    return this.parseStatement();
  }

  private parseStatement(): ast.Statement {
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
          this.expect(';');
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
          this.expect(';');
          return this.finish({ kind: keyword === 'break' ? 'Break' as const : 'Continue' as const, ...start, end: 0 });
        }
        case 'goto': {
          this.next();
          const label = this.parseIdentifierOrMissing();
          this.expect(';');
          return this.finish({ kind: 'Goto' as const, ...start, end: 0, label });
        }
        case 'return': {
          this.next();
          const value = this.is(';') ? undefined : this.parseExpression();
          this.expect(';');
          return this.finish({ kind: 'Return' as const, ...start, end: 0, value });
        }
        case 'asm': {
          this.next();
          const template = this.parseAsmBody();
          this.expect(';');
          return this.finish({ kind: 'Asm' as const, ...start, end: 0, template });
        }
        default: break;
      }
      if (this.eat(';')) return this.finish({ kind: 'ExpressionStatement' as const, ...start, end: 0 });
      if (this.isIdentifier() && this.is(':', this.peek())) {
        const label = this.parseIdentifierOrMissing();
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
      if (!this.expect(';')) this.recoverAfterStatement();
      return this.finish({ kind: 'ExpressionStatement' as const, ...start, end: 0, expression });
    } finally {
      this.depth--;
    }
  }

  /** A label at the end of a block (`out: }`) is accepted by clang 14 with a warning only in C2x; keep it empty. */
  private parseLabeledBody(): ast.Statement {
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

  private recoverAfterStatement(): void {
    while (!this.atEnd() && !this.token.atLineStart && !this.is(';') && !this.is('}') && !this.is('{')) this.next();
    this.eat(';');
  }

  private parseParenthesizedCondition(): ast.Expression {
    this.expect('(');
    const condition = this.parseExpression();
    this.expect(')');
    return condition;
  }

  private parseIdentifierOrMissing(): ast.Identifier {
    const t = this.token;
    if (this.isIdentifier()) { this.next(); return { kind: 'Identifier', file: t.file, pos: t.pos, end: t.end, name: t.text }; }
    this.error(Diagnostics.ExpectedIdentifier);
    return { kind: 'Identifier', file: t.file, pos: t.pos, end: t.pos, name: '' };
  }

  // ---------------------------------------------------------------- expressions
  private parseExpression(): ast.Expression {
    const start = this.startNode();
    const first = this.parseAssignment();
    if (!this.is(',')) return first;
    const expressions = [first];
    while (this.eat(',')) expressions.push(this.parseAssignment());
    return this.finish({ kind: 'Comma' as const, ...start, end: 0, expressions });
  }

  private parseAssignment(): ast.Expression {
    const start = this.startNode();
    const left = this.parseConditional();
    const operator = this.spell(this.token);
    if (this.token.kind === TokenKind.Punctuator && ASSIGNMENT_OPERATORS.has(operator)) {
      this.next();
      // Right-associative chains `a = b = c = ...` recurse; the bracket-depth cap bounds them too.
      if (!this.enter()) { this.skipExpressionRest(); return left; }
      const right = this.parseAssignment();
      this.leave();
      return this.finish({ kind: 'Assignment' as const, ...start, end: 0, operator, left, right });
    }
    return left;
  }

  private parseConditional(): ast.Expression {
    const start = this.startNode();
    const condition = this.parseBinary(1);
    if (!this.is('?')) return condition;
    this.next();
    // GNU `a ?: b`.
    if (!this.enter()) { this.skipExpressionRest(); return condition; }
    const whenTrue = this.is(':') ? undefined : this.parseExpression();
    this.leave();
    this.expect(':');
    if (!this.enter()) { this.skipExpressionRest(); return condition; }
    const whenFalse = this.parseConditional();
    this.leave();
    return this.finish({ kind: 'Conditional' as const, ...start, end: 0, condition, whenTrue, whenFalse });
  }

  /** Precedence climbing: one JS frame per precedence level actually used, not per grammar rule. */
  private parseBinary(minPrecedence: number): ast.Expression {
    const start = this.startNode();
    let left = this.parseCast();
    for (;;) {
      const t = this.token;
      if (t.kind !== TokenKind.Punctuator) break;
      const operator = this.spell(t);
      const precedence = BINARY_PRECEDENCE.get(operator);
      if (precedence === undefined || precedence < minPrecedence) break;
      this.next();
      const right = this.parseBinary(precedence + 1);
      left = this.finish({ kind: 'Binary' as const, ...start, end: 0, operator, left, right });
    }
    return left;
  }

  private parseCast(): ast.Expression {
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
  private parseCastOperand(): ast.Expression {
    if (!this.enter()) { const start = this.startNode(); this.next(); return this.missing(start); }
    const operand = this.parseCast();
    this.leave();
    return operand;
  }

  /** After the depth cap: skips to the end of the expression (`;`, `,` at this level, or a closer). */
  private skipExpressionRest(): void {
    while (!this.atEnd() && !this.is(';') && !this.is(',') && !this.is(')') && !this.is(']') && !this.is('}')) {
      if (this.is('(') || this.is('[') || this.is('{')) this.skipBalanced(); else this.next();
    }
  }

  private missing(start: { file: number; pos: number }): ast.MissingExpression {
    return { kind: 'MissingExpression', ...start, end: Math.max(start.pos, this.previousEnd()) };
  }

  private parseUnary(): ast.Expression {
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
        return this.finish({ kind: 'Sizeof' as const, ...start, end: 0, operator: text, operand });
      }
      if (text === '__extension__' || text === '__real__' || text === '__imag__') {
        this.next();
        return this.parseCastOperand();
      }
    }
    return this.parsePostfix();
  }

  private parsePostfix(): ast.Expression {
    const start = this.startNode();
    const primary = this.parsePrimary();
    return this.parsePostfixOperators(primary, start);
  }

  private parsePostfixOperators(expression: ast.Expression, start: { file: number; pos: number }): ast.Expression {
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
        this.next();
        const index = this.parseExpression();
        this.expect(']');
        this.leave();
        result = this.finish({ kind: 'Index' as const, ...start, end: 0, object: result, index });
      } else if (text === '(') {
        if (!this.enter()) { this.skipBalanced(); break; }
        this.next();
        const args: ast.Expression[] = [];
        while (!this.is(')') && !this.atEnd()) {
          const before = this.index;
          args.push(this.parseAssignment());
          if (!this.eat(',')) break;
          if (this.index === before) break;
        }
        this.expect(')');
        this.leave();
        result = this.finish({ kind: 'Call' as const, ...start, end: 0, callee: result, args });
      } else if (text === '.' || text === '->') {
        this.next();
        const member = this.parseIdentifierOrMissing();
        result = this.finish({ kind: 'Member' as const, ...start, end: 0, object: result, arrow: text === '->', member });
      } else if (text === '++' || text === '--') {
        this.next();
        result = this.finish({ kind: 'Postfix' as const, ...start, end: 0, operator: text, operand: result });
      } else break;
    }
    return result;
  }

  private parsePrimary(): ast.Expression {
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

  private parseGeneric(): ast.Expression {
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

  private parseOffsetof(): ast.Expression {
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

  private numberLiteral(t: Token): ast.Expression {
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

// ---------------------------------------------------------------- literal decoding

export function parseNumber(text: string): { kind: 'int'; value: bigint; unsigned: boolean; longs: number; decimal: boolean } | { kind: 'float'; value: number } | undefined {
  const lower = text.toLowerCase();
  const isHex = lower.startsWith('0x');
  const isFloat = isHex ? /[.p]/.test(lower) : /[.e]/.test(lower);
  if (isFloat) {
    const body = lower.replace(/[fl]$/, '');
    const value = isHex ? parseHexFloat(body) : Number(body);
    return Number.isNaN(value) ? undefined : { kind: 'float', value };
  }
  const match = /^(0x[0-9a-f]+|0b[01]+|0[0-7]*|[1-9][0-9]*)(u?l{0,2}|l{1,2}u)$/.exec(lower.replace(/'/g, ''));
  if (!match || /lL|Ll/.test(text)) return undefined;
  const digits = match[1];
  const suffix = match[2];
  const value = digits.startsWith('0b') ? BigInt(digits) : digits.startsWith('0x') ? BigInt(digits) : digits.length > 1 && digits.startsWith('0') ? BigInt('0o' + digits.slice(1)) : BigInt(digits);
  return { kind: 'int', value, unsigned: suffix.includes('u'), longs: (suffix.match(/l/g) ?? []).length, decimal: !digits.startsWith('0') || digits === '0' };
}

function parseHexFloat(body: string): number {
  const match = /^0x([0-9a-f]*)(?:\.([0-9a-f]*))?p([+-]?\d+)$/.exec(body);
  if (!match) return NaN;
  const mantissa = parseInt((match[1] || '0') + (match[2] ?? ''), 16);
  return mantissa * Math.pow(2, Number(match[3]) - 4 * (match[2]?.length ?? 0));
}

const SIMPLE_ESCAPES = new Map<string, number>(Object.entries({ n: 10, t: 9, r: 13, '0': 0, a: 7, b: 8, f: 12, v: 11, e: 27, '\\': 92, "'": 39, '"': 34, '?': 63 }));

/** Decodes the escapes of a literal's body into code units. */
function decodeEscapes(body: string): number[] {
  const units: number[] = [];
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\' || i + 1 >= body.length) { units.push(body.charCodeAt(i)); continue; }
    const e = body[++i];
    if (e === 'x') {
      let j = i + 1;
      while (j < body.length && /[0-9a-fA-F]/.test(body[j])) j++;
      units.push(parseInt(body.slice(i + 1, j) || '0', 16));
      i = j - 1;
    } else if (/[0-7]/.test(e)) {
      let j = i;
      while (j < body.length && j < i + 3 && /[0-7]/.test(body[j])) j++;
      units.push(parseInt(body.slice(i, j), 8));
      i = j - 1;
    } else {
      units.push(SIMPLE_ESCAPES.get(e) ?? e.charCodeAt(0));
    }
  }
  return units;
}

export function charValue(text: string): bigint {
  const quote = text.indexOf("'");
  const body = text.slice(quote + 1, text.endsWith("'") ? -1 : undefined);
  const units = decodeEscapes(body);
  if (quote > 0) return BigInt(units[0] ?? 0);
  // Plain `char` is signed on BPF: '\xff' is -1.
  let value = 0n;
  for (const unit of units) value = (value << 8n) | BigInt(unit & 0xff);
  return units.length === 1 ? BigInt.asIntN(8, value) : BigInt.asIntN(32, value);
}

function decodeStringBody(text: string): string {
  const quote = text.indexOf('"');
  const body = text.slice(quote + 1, text.endsWith('"') && text.length > quote + 1 ? -1 : undefined);
  // Most literals have no escape: the body is the value (a self-including file copied a 1 MB one 64 times).
  if (body.indexOf('\\') < 0) return body;
  const units = decodeEscapes(body);
  const chunks: string[] = [];
  for (let i = 0; i < units.length; i += 8192) chunks.push(String.fromCharCode(...units.slice(i, i + 8192)));
  return chunks.join('');
}
