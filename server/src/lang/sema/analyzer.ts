/**
 * Binder and expression checker: builds scopes and symbols, gives every expression a C type, resolves
 * identifiers to symbols and member names to fields, evaluates integer constant expressions, and reports
 * what `clang -fsyntax-only -target bpf` rejects as errors (undeclared names, missing members, wrong
 * argument counts, non-assignable targets, incompatible struct assignments, redefinitions).
 * Like the parser it never throws: an ill-typed expression gets the error type and nothing cascades from it.
 */
import { appendAll } from '../arrays';
import { atomicBuiltin, atomicResult } from '../atomics';
import * as ast from '../ast';
import { Diagnostics, DiagnosticMessage, FrontEndDiagnostic, formatMessage, MAX_COLLECTED_DIAGNOSTICS } from '../diagnostics';
import {
  CType, EnumInfo, FieldInfo, FunctionType, IntegerType, RecordInfo, Types, alignOf, builtinType, compatible,
  enumUnderlyingType, findMember, integerLiteralType, isArithmetic, isComplete, isError, isInteger, isPointer,
  isScalar, isVoid, layoutRecord, promote, resolve, sizeOf, typeToString, unqualified, usualArithmeticConversions,
  withQualifiers, wrapInteger, FieldDeclarationForLayout,
} from '../types';
import { parseNumber } from '../parser';

export type SymbolKind = 'variable' | 'function' | 'typedef' | 'enumerator' | 'parameter';

export interface CSymbol {
  name: string;
  kind: SymbolKind;
  type: CType;
  /** The declarator (or enumerator) node that declared it first; definitions replace it. */
  declaration: ast.Node;
  /** Enumerator value. */
  value?: bigint;
  storage: ast.DeclarationSpecifiers['storage'];
  attributes: ast.Attribute[];
  defined: boolean;
  fileScope: boolean;
  initializer?: ast.Initializer;
}

export type Tag = { kind: 'record'; info: RecordInfo } | { kind: 'enum'; info: EnumInfo };

export interface Scope {
  parent?: Scope;
  symbols: Map<string, CSymbol>;
  tags: Map<string, Tag>;
}

/** What a name in the source resolves to: a symbol, a struct field, or a tag. */
export interface Reference {
  file: number;
  pos: number;
  end: number;
  symbol?: CSymbol;
  field?: FieldInfo;
  record?: RecordInfo;
  tag?: Tag;
}

export interface SemanticModel {
  diagnostics: FrontEndDiagnostic[];
  fileScope: Scope;
  typeOf(node: ast.Node): CType | undefined;
  /** Resolution of an identifier, member name or tag name at [file, offset]. */
  referenceAt(file: number, offset: number): Reference | undefined;
  /**
   * Resolution of an identifier node itself. Unlike a position, a node is unique even when many nodes share
   * one source range (identifiers from the body of a macro expanded several times).
   */
  referenceOf(node: ast.Identifier): Reference | undefined;
  references: Reference[];
  /** Integer constant value of an expression, or undefined when it is not a constant. */
  evaluate(expression: ast.Expression): bigint | undefined;
  /** Types of declarators (variables, functions, fields, parameters) by node. */
  declaredType(declarator: ast.Declarator): CType | undefined;
  /** Function definitions in source order with their types. */
  functions: Array<{ definition: ast.FunctionDefinition; symbol: CSymbol }>;
}

export interface AnalyzeOptions {
  /** A file scope from a cached preamble; it is extended, not modified (a child scope is used). */
  preludeScope?: Scope;
  /** Headers indexed, not parsed (lang/lazyHeader.ts): their declarations join the file scope when first named. */
  lazy?: readonly LazyDeclarations[];
}

/**
 * The declarations of one lazily indexed header (lazyHeader.ts): which declaration declares a tag or a name,
 * and how to parse one. The file scope consults it on a miss; a record named only (`struct mm_struct *mm`) is a
 * shell whose members are bound when first read.
 */
export interface LazyDeclarations {
  tags: ReadonlyMap<string, number>;
  symbols: ReadonlyMap<string, number>;
  /** The record tag (`struct`/`union`) a tag's declaration defines, without parsing it. */
  recordTag(declaration: number): 'struct' | 'union' | undefined;
  parse(declaration: number): ast.ExternalDeclaration[];
  /** Inside the header's `#pragma clang attribute push(preserve_access_index)`: its records get the attribute. */
  preserveAccessIndex: boolean;
}

/**
 * A file-scope table that also holds the names of lazily indexed headers: a miss binds the declaration that
 * declares the name, then answers. `keys()` lists the indexed names too (completion); `values()` only what is bound.
 */
class LazyScopeTable<V> extends Map<string, V> {
  constructor(private readonly onMiss: (name: string) => void, private readonly indexedNames: () => Iterable<string>) { super(); }
  override get(name: string): V | undefined {
    const found = super.get(name);
    if (found !== undefined) return found;
    this.onMiss(name);
    return super.get(name);
  }
  override has(name: string): boolean { return this.get(name) !== undefined; }
  override *keys(): MapIterator<string> {
    const seen = new Set<string>();
    for (const name of super.keys()) { seen.add(name); yield name; }
    for (const name of this.indexedNames()) if (!seen.has(name)) { seen.add(name); yield name; }
  }
}

const RECORD_PROPERTIES = ['complete', 'fields', 'size', 'align', 'packed', 'preserveAccessIndex', 'declaration'] as const;

/** A record of a lazily indexed header not bound yet: reading any member-related property binds it first. */
function recordShell(tag: 'struct' | 'union', name: string, bind: (shell: RecordInfo) => void): RecordInfo {
  const shell = { tag, name } as RecordInfo;
  const settle = (): void => {
    const initial: Omit<RecordInfo, 'tag' | 'name'> = { complete: false, fields: [], size: 0, align: 1, packed: false, preserveAccessIndex: undefined, declaration: undefined };
    for (const property of RECORD_PROPERTIES) Object.defineProperty(shell, property, { value: initial[property], writable: true, enumerable: true, configurable: true });
    bind(shell);
  };
  for (const property of RECORD_PROPERTIES) {
    Object.defineProperty(shell, property, {
      configurable: true, enumerable: true,
      get() { settle(); return shell[property]; },
      set(value: unknown) { settle(); (shell as unknown as Record<string, unknown>)[property] = value; },
    });
  }
  return shell;
}

/** A record of a lazily indexed header whose members are not bound yet (reading them would bind it). */
export function isUnboundRecord(record: RecordInfo): boolean {
  return Object.getOwnPropertyDescriptor(record, 'complete')?.get !== undefined;
}

/** Records inside a `preserve_access_index` pragma get the attribute, with the anonymous records they nest. */
function markPreserved(record: RecordInfo, seen = new Set<RecordInfo>()): void {
  if (seen.has(record)) return;
  seen.add(record);
  record.preserveAccessIndex = true;
  for (const field of record.fields) {
    const type = resolve(field.type);
    if (type.kind === 'record' && !type.record.name) markPreserved(type.record, seen);
  }
}

const SIZE_T = Types.unsignedLong;
const PTRDIFF_T = Types.long;

/** Return types of the clang builtins BPF programs and libbpf's headers use (from clang's Builtins*.def). */
const BUILTIN_RETURNS: Record<string, CType | 'first-argument' | 'chosen'> = {
  __builtin_expect: Types.long,
  __builtin_expect_with_probability: Types.long,
  __builtin_constant_p: Types.int,
  __builtin_memcpy: { kind: 'pointer', to: Types.void },
  __builtin_memset: { kind: 'pointer', to: Types.void },
  __builtin_memmove: { kind: 'pointer', to: Types.void },
  __builtin_memcmp: Types.int,
  __builtin_bswap16: Types.unsignedShort,
  __builtin_bswap32: Types.unsignedInt,
  __builtin_bswap64: Types.unsignedLongLong,
  __builtin_preserve_access_index: 'first-argument',
  __builtin_preserve_field_info: Types.unsignedInt,
  __builtin_preserve_type_info: Types.unsignedInt,
  __builtin_preserve_enum_value: Types.long,
  __builtin_btf_type_id: Types.unsignedLong,
  __builtin_choose_expr: 'chosen',
  __builtin_unreachable: Types.void,
  __builtin_trap: Types.void,
  __builtin_abort: Types.void,
  __builtin_clz: Types.int, __builtin_ctz: Types.int, __builtin_popcount: Types.int,
  __builtin_clzll: Types.int, __builtin_ctzll: Types.int, __builtin_popcountll: Types.int,
  __builtin_ffs: Types.int,
  __builtin_va_start: Types.void, __builtin_va_end: Types.void, __builtin_va_copy: Types.void,
  __builtin_frame_address: { kind: 'pointer', to: Types.void },
  __builtin_return_address: { kind: 'pointer', to: Types.void },
  __builtin_object_size: SIZE_T,
  __builtin_strlen: SIZE_T,
  __builtin_strcmp: Types.int,
  __builtin_strncmp: Types.int,
};

/** A type as clang quotes it in diagnostics: `'__u32' (aka 'unsigned int')` for a typedef. */
function quotedWithAka(type: CType): string {
  const written = typeToString(type);
  const canonical = typeToString(withoutTypedefs(type, 0));
  return written === canonical ? `'${written}'` : `'${written}' (aka '${canonical}')`;
}

/** The type with every typedef replaced by its target, at any depth (clang's canonical type, for 'aka'). */
function withoutTypedefs(type: CType, depth: number): CType {
  if (depth > 32) return type;
  switch (type.kind) {
    case 'typedef': {
      const target = withoutTypedefs(type.target, depth + 1);
      return type.qualifiers ? withQualifiers(target, type.qualifiers) : target;
    }
    case 'pointer': return { ...type, to: withoutTypedefs(type.to, depth + 1) };
    case 'array': return { ...type, of: withoutTypedefs(type.of, depth + 1) };
    case 'function': return { ...type, returns: withoutTypedefs(type.returns, depth + 1), params: type.params.map((p) => withoutTypedefs(p, depth + 1)) };
    default: return type;
  }
}

function* lazyNames(lazy: readonly LazyDeclarations[], table: 'symbols' | 'tags'): Iterable<string> {
  for (const source of lazy) yield* source[table].keys();
}

export function analyze(unit: ast.TranslationUnit, options: AnalyzeOptions = {}): SemanticModel {
  return new SemanticAnalyzer(options).run(unit);
}

/**
 * The type a type name denotes at file scope (a scope from a compilation's model): the debugger's casts and sizeofs
 * in watch expressions are typed by the checker that typed the program, not by a second resolver.
 */
export function typeOfTypeName(node: ast.TypeName, scope: Scope): { type: CType; diagnostics: FrontEndDiagnostic[] } {
  const analyzer = new SemanticAnalyzer({ preludeScope: scope });
  const type = analyzer.typeName(node);
  return { type, diagnostics: analyzer.reported() };
}

/** Every typedef name visible in a scope and its parents (what the parser needs to read a cast). */
export function typedefNamesIn(scope: Scope): Set<string> {
  const names = new Set<string>();
  const seen = new Set<string>();
  // an inner declaration hides an outer typedef of the same name
  for (let s: Scope | undefined = scope; s; s = s.parent) {
    for (const [name, symbol] of s.symbols) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (symbol.kind === 'typedef') names.add(name);
    }
  }
  return names;
}

interface FunctionContext { name: string; returns: CType; labels: Set<string>; gotos: ast.Identifier[] }
/** The case values and default label of a switch being analysed (clang's duplicate checks in ActOnFinishSwitchStmt). */
interface SwitchContext { values: Map<bigint, ast.Node>; defaultLabel?: ast.Node }

class SemanticAnalyzer {
  private readonly diagnostics: FrontEndDiagnostic[] = [];
  private readonly types = new Map<ast.Node, CType>();
  private readonly declaratorTypes = new Map<ast.Declarator, CType>();
  private readonly references: Reference[] = [];
  private readonly referencesByNode = new Map<ast.Identifier, Reference>();
  private scope: Scope;
  private readonly fileScope: Scope;
  private functionContext?: FunctionContext;
  private loopDepth = 0;
  private switchDepth = 0;
  private readonly switches: SwitchContext[] = [];
  private readonly functions: SemanticModel['functions'] = [];

  /** Per lazy header, the declarations bound so far. */
  private readonly bound: Array<Set<number>> = [];
  private referencesSorted = true;

  constructor(options: AnalyzeOptions) {
    const lazy = options.lazy ?? [];
    this.fileScope = lazy.length === 0
      ? { parent: options.preludeScope, symbols: new Map(), tags: new Map() }
      : {
        parent: options.preludeScope,
        symbols: new LazyScopeTable<CSymbol>((name) => this.bindLazySymbol(lazy, name), () => lazyNames(lazy, 'symbols')),
        tags: new LazyScopeTable<Tag>((name) => this.bindLazyTag(lazy, name), () => lazyNames(lazy, 'tags')),
      };
    for (let i = 0; i < lazy.length; i++) this.bound.push(new Set());
    this.scope = this.fileScope;
    if (!options.preludeScope) {
      this.scope.symbols.set('__builtin_va_list', {
        name: '__builtin_va_list', kind: 'typedef', type: { kind: 'pointer', to: Types.char }, declaration: { kind: 'MissingExpression', file: -1, pos: 0, end: 0 },
        storage: ['typedef'], attributes: [], defined: true, fileScope: true,
      });
      for (const [name, type] of [['__int128_t', Types.int128], ['__uint128_t', Types.unsignedInt128]] as const) {
        this.scope.symbols.set(name, { name, kind: 'typedef', type, declaration: { kind: 'MissingExpression', file: -1, pos: 0, end: 0 }, storage: ['typedef'], attributes: [], defined: true, fileScope: true });
      }
    }
  }

  run(unit: ast.TranslationUnit): SemanticModel {
    for (const declaration of unit.declarations) this.externalDeclaration(declaration);
    const references = this.references.sort((a, b) => a.file - b.file || a.pos - b.pos);
    this.referencesSorted = true;
    return {
      diagnostics: this.diagnostics,
      fileScope: this.fileScope,
      typeOf: (node) => this.types.get(node),
      references,
      referenceAt: (file, offset) => {
        // declarations of a lazy header bound since: their references were appended
        if (!this.referencesSorted) { references.sort((a, b) => a.file - b.file || a.pos - b.pos); this.referencesSorted = true; }
        let low = 0;
        let high = references.length - 1;
        let found: Reference | undefined;
        while (low <= high) {
          const middle = (low + high) >> 1;
          const candidate = references[middle];
          if (candidate.file < file || (candidate.file === file && candidate.pos <= offset)) {
            if (candidate.file === file && offset < candidate.end) found = candidate;
            low = middle + 1;
          } else high = middle - 1;
        }
        return found;
      },
      referenceOf: (node) => this.referencesByNode.get(node),
      evaluate: (expression) => this.evaluate(expression),
      declaredType: (declarator) => this.declaratorTypes.get(declarator),
      functions: this.functions,
    };
  }

  // ---------------------------------------------------------------- diagnostics and scopes
  private report(message: DiagnosticMessage, node: { file: number; pos: number; end: number }, args: ReadonlyArray<string | number | bigint> = []): void {
    if (this.diagnostics.length >= MAX_COLLECTED_DIAGNOSTICS) return;
    this.diagnostics.push({ code: message.code, category: message.category, message: formatMessage(message.message, args), file: node.file, pos: node.pos, end: node.end });
  }

  /** A symbol of the preamble's file scope (the same C scope as this file's, see declareOverPrelude). */
  private preludeSymbol(name: string): CSymbol | undefined {
    for (let scope = this.fileScope.parent; scope; scope = scope.parent) {
      const symbol = scope.symbols.get(name);
      if (symbol) return symbol;
    }
    return undefined;
  }
  private preludeTag(name: string): Tag | undefined {
    for (let scope = this.fileScope.parent; scope; scope = scope.parent) {
      const tag = scope.tags.get(name);
      if (tag) return tag;
    }
    return undefined;
  }

  private lookup(name: string): CSymbol | undefined {
    for (let scope: Scope | undefined = this.scope; scope; scope = scope.parent) {
      const symbol = scope.symbols.get(name);
      if (symbol) return symbol;
    }
    return undefined;
  }
  private lookupTag(name: string): Tag | undefined {
    for (let scope: Scope | undefined = this.scope; scope; scope = scope.parent) {
      const tag = scope.tags.get(name);
      if (tag) return tag;
    }
    return undefined;
  }
  private withScope<T>(body: () => T): T {
    const saved = this.scope;
    this.scope = { parent: saved, symbols: new Map(), tags: new Map() };
    try { return body(); } finally { this.scope = saved; }
  }
  private refer(node: ast.Identifier, target: Omit<Reference, 'file' | 'pos' | 'end'>): void {
    const reference = { file: node.file, pos: node.pos, end: node.end, ...target };
    this.referencesByNode.set(node, reference);
    if (node.end > node.pos) { this.references.push(reference); this.referencesSorted = false; }
  }

  // ---------------------------------------------------------------- lazily indexed headers
  private bindLazySymbol(lazy: readonly LazyDeclarations[], name: string): void {
    for (let i = 0; i < lazy.length; i++) {
      const declaration = lazy[i].symbols.get(name);
      if (declaration !== undefined) { this.bindLazy(lazy, i, declaration); return; }
    }
  }

  private bindLazyTag(lazy: readonly LazyDeclarations[], name: string): void {
    for (let i = 0; i < lazy.length; i++) {
      const declaration = lazy[i].tags.get(name);
      if (declaration === undefined) continue;
      const tag = this.bound[i].has(declaration) ? undefined : lazy[i].recordTag(declaration);
      if (tag) {
        // Named is not used: the members are bound when first read (a pointer to it needs none).
        const shell = recordShell(tag, name, () => this.bindLazy(lazy, i, declaration));
        (this.fileScope.tags as LazyScopeTable<Tag>).set(name, { kind: 'record', info: shell });
      } else this.bindLazy(lazy, i, declaration);
      return;
    }
  }

  /** Binds one declaration of a lazy header in the file scope, from wherever the analysis is. */
  private bindLazy(lazy: readonly LazyDeclarations[], i: number, declaration: number): void {
    if (this.bound[i].has(declaration)) return;
    this.bound[i].add(declaration);
    const saved = { scope: this.scope, functionContext: this.functionContext, loopDepth: this.loopDepth, switchDepth: this.switchDepth };
    this.scope = this.fileScope;
    this.functionContext = undefined;
    this.loopDepth = 0;
    this.switchDepth = 0;
    try {
      for (const external of lazy[i].parse(declaration)) {
        this.externalDeclaration(external);
        if (!lazy[i].preserveAccessIndex || external.kind !== 'Declaration') continue;
        const spec = external.specifiers.type;
        if (spec?.kind === 'RecordSpecifier' && spec.name && spec.members) {
          const tag = (this.fileScope.tags as Map<string, Tag>).get(spec.name.name);
          if (tag?.kind === 'record') markPreserved(tag.info);
        }
      }
    } finally {
      this.scope = saved.scope;
      this.functionContext = saved.functionContext;
      this.loopDepth = saved.loopDepth;
      this.switchDepth = saved.switchDepth;
    }
  }

  // ---------------------------------------------------------------- declarations
  private externalDeclaration(declaration: ast.ExternalDeclaration): void {
    switch (declaration.kind) {
      case 'Declaration': this.declaration(declaration); break;
      case 'FunctionDefinition': this.functionDefinition(declaration); break;
      case 'StaticAssert': this.staticAssert(declaration); break;
      default: break;
    }
  }

  private staticAssert(node: ast.StaticAssert): void {
    this.expression(node.condition);
    const value = this.evaluate(node.condition);
    if (value === undefined) this.report(Diagnostics.NotIntegerConstant, node.condition);
    else if (value === 0n) this.report(Diagnostics.StaticAssertFailed, node, [node.message ? ` "${node.message.value}"` : '']);
  }

  private declaration(node: ast.Declaration): void {
    const base = this.specifiersType(node.specifiers);
    const isTypedef = node.specifiers.storage.includes('typedef');
    for (const init of node.declarators) {
      const type = this.declaratorType(base, init.declarator);
      const name = init.declarator.name;
      if (!name || !name.name) continue;
      const kind: SymbolKind = isTypedef ? 'typedef' : resolve(type).kind === 'function' ? 'function' : 'variable';
      const symbolType: CType = isTypedef ? { kind: 'typedef', name: name.name, target: type, declaration: init.declarator } : type;
      const attributes = [...node.specifiers.attributes, ...init.declarator.attributes];
      // A file-scope `int x;` is a (tentative) definition too; `extern int x;` and a prototype are not.
      const defines = init.initializer !== undefined || (kind === 'variable' && this.scope === this.fileScope && !node.specifiers.storage.includes('extern'));
      const symbol = this.scope === this.fileScope && this.fileScope.parent
        ? this.declare(name, kind, symbolType, init.declarator, node.specifiers.storage, attributes, defines, init.initializer !== undefined)
        : this.declare(name, kind, symbolType, init.declarator, node.specifiers.storage, attributes, init.initializer !== undefined);
      if (init.initializer) {
        symbol.initializer = init.initializer;
        this.initializer(symbol.type, init.initializer, true);
        // `char s[] = "abc"` and `int a[] = {1, 2}` complete the array type from the initializer.
        const resolved = resolve(symbol.type);
        if (resolved.kind === 'array' && resolved.length === undefined) {
          const length = init.initializer.kind === 'InitializerList' ? this.initializerListLength(init.initializer)
            : init.initializer.kind === 'StringLiteral' ? init.initializer.value.length + 1 : undefined;
          if (length !== undefined) { symbol.type = { ...resolved, length }; this.declaratorTypes.set(init.declarator, symbol.type); }
        }
      }
    }
  }

  private initializerListLength(list: ast.InitializerList): number {
    let index = 0;
    let max = 0;
    for (const item of list.items) {
      const first = item.designators[0];
      if (first?.kind === 'IndexDesignator') {
        const value = this.evaluate(first.last ?? first.index);
        if (value !== undefined) index = Number(value);
      }
      index++;
      max = Math.max(max, index);
    }
    return max;
  }

  /** A redefinition error with clang's note at the earlier definition (as related information). */
  private reportRedefinition(message: DiagnosticMessage, at: ast.Node, args: ReadonlyArray<string>, previous: ast.Node | undefined, note = 'previous definition is here'): void {
    this.report(message, at, args);
    const last = this.diagnostics[this.diagnostics.length - 1];
    if (previous && previous.file >= 0 && last?.code === message.code) last.related = [{ file: previous.file, pos: previous.pos, end: previous.end, message: note }];
  }

  /**
   * A file-scope declaration of a name the preamble's headers (vmlinux.h, libbpf's, a project's) declare: C has
   * one file scope, so the rules of redeclaration apply across it. The preamble's symbol is shared by every
   * compilation and never changed: a compatible declaration refers to it, a definition shadows it.
   * mirrors clang's Sema::MergeTypedefNameDecl / MergeVarDecl / MergeFunctionDecl.
   */
  private declareOverPrelude(previous: CSymbol, name: ast.Identifier, kind: SymbolKind, type: CType, storage: CSymbol['storage'], defines: boolean, hasInitializer: boolean): 'refer' | 'shadow' | 'error' {
    const at = name;
    const where = previous.declaration.kind === 'Declarator' && previous.declaration.name ? previous.declaration.name : previous.declaration;
    if (kind === 'enumerator' || previous.kind === 'enumerator' || kind !== previous.kind) {
      this.reportRedefinition(previous.kind === 'enumerator' && kind === 'enumerator' ? Diagnostics.RedefinitionOfEnumerator : Diagnostics.RedefinitionDifferentKind, at, [name.name], where);
      return 'error';
    }
    if (kind === 'typedef') {
      if (compatible(previous.type, type)) return 'refer';
      const target = previous.type.kind === 'typedef' ? previous.type.target : previous.type;
      const newTarget = type.kind === 'typedef' ? type.target : type;
      this.reportRedefinition(Diagnostics.TypedefRedefinitionDifferentTypes, at, [quotedWithAka(newTarget), quotedWithAka(target)], where);
      return 'error';
    }
    if (!compatible(previous.type, type)) {
      if (kind === 'function') this.reportRedefinition(Diagnostics.ConflictingTypes, at, [name.name], where, 'previous declaration is here');
      else this.reportRedefinition(Diagnostics.RedefinitionDifferentType, at, [name.name, quotedWithAka(type), quotedWithAka(previous.type)], where);
      return 'error';
    }
    const isDefinition = kind === 'function' ? defines : hasInitializer;
    const previousIsDefinition = kind === 'function' ? previous.defined : previous.initializer !== undefined;
    if (isDefinition && previousIsDefinition) {
      this.reportRedefinition(Diagnostics.Redefinition, at, [name.name], where);
      return 'error';
    }
    // A definition (or a tentative one, `int x;`) of what the header only declares is the file's symbol.
    return defines && !storage.includes('extern') ? 'shadow' : 'refer';
  }

  private declare(name: ast.Identifier, kind: SymbolKind, type: CType, declaration: ast.Node, storage: CSymbol['storage'], attributes: ast.Attribute[], defines: boolean, hasInitializer = defines): CSymbol {
    const existing = this.scope.symbols.get(name.name);
    const fileScope = this.scope === this.fileScope;
    const inPrelude = !existing && fileScope ? this.preludeSymbol(name.name) : undefined;
    if (inPrelude) {
      const outcome = this.declareOverPrelude(inPrelude, name, kind, type, storage, defines, hasInitializer);
      if (outcome === 'refer') { this.refer(name, { symbol: inPrelude }); return inPrelude; }
      if (outcome === 'error') {
        // Declared anew in the file so that uses resolve to something; the error is already reported.
      }
    }
    if (existing) {
      const redeclarable = (fileScope || storage.includes('extern') || existing.storage.includes('extern')) && existing.kind === kind && kind !== 'enumerator';
      const previous = existing.declaration.kind === 'Declarator' && existing.declaration.name ? existing.declaration.name : existing.declaration;
      if (!redeclarable && !(kind === 'typedef' && existing.kind === 'typedef' && compatible(existing.type, type))) {
        const message = existing.kind !== kind ? Diagnostics.RedefinitionDifferentKind : kind === 'enumerator' ? Diagnostics.RedefinitionOfEnumerator : Diagnostics.Redefinition;
        this.reportRedefinition(message, name, [name.name], previous);
      } else if (kind !== 'typedef' && !compatible(existing.type, type)) {
        if (kind === 'variable') this.reportRedefinition(Diagnostics.RedefinitionDifferentType, name, [name.name, quotedWithAka(type), quotedWithAka(existing.type)], previous);
        else this.reportRedefinition(Diagnostics.ConflictingTypes, name, [name.name], previous, 'previous declaration is here');
      } else if (defines && existing.defined && kind === 'function') {
        this.reportRedefinition(Diagnostics.Redefinition, name, [name.name], previous);
      } else if (defines && existing.defined && existing.initializer && kind === 'variable') {
        this.reportRedefinition(Diagnostics.Redefinition, name, [name.name], previous);
      } else {
        // Completing `int a[]` by a later `int a[4]`, or a prototype by its definition.
        if (isComplete(type) || resolve(type).kind === 'function') existing.type = type;
        if (defines) { existing.defined = true; existing.declaration = declaration; }
        appendAll(existing.attributes, attributes);
        this.refer(name, { symbol: existing });
        return existing;
      }
    }
    const symbol: CSymbol = { name: name.name, kind, type, declaration, storage, attributes: [...attributes], defined: defines, fileScope };
    this.scope.symbols.set(name.name, symbol);
    this.refer(name, { symbol });
    return symbol;
  }

  private functionDefinition(node: ast.FunctionDefinition): void {
    const base = this.specifiersType(node.specifiers);
    const type = this.declaratorType(base, node.declarator);
    const resolved = resolve(type);
    if (!node.declarator.name) return;
    const symbol = this.declare(node.declarator.name, 'function', type, node.declarator, node.specifiers.storage, [...node.specifiers.attributes, ...node.declarator.attributes], true);
    this.functions.push({ definition: node, symbol });
    const functionDerivation = node.declarator.derivations[node.declarator.derivations.length - 1];
    const returns = resolved.kind === 'function' ? resolved.returns : Types.error;
    const context: FunctionContext = { name: node.declarator.name.name, returns, labels: new Set(), gotos: [] };
    const savedContext = this.functionContext;
    this.functionContext = context;
    this.withScope(() => {
      if (functionDerivation?.kind === 'Function' && resolved.kind === 'function') {
        functionDerivation.parameters.forEach((parameter, index) => {
          if (parameter.declarator.name) {
            this.declare(parameter.declarator.name, 'parameter', resolved.params[index] ?? Types.int, parameter.declarator, [], [], true);
          }
        });
      }
      this.collectLabels(node.body, context.labels);
      this.blockItems(node.body);
    });
    for (const target of context.gotos) if (!context.labels.has(target.name)) this.report(Diagnostics.UndeclaredLabel, target, [target.name]);
    this.functionContext = savedContext;
  }

  private collectLabels(root: ast.Node, labels: Set<string>): void {
    const stack: ast.Node[] = [root];
    const first = new Map<string, ast.Identifier>();
    while (stack.length > 0) {
      const node = stack.pop()!;
      if (node.kind === 'Labeled') {
        labels.add(node.label.name);
        const previous = first.get(node.label.name);
        // The stack visits in any order; the later label in the file is the redefinition.
        if (previous) {
          const [earlier, later] = previous.pos <= node.label.pos ? [previous, node.label] : [node.label, previous];
          this.reportRedefinition(Diagnostics.LabelRedefinition, later, [node.label.name], earlier);
          first.set(node.label.name, earlier);
        } else first.set(node.label.name, node.label);
      }
      if (node.kind === 'StatementExpression' || node.kind === 'Compound' || node.kind === 'Labeled' || node.kind === 'If' || node.kind === 'While'
        || node.kind === 'Do' || node.kind === 'For' || node.kind === 'Switch' || node.kind === 'Case' || node.kind === 'Default' || node.kind === 'ExpressionStatement') {
        ast.forEachChild(node, (child) => stack.push(child));
      }
    }
  }

  // ---------------------------------------------------------------- types from syntax
  specifiersType(specifiers: ast.DeclarationSpecifiers): CType {
    const type = this.typeSpecifier(specifiers.type);
    const qualifiers = { const: specifiers.qualifiers.includes('const'), volatile: specifiers.qualifiers.includes('volatile') };
    return withQualifiers(type, qualifiers);
  }

  private typeSpecifier(spec: ast.TypeSpecifier | undefined): CType {
    if (!spec) return Types.int;
    switch (spec.kind) {
      case 'BuiltinType': {
        const type = builtinType(spec.words);
        if (!type) { this.report(Diagnostics.InvalidTypeCombination, spec, [spec.words.join(' ')]); return Types.error; }
        return type;
      }
      case 'TypedefName': {
        const symbol = this.lookup(spec.name.name);
        if (!symbol || symbol.kind !== 'typedef') return Types.error;
        this.refer(spec.name, { symbol });
        return symbol.type;
      }
      case 'RecordSpecifier': return this.recordSpecifier(spec);
      case 'EnumSpecifier': return this.enumSpecifier(spec);
      case 'Typeof': {
        if (spec.operand.kind === 'TypeName') return this.typeName(spec.operand);
        if (spec.operand.kind === 'MissingExpression') return Types.long;
        return this.expression(spec.operand);
      }
    }
  }

  reported(): FrontEndDiagnostic[] { return this.diagnostics; }

  typeName(node: ast.TypeName): CType {
    const type = this.declaratorType(this.specifiersType(node.specifiers), node.declarator);
    this.types.set(node, type);
    return type;
  }

  private recordSpecifier(spec: ast.RecordSpecifier): CType {
    const name = spec.name?.name;
    let info: RecordInfo | undefined;
    if (spec.members === undefined) {
      const existing = name ? this.lookupTag(name) : undefined;
      if (existing?.kind === 'record' && existing.info.tag === spec.tag) info = existing.info;
      else {
        info = { tag: spec.tag, name, complete: false, fields: [], size: 0, align: 1, packed: false, declaration: spec };
        if (name) this.scope.tags.set(name, { kind: 'record', info });
      }
      if (spec.name) this.refer(spec.name, { record: info, tag: { kind: 'record', info } });
      return { kind: 'record', record: info };
    }
    const current = name ? this.scope.tags.get(name) : undefined;
    const inPrelude = name && !current && this.scope === this.fileScope ? this.preludeTag(name) : undefined;
    if (current?.kind === 'record' && current.info.tag === spec.tag && !current.info.complete) info = current.info;
    else if (current && name) {
      this.report(Diagnostics.Redefinition, spec.name!, [name]);
    } else if (inPrelude && (inPrelude.kind !== 'record' || inPrelude.info.complete)) {
      // `struct bpf_iter_meta { ... }` again after vmlinux.h: one file scope, one definition.
      const previous = inPrelude.info.declaration as ast.RecordSpecifier | ast.EnumSpecifier | undefined;
      this.reportRedefinition(Diagnostics.Redefinition, spec.name!, [name!], previous?.name ?? previous);
    }
    info ??= { tag: spec.tag, name, complete: false, fields: [], size: 0, align: 1, packed: false, declaration: spec };
    info.declaration = spec;
    if (name) this.scope.tags.set(name, { kind: 'record', info });
    if (spec.name) this.refer(spec.name, { record: info, tag: { kind: 'record', info } });
    const fields: FieldDeclarationForLayout[] = [];
    const names = new Set<string>();
    for (const member of spec.members) {
      const base = this.specifiersType(member.specifiers);
      const memberPacked = hasAttribute(member.specifiers.attributes, 'packed');
      if (member.declarators.length === 0) {
        // Only an untagged struct/union defined in place is an anonymous member (C11); `struct s;` or a tagged
        // definition declares nothing, as clang says without -fms-extensions (and a record could contain itself).
        const spec = member.specifiers.type;
        if (spec?.kind !== 'RecordSpecifier' || spec.name || !spec.members) continue;
        fields.push({ type: base, declaration: member, packed: memberPacked, alignAttribute: this.alignAttribute(member.specifiers.attributes) });
        const inner = resolve(base);
        if (inner.kind === 'record') for (const n of memberNames(inner.record)) this.checkDuplicate(names, n, member);
        continue;
      }
      for (const { declarator, bitWidth, attributes } of member.declarators) {
        // A member without a name that is not a bit-field only comes from a syntax error the parser reported
        // (`struct s );`); kept, it would be an anonymous member, and a record could contain itself.
        if (!declarator.name && !bitWidth) continue;
        const type = this.declaratorType(base, declarator);
        let width: number | undefined;
        if (bitWidth) {
          this.expression(bitWidth);
          const value = this.evaluate(bitWidth);
          if (value === undefined) this.report(Diagnostics.NotIntegerConstant, bitWidth);
          width = value === undefined ? 0 : Number(value);
          const typeBits = (sizeOf(type) ?? 0) * 8;
          if (width > typeBits || width < 0) {
            this.report(Diagnostics.InvalidBitFieldWidth, bitWidth, [declarator.name?.name ?? '', width, typeBits]);
            width = typeBits;
          }
        }
        if (declarator.name) {
          this.checkDuplicate(names, declarator.name.name, declarator.name);
          this.declaratorTypes.set(declarator, type);
        }
        fields.push({
          name: declarator.name?.name, type, bitWidth: width, declaration: declarator,
          packed: memberPacked || hasAttribute(attributes, 'packed') || hasAttribute(declarator.attributes, 'packed'),
          alignAttribute: this.alignAttribute([...member.specifiers.attributes, ...declarator.attributes]),
        });
      }
    }
    const packed = hasAttribute(spec.attributes, 'packed');
    const layout = layoutRecord(spec.tag, fields, { packed, alignAttribute: this.alignAttribute(spec.attributes) });
    Object.assign(info, { fields: layout.fields, size: layout.size, align: layout.align, packed, complete: true });
    if (hasAttribute(spec.attributes, 'preserve_access_index')) info.preserveAccessIndex = true;
    // Field names resolve to their FieldInfo for hover / go-to-definition.
    layout.fields.forEach((field) => {
      const declarator = field.declaration as ast.Declarator | undefined;
      if (declarator?.kind === 'Declarator' && declarator.name) this.refer(declarator.name, { field, record: info });
    });
    return { kind: 'record', record: info };
  }

  private checkDuplicate(names: Set<string>, name: string, at: { file: number; pos: number; end: number }): void {
    if (names.has(name)) this.report(Diagnostics.DuplicateMember, at, [name]);
    names.add(name);
  }

  private alignAttribute(attributes: ast.Attribute[]): number | undefined {
    let result: number | undefined;
    for (const attribute of attributes) {
      if (attribute.name !== 'aligned') continue;
      // `aligned` without argument is the target's largest useful alignment: 16 for clang -target bpf.
      const value = attribute.args[0] ? this.evaluate(attribute.args[0]) : 16n;
      if (value !== undefined) result = Math.max(result ?? 1, Number(value));
    }
    return result;
  }

  private enumSpecifier(spec: ast.EnumSpecifier): CType {
    const name = spec.name?.name;
    if (spec.enumerators === undefined) {
      const existing = name ? this.lookupTag(name) : undefined;
      if (existing?.kind === 'enum') { if (spec.name) this.refer(spec.name, { tag: existing }); return { kind: 'enum', info: existing.info }; }
      const info: EnumInfo = { name, complete: false, underlying: Types.unsignedInt, values: new Map(), declaration: spec };
      if (name) this.scope.tags.set(name, { kind: 'enum', info });
      return { kind: 'enum', info };
    }
    const current = name ? this.scope.tags.get(name) : undefined;
    let info: EnumInfo;
    const inPrelude = name && !current && this.scope === this.fileScope ? this.preludeTag(name) : undefined;
    if (current?.kind === 'enum' && !current.info.complete) info = current.info;
    else {
      if (current && spec.name) this.report(Diagnostics.Redefinition, spec.name, [name!]);
      else if (inPrelude && spec.name && (inPrelude.kind !== 'enum' || inPrelude.info.complete)) {
        const previous = inPrelude.info.declaration as ast.RecordSpecifier | ast.EnumSpecifier | undefined;
        this.reportRedefinition(Diagnostics.Redefinition, spec.name, [name!], previous?.name ?? previous);
      }
      info = { name, complete: false, underlying: Types.unsignedInt, values: new Map(), declaration: spec };
    }
    info.declaration = spec;
    if (name) this.scope.tags.set(name, { kind: 'enum', info });
    if (spec.name) this.refer(spec.name, { tag: { kind: 'enum', info } });
    let next = 0n;
    const symbols: CSymbol[] = [];
    for (const enumerator of spec.enumerators) {
      if (enumerator.value) {
        this.expression(enumerator.value);
        const value = this.evaluate(enumerator.value);
        if (value === undefined) this.report(Diagnostics.NotIntegerConstant, enumerator.value);
        else next = value;
      }
      info.values.set(enumerator.name.name, next);
      // Enumerators have type int while the list is open (C11 6.7.2.2); wide ones get long.
      const type: IntegerType = next >= -(1n << 31n) && next < 1n << 31n ? Types.int : Types.long;
      symbols.push(this.declare(enumerator.name, 'enumerator', type, enumerator, [], [], true));
      symbols[symbols.length - 1].value = next;
      next++;
    }
    info.underlying = enumUnderlyingType(info.values.values(), hasAttribute(spec.attributes, 'packed'));
    info.complete = true;
    return { kind: 'enum', info };
  }

  /** Applies a declarator's derivations (innermost first) to its base type. */
  declaratorType(base: CType, declarator: ast.Declarator): CType {
    let type = base;
    for (const derivation of declarator.derivations) {
      switch (derivation.kind) {
        case 'Pointer':
          type = withQualifiers({ kind: 'pointer', to: type }, { const: derivation.qualifiers.includes('const'), volatile: derivation.qualifiers.includes('volatile'), restrict: derivation.qualifiers.includes('restrict') });
          break;
        case 'Array': {
          let length: number | undefined;
          if (derivation.size) {
            this.expression(derivation.size);
            const value = this.evaluate(derivation.size);
            if (value === undefined) {
              // A variable-length array: clang accepts it in functions; the size is unknown statically.
              length = undefined;
            } else if (value < 0n) {
              this.report(Diagnostics.NegativeArraySize, derivation.size, [declarator.name?.name ?? 'array']);
              length = 0;
            } else length = Number(value);
          }
          type = { kind: 'array', of: type, length };
          break;
        }
        case 'Function': {
          const params: CType[] = [];
          const paramNames: Array<string | undefined> = [];
          this.withScope(() => {
            for (const parameter of derivation.parameters) {
              let parameterType = this.declaratorType(this.specifiersType(parameter.specifiers), parameter.declarator);
              // Parameters of array and function type are adjusted to pointers (C11 6.7.6.3).
              const resolved = resolve(parameterType);
              if (resolved.kind === 'array') parameterType = { kind: 'pointer', to: resolved.of };
              else if (resolved.kind === 'function') parameterType = { kind: 'pointer', to: parameterType };
              this.declaratorTypes.set(parameter.declarator, parameterType);
              params.push(parameterType);
              paramNames.push(parameter.declarator.name?.name);
            }
          });
          const fn: FunctionType = { kind: 'function', returns: type, params, paramNames, variadic: derivation.variadic, prototyped: !derivation.oldStyle };
          type = fn;
          break;
        }
      }
    }
    this.declaratorTypes.set(declarator, type);
    return type;
  }

  // ---------------------------------------------------------------- initializers
  private initializer(target: CType, init: ast.Initializer, isDeclaration: boolean): void {
    if (init.kind !== 'InitializerList') {
      const valueType = this.expression(init);
      const resolved = resolve(target);
      if (resolved.kind === 'array' && init.kind === 'StringLiteral') return;
      if (isDeclaration && !this.assignable(target, valueType)) this.report(Diagnostics.IncompatibleInitializer, init, [typeToString(target), typeToString(valueType)]);
      return;
    }
    this.types.set(init, target);
    const resolved = resolve(target);
    let index = 0;
    for (const item of init.items) {
      let current: CType = Types.error;
      let designatorTarget: CType = resolved;
      if (item.designators.length > 0) {
        for (const designator of item.designators) {
          const containing = resolve(designatorTarget);
          if (designator.kind === 'FieldDesignator') {
            if (containing.kind === 'record') {
              const path = findMember(containing.record, designator.name.name);
              if (!path) { this.report(Diagnostics.NoMember, designator.name, [designator.name.name, typeToString(containing)]); designatorTarget = Types.error; }
              else {
                const field = path[path.length - 1];
                this.refer(designator.name, { field, record: containing.record });
                designatorTarget = field.type;
                if (designator === item.designators[0]) index = containing.record.fields.indexOf(path[0]) + 1;
              }
            } else designatorTarget = Types.error;
          } else {
            this.expression(designator.index);
            if (designator.last) this.expression(designator.last);
            const value = this.evaluate(designator.last ?? designator.index);
            if (designator === item.designators[0] && value !== undefined) index = Number(value) + 1;
            designatorTarget = containing.kind === 'array' ? containing.of : Types.error;
          }
        }
        current = designatorTarget;
      } else {
        if (resolved.kind === 'array') current = resolved.of;
        else if (resolved.kind === 'record') {
          const field = resolved.record.fields.filter((f) => f.name !== undefined || f.bitWidth === undefined)[index];
          current = field ? field.type : Types.error;
        } else current = index === 0 ? resolved : Types.error;
        index++;
      }
      // Brace elision makes positional checks of scalars against aggregates unreliable: only check exact targets.
      if (item.value.kind === 'InitializerList') this.initializer(current, item.value, false);
      else {
        const valueType = this.expression(item.value);
        if (item.designators.length > 0 && isScalar(current) && resolve(valueType).kind === 'record') {
          this.report(Diagnostics.IncompatibleInitializer, item.value, [typeToString(current), typeToString(valueType)]);
        }
      }
    }
  }

  // ---------------------------------------------------------------- statements
  private blockItems(block: ast.CompoundStatement): void {
    for (const item of block.items) {
      if (item.kind === 'Declaration') this.declaration(item);
      else if (item.kind === 'StaticAssert') this.staticAssert(item);
      else this.statement(item);
    }
  }

  private statement(node: ast.Statement): void {
    switch (node.kind) {
      case 'Compound': this.withScope(() => this.blockItems(node)); break;
      case 'ExpressionStatement': if (node.expression) this.expression(node.expression); break;
      case 'If': this.condition(node.condition); this.statement(node.then); if (node.else) this.statement(node.else); break;
      case 'While': this.condition(node.condition); this.loop(node.body); break;
      case 'Do': this.loop(node.body); this.condition(node.condition); break;
      case 'For':
        this.withScope(() => {
          if (node.init) { if (node.init.kind === 'Declaration') this.declaration(node.init); else this.expression(node.init); }
          if (node.condition) this.condition(node.condition);
          if (node.update) this.expression(node.update);
          this.loop(node.body);
        });
        break;
      case 'Switch': {
        const discriminant = this.expression(node.discriminant);
        if (!isInteger(discriminant) && !isError(discriminant)) {
          this.report(Diagnostics.SwitchConditionNotInteger, node.discriminant, [typeToString(discriminant)]);
        }
        this.switchDepth++;
        this.switches.push({ values: new Map() });
        this.statement(node.body);
        this.switches.pop();
        this.switchDepth--;
        break;
      }
      case 'Case': {
        this.expression(node.value);
        const value = this.evaluate(node.value);
        if (value === undefined) this.report(Diagnostics.NotIntegerConstant, node.value);
        if (node.last) { this.expression(node.last); if (this.evaluate(node.last) === undefined) this.report(Diagnostics.NotIntegerConstant, node.last); }
        const current = this.switches[this.switches.length - 1];
        if (current && value !== undefined && !node.last) {
          const previous = current.values.get(value);
          if (previous) this.reportRedefinition(Diagnostics.DuplicateCaseValue, node.value, [node.value.kind === 'Identifier' ? node.value.name : String(value)], previous, 'previous case defined here');
          else current.values.set(value, node.value);
        }
        this.statement(node.body);
        break;
      }
      case 'Default': {
        const current = this.switches[this.switches.length - 1];
        // clang walks the cases from the last one: the error is on the first default, the note on the later one.
        if (current?.defaultLabel) this.reportRedefinition(Diagnostics.MultipleDefaultLabels, current.defaultLabel, [], { ...node, end: node.pos + 'default'.length } as ast.Node, 'previous case defined here');
        else if (current) current.defaultLabel = { ...node, end: node.pos + 'default'.length } as ast.Node;
        this.statement(node.body);
        break;
      }
      case 'Labeled': this.statement(node.body); break;
      case 'Break':
        if (this.loopDepth === 0 && this.switchDepth === 0) this.report(Diagnostics.BreakOutsideLoop, node, ['break', ' or switch']);
        break;
      case 'Continue':
        if (this.loopDepth === 0) this.report(Diagnostics.BreakOutsideLoop, node, ['continue', '']);
        break;
      case 'Goto': this.functionContext?.gotos.push(node.label); break;
      case 'Return': {
        const context = this.functionContext;
        if (!node.value) break;
        const valueType = this.expression(node.value);
        if (context && isVoid(context.returns) && !isVoid(valueType) && !isError(valueType)) {
          this.report(Diagnostics.VoidFunctionReturnsValue, node, [context.name]);
        }
        if (context && !isVoid(context.returns) && !this.assignable(context.returns, valueType)) {
          this.report(Diagnostics.IncompatibleReturn, node.value, [typeToString(context.returns), typeToString(valueType)]);
        }
        break;
      }
      case 'Asm': break;
    }
  }

  private loop(body: ast.Statement): void {
    this.loopDepth++;
    const savedSwitch = this.switchDepth;
    this.statement(body);
    this.switchDepth = savedSwitch;
    this.loopDepth--;
  }

  private condition(expression: ast.Expression): void {
    // a function designator decays to a pointer (C11 6.3.2.1), so `if (weak_kfunc)` is a valid test
    const type = this.decay(this.expression(expression));
    if (!isScalar(type) && !isError(type)) {
      this.report(Diagnostics.InvalidOperands, expression, [typeToString(type), 'int']);
    }
  }

  // ---------------------------------------------------------------- expressions
  expression(node: ast.Expression): CType {
    const type = this.computeType(node);
    this.types.set(node, type);
    return type;
  }

  /** Array-to-pointer and function-to-pointer decay (C11 6.3.2.1). */
  private decay(type: CType): CType {
    const resolved = resolve(type);
    if (resolved.kind === 'array') return { kind: 'pointer', to: resolved.of };
    if (resolved.kind === 'function') return { kind: 'pointer', to: type };
    return type;
  }

  private computeType(node: ast.Expression): CType {
    switch (node.kind) {
      case 'Identifier': {
        const symbol = this.lookup(node.name);
        if (!symbol) {
          if (node.name.startsWith('__builtin_')) return Types.error;
          this.report(Diagnostics.UndeclaredIdentifier, node, [node.name]);
          return Types.error;
        }
        this.refer(node, { symbol });
        if (symbol.kind === 'typedef') { this.report(Diagnostics.UnexpectedToken, node, [node.name]); return Types.error; }
        return symbol.type;
      }
      case 'IntegerLiteral': {
        const parsed = parseNumber(node.text);
        const decimal = parsed?.kind === 'int' ? parsed.decimal : true;
        return integerLiteralType(node.value, node.unsigned, node.longs, decimal);
      }
      case 'FloatLiteral': return /[fF]$/.test(node.text) && !/^0[xX]/.test(node.text) ? Types.float : Types.double;
      case 'CharLiteral': return Types.int;
      case 'StringLiteral': return { kind: 'array', of: Types.char, length: node.value.length + 1 };
      case 'MissingExpression': return Types.error;
      case 'Comma': {
        let last: CType = Types.error;
        for (const expression of node.expressions) last = this.expression(expression);
        return this.decay(last);
      }
      case 'Assignment': return this.assignment(node);
      case 'Conditional': {
        this.condition(node.condition);
        const whenTrue = node.whenTrue ? this.decay(this.expression(node.whenTrue)) : this.decay(this.types.get(node.condition) ?? Types.error);
        const whenFalse = this.decay(this.expression(node.whenFalse));
        if (isArithmetic(whenTrue) && isArithmetic(whenFalse)) return usualArithmeticConversions(whenTrue, whenFalse);
        if (isPointer(whenTrue)) return whenTrue;
        if (isPointer(whenFalse)) return whenFalse;
        return whenTrue;
      }
      case 'Binary': {
        // Long left-deep chains (`a + b + c + ...`, 100k terms in generated code) are typed bottom-up in a loop.
        const spine: ast.BinaryExpression[] = [node];
        while (spine[spine.length - 1].left.kind === 'Binary') spine.push(spine[spine.length - 1].left as ast.BinaryExpression);
        for (let i = spine.length - 1; i > 0; i--) this.types.set(spine[i], this.binary(spine[i]));
        return this.binary(node);
      }
      case 'Unary': return this.unary(node);
      case 'Postfix': {
        const operand = this.expression(node.operand);
        this.requireModifiableLvalue(node.operand, operand);
        return unqualified(operand);
      }
      case 'Cast': {
        const target = this.typeName(node.typeName);
        const operand = this.decay(this.expression(node.operand));
        const resolvedTarget = resolve(target);
        if (!isVoid(target) && !isError(operand) && !isError(target)) {
          if (resolvedTarget.kind === 'record' || resolvedTarget.kind === 'array' || (isScalar(target) && !isScalar(operand))) {
            this.report(Diagnostics.InvalidOperands, node, [typeToString(operand), typeToString(target)]);
            return Types.error;
          }
        }
        return target;
      }
      case 'CompoundLiteral': {
        let type = this.typeName(node.typeName);
        this.initializer(type, node.initializer, false);
        const resolved = resolve(type);
        if (resolved.kind === 'array' && resolved.length === undefined) type = { ...resolved, length: this.initializerListLength(node.initializer) };
        return type;
      }
      case 'Sizeof': {
        const operandType = node.operand.kind === 'TypeName' ? this.typeName(node.operand) : this.expression(node.operand);
        if (node.operator === 'sizeof' && !isComplete(operandType) && !isVoid(operandType) && !isError(operandType) && resolve(operandType).kind !== 'function') {
          this.report(Diagnostics.IncompleteType, node.operand, [typeToString(operandType)]);
        }
        return SIZE_T;
      }
      case 'StatementExpression': {
        return this.withScope(() => {
          const items = node.body.items;
          for (let i = 0; i < items.length - 1; i++) {
            const item = items[i];
            if (item.kind === 'Declaration') this.declaration(item);
            else if (item.kind === 'StaticAssert') this.staticAssert(item);
            else this.statement(item);
          }
          const last = items[items.length - 1];
          if (last?.kind === 'ExpressionStatement' && last.expression) return this.decay(this.expression(last.expression));
          if (last) { if (last.kind === 'Declaration') this.declaration(last); else if (last.kind === 'StaticAssert') this.staticAssert(last); else this.statement(last); }
          return Types.void;
        });
      }
      case 'Offsetof': {
        this.offsetof(node);
        return SIZE_T;
      }
      case 'VaArg': this.expression(node.operand); return this.typeName(node.typeName);
      case 'TypesCompatible': this.typeName(node.left); this.typeName(node.right); return Types.int;
      case 'Generic': {
        const control = this.decay(unqualified(this.expression(node.control)));
        let chosen: CType | undefined;
        let fallback: CType | undefined;
        for (const association of node.associations) {
          const valueType = this.expression(association.value);
          if (!association.typeName) fallback = valueType;
          else if (compatible(this.typeName(association.typeName), control)) chosen ??= valueType;
        }
        return chosen ?? fallback ?? Types.error;
      }
      case 'Index': {
        const object = this.decay(this.expression(node.object));
        const index = this.decay(this.expression(node.index));
        const pointer = isPointer(object) ? resolve(object) : isPointer(index) ? resolve(index) : undefined;
        if (!pointer || pointer.kind !== 'pointer') {
          if (!isError(object) && !isError(index)) this.report(Diagnostics.SubscriptOfNonArray, node.object);
          return Types.error;
        }
        return pointer.to;
      }
      case 'Member': return this.member(node);
      case 'Call': return this.call(node);
    }
  }

  private offsetof(node: ast.OffsetofExpression): number | undefined {
    let type = this.types.get(node.typeName) ?? this.typeName(node.typeName);
    let offset = 0;
    let known = true;
    for (const designator of node.designators) {
      const resolved = resolve(type);
      if (designator.kind === 'FieldDesignator') {
        if (resolved.kind !== 'record') { if (!isError(resolved)) this.report(Diagnostics.MemberBaseNotRecord, designator, [typeToString(resolved)]); return undefined; }
        const path = findMember(resolved.record, designator.name.name);
        if (!path) { this.report(Diagnostics.NoMember, designator.name, [designator.name.name, typeToString(resolved)]); return undefined; }
        const field = path[path.length - 1];
        this.refer(designator.name, { field, record: resolved.record });
        for (const step of path) offset += step.offset;
        type = field.type;
      } else {
        if (!this.types.has(designator.index)) this.expression(designator.index);
        if (resolved.kind !== 'array') { this.report(Diagnostics.SubscriptOfNonArray, designator); return undefined; }
        const index = this.evaluate(designator.index);
        if (index === undefined) known = false;
        else offset += Number(index) * (sizeOf(resolved.of) ?? 0);
        type = resolved.of;
      }
    }
    return known ? offset : undefined;
  }

  private member(node: ast.MemberExpression): CType {
    const objectType = this.expression(node.object);
    if (isError(objectType)) return Types.error;
    let base = resolve(node.arrow ? this.decay(objectType) : objectType);
    if (node.arrow) {
      if (base.kind !== 'pointer') { this.report(Diagnostics.ArrowOnNonPointer, node.object, [typeToString(objectType)]); return Types.error; }
      base = resolve(base.to);
    }
    if (base.kind !== 'record') { this.report(Diagnostics.MemberBaseNotRecord, node.object, [typeToString(base)]); return Types.error; }
    if (!base.record.complete) { this.report(Diagnostics.IncompleteType, node.object, [typeToString(base)]); return Types.error; }
    const path = findMember(base.record, node.member.name);
    if (!path) {
      this.report(Diagnostics.NoMember, node.member, [node.member.name, typeToString(unqualified(base))]);
      return Types.error;
    }
    const field = path[path.length - 1];
    this.refer(node.member, { field, record: base.record });
    // Members of a const object are const.
    return base.qualifiers?.const ? withQualifiers(field.type, { const: true }) : field.type;
  }

  private call(node: ast.CallExpression): CType {
    const atomic = node.callee.kind === 'Identifier' ? atomicBuiltin(node.callee.name) : undefined;
    if (atomic && node.callee.kind === 'Identifier' && !this.lookup(node.callee.name)) {
      // clang's __sync_*/__atomic_* builtins: typed by the pointee of their first argument
      const argTypes = node.args.map((arg) => this.decay(this.expression(arg)));
      this.types.set(node.callee, Types.error);
      if (node.args.length < atomic.args) { this.report(Diagnostics.TooFewArguments, node, [String(atomic.args), String(node.args.length)]); return Types.error; }
      if (node.args.length > atomic.args) { this.report(Diagnostics.TooManyArguments, node, [String(atomic.args), String(node.args.length)]); return Types.error; }
      const result = atomicResult(atomic);
      if (result === 'void') return Types.void;
      if (result === 'bool') return Types.bool;
      const pointer = argTypes[0] ? resolve(argTypes[0]) : undefined;
      return pointer?.kind === 'pointer' ? unqualified(pointer.to) : Types.error;
    }
    if (node.callee.kind === 'Identifier' && node.callee.name.startsWith('__builtin_') && !this.lookup(node.callee.name)) {
      const argTypes = node.args.map((arg) => this.expression(arg));
      const returns = Object.hasOwn(BUILTIN_RETURNS, node.callee.name) ? BUILTIN_RETURNS[node.callee.name] : undefined;
      this.types.set(node.callee, Types.error);
      if (returns === 'first-argument') return argTypes[0] ?? Types.error;
      if (returns === 'chosen') {
        const condition = node.args[0] ? this.evaluate(node.args[0]) : undefined;
        return condition === undefined ? Types.error : (condition !== 0n ? argTypes[1] : argTypes[2]) ?? Types.error;
      }
      return returns ?? Types.int;
    }
    let calleeType: CType;
    if (node.callee.kind === 'Identifier' && !this.lookup(node.callee.name)) {
      // C89 implicit declaration `int f()`: clang 14 warns and continues.
      this.report(Diagnostics.ImplicitFunctionDeclaration, node.callee, [node.callee.name]);
      calleeType = { kind: 'function', returns: Types.int, params: [], paramNames: [], variadic: false, prototyped: false };
      this.types.set(node.callee, calleeType);
    } else {
      calleeType = this.expression(node.callee);
    }
    const argTypes = node.args.map((arg) => this.decay(this.expression(arg)));
    if (isError(calleeType)) return Types.error;
    let fn = resolve(calleeType);
    if (fn.kind === 'pointer') fn = resolve(fn.to);
    if (fn.kind !== 'function') {
      this.report(Diagnostics.NotCallable, node.callee, [typeToString(calleeType)]);
      return Types.error;
    }
    if (fn.prototyped) {
      if (node.args.length < fn.params.length) this.report(Diagnostics.TooFewArguments, node, [fn.params.length, node.args.length]);
      else if (node.args.length > fn.params.length && !fn.variadic) this.report(Diagnostics.TooManyArguments, node.args[fn.params.length], [fn.params.length, node.args.length]);
      fn.params.forEach((parameter, index) => {
        const arg = node.args[index];
        if (arg && !this.assignable(parameter, argTypes[index])) {
          this.report(Diagnostics.IncompatibleArgument, arg, [typeToString(parameter), typeToString(argTypes[index])]);
        }
      });
    }
    return fn.returns;
  }

  /**
   * Simple assignment constraints (C11 6.5.16.1) as far as clang makes them errors: mismatched struct types,
   * struct <-> scalar, void values. Pointer/integer mismatches are only warnings in clang 14.
   */
  private assignable(target: CType, value: CType): boolean {
    const t = resolve(target);
    const v = resolve(this.decay(value));
    if (t.kind === 'error' || v.kind === 'error') return true;
    if (v.kind === 'void') return false;
    if (t.kind === 'record' || v.kind === 'record') return t.kind === 'record' && v.kind === 'record' && compatible(t, v);
    if (isArithmetic(t) && isArithmetic(v)) return true;
    if (t.kind === 'pointer' && (v.kind === 'pointer' || isInteger(v))) return true;
    if (isInteger(t) && v.kind === 'pointer') return true;
    if (t.kind === 'int' && t.name === '_Bool' && v.kind === 'pointer') return true;
    return t.kind === 'array' ? false : !(isScalar(t) !== isScalar(v));
  }

  private isLvalue(node: ast.Expression): boolean {
    switch (node.kind) {
      case 'Identifier': { const symbol = this.lookup(node.name); return !symbol || symbol.kind === 'variable' || symbol.kind === 'parameter'; }
      case 'Index': case 'CompoundLiteral': case 'StringLiteral': return true;
      case 'Unary': return node.operator === '*';
      case 'Member': return node.arrow || this.isLvalue(node.object);
      default: return false;
    }
  }

  private requireModifiableLvalue(node: ast.Expression, type: CType): boolean {
    if (isError(type)) return true;
    if (!this.isLvalue(node) || resolve(type).kind === 'array' || resolve(type).kind === 'function') {
      this.report(Diagnostics.NotAssignable, node);
      return false;
    }
    if (resolve(type).qualifiers?.const) {
      const name = node.kind === 'Identifier' ? node.name : node.kind === 'Member' ? node.member.name : '';
      if (name) this.report(Diagnostics.ConstAssignment, node, [name, typeToString(type)]);
      else this.report(Diagnostics.NotAssignable, node);
      return false;
    }
    return true;
  }

  private assignment(node: ast.AssignmentExpression): CType {
    const left = this.expression(node.left);
    const right = this.expression(node.right);
    if (!this.requireModifiableLvalue(node.left, left)) return unqualified(left);
    if (node.operator === '=') {
      if (!this.assignable(left, right)) this.report(Diagnostics.IncompatibleAssignment, node.right, [typeToString(unqualified(left)), typeToString(this.decay(right))]);
    } else if (!isError(right)) {
      const compoundOk = (isArithmetic(left) && isArithmetic(right)) || ((node.operator === '+=' || node.operator === '-=') && isPointer(left) && isInteger(right));
      if (!compoundOk) this.report(Diagnostics.InvalidOperands, node, [typeToString(left), typeToString(right)]);
    }
    return unqualified(left);
  }

  private unary(node: ast.UnaryExpression): CType {
    if (node.operator === '&&') return { kind: 'pointer', to: Types.void };
    const operand = this.expression(node.operand);
    if (isError(operand)) return node.operator === '&' ? Types.error : operand;
    switch (node.operator) {
      case '&':
        if (!this.isLvalue(node.operand) && resolve(operand).kind !== 'function') { this.report(Diagnostics.NotAssignable, node.operand); return Types.error; }
        return { kind: 'pointer', to: operand };
      case '*': {
        const pointer = resolve(this.decay(operand));
        if (pointer.kind !== 'pointer') { this.report(Diagnostics.IndirectionOfNonPointer, node.operand, [typeToString(operand)]); return Types.error; }
        return pointer.to;
      }
      case '!':
        if (!isScalar(this.decay(operand))) { this.report(Diagnostics.InvalidOperands, node, [typeToString(operand), 'int']); return Types.error; }
        return Types.int;
      case '~':
        if (!isInteger(operand)) { this.report(Diagnostics.InvalidOperands, node, [typeToString(operand), 'int']); return Types.error; }
        return promote(operand);
      case '+': case '-':
        if (!isArithmetic(operand)) { this.report(Diagnostics.InvalidOperands, node, [typeToString(operand), 'int']); return Types.error; }
        return promote(operand);
      case '++': case '--':
        this.requireModifiableLvalue(node.operand, operand);
        return unqualified(operand);
      default: return Types.error;
    }
  }

  private binary(node: ast.BinaryExpression): CType {
    const left = this.decay(node.left.kind === 'Binary' && this.types.has(node.left) ? this.types.get(node.left)! : this.expression(node.left));
    const right = this.decay(this.expression(node.right));
    if (isError(left) || isError(right)) return Types.error;
    const invalid = (): CType => { this.report(Diagnostics.InvalidOperands, node, [typeToString(left), typeToString(right)]); return Types.error; };
    switch (node.operator) {
      case '&&': case '||':
        return isScalar(left) && isScalar(right) ? Types.int : invalid();
      case '==': case '!=': case '<': case '>': case '<=': case '>=':
        if (isArithmetic(left) && isArithmetic(right)) return Types.int;
        if ((isPointer(left) || isInteger(left)) && (isPointer(right) || isInteger(right))) return Types.int;
        return invalid();
      case '+':
        if (isArithmetic(left) && isArithmetic(right)) return usualArithmeticConversions(left, right);
        if (isPointer(left) && isInteger(right)) return left;
        if (isInteger(left) && isPointer(right)) return right;
        return invalid();
      case '-':
        if (isArithmetic(left) && isArithmetic(right)) return usualArithmeticConversions(left, right);
        if (isPointer(left) && isInteger(right)) return left;
        if (isPointer(left) && isPointer(right)) return PTRDIFF_T;
        return invalid();
      case '*': case '/':
        return isArithmetic(left) && isArithmetic(right) ? usualArithmeticConversions(left, right) : invalid();
      case '%': case '&': case '|': case '^':
        return isInteger(left) && isInteger(right) ? usualArithmeticConversions(left, right) : invalid();
      case '<<': case '>>':
        return isInteger(left) && isInteger(right) ? promote(left) : invalid();
      default: return invalid();
    }
  }

  // ---------------------------------------------------------------- constant evaluation
  /** Integer constant expression value (C11 6.6), wrapped to the expression's type; undefined if not constant. */
  evaluate(node: ast.Expression): bigint | undefined {
    if (this.constantCache.has(node)) return this.constantCache.get(node);
    if (node.kind === 'Binary' && node.left.kind === 'Binary') {
      // Evaluate a left-deep chain bottom-up so the recursion depth stays constant.
      const spine: ast.BinaryExpression[] = [];
      for (let current: ast.Expression = node.left; current.kind === 'Binary'; current = current.left) spine.push(current);
      for (let i = spine.length - 1; i >= 0; i--) this.constantCache.set(spine[i], this.evaluateOne(spine[i]));
    }
    return this.evaluateOne(node);
  }

  private readonly constantCache = new Map<ast.Expression, bigint | undefined>();

  private evaluateOne(node: ast.Expression): bigint | undefined {
    if (this.constantCache.has(node)) return this.constantCache.get(node);
    const type = this.types.get(node) ?? this.expressionQuiet(node);
    const raw = this.evaluateRaw(node);
    if (raw === undefined) return undefined;
    return isInteger(type) || isPointer(type) ? wrapInteger(raw, type) : raw;
  }

  /** Types an expression that was not visited yet (attribute arguments) without duplicating diagnostics. */
  private expressionQuiet(node: ast.Expression): CType {
    const count = this.diagnostics.length;
    const type = this.expression(node);
    this.diagnostics.length = count;
    return type;
  }

  private evaluateRaw(node: ast.Expression): bigint | undefined {
    switch (node.kind) {
      case 'IntegerLiteral': return node.value;
      case 'CharLiteral': return node.value;
      case 'Identifier': {
        const symbol = this.lookup(node.name);
        return symbol?.kind === 'enumerator' ? symbol.value : undefined;
      }
      case 'Cast': {
        const target = this.types.get(node) ?? Types.error;
        if (!isInteger(target) && !isPointer(target)) return undefined;
        const value = this.evaluate(node.operand);
        return value === undefined ? undefined : wrapInteger(value, target);
      }
      case 'Sizeof': {
        const type = node.operand.kind === 'TypeName' ? this.types.get(node.operand) : this.types.get(node.operand);
        if (!type) return undefined;
        if (node.operator === '_Alignof') return BigInt(alignOf(type));
        const size = sizeOf(type);
        return size === undefined ? undefined : BigInt(size);
      }
      case 'Offsetof': {
        const count = this.diagnostics.length;
        const offset = this.offsetof(node);
        this.diagnostics.length = count;
        return offset === undefined ? undefined : BigInt(offset);
      }
      case 'TypesCompatible': {
        const left = this.types.get(node.left);
        const right = this.types.get(node.right);
        return left && right ? (compatible(unqualified(resolve(left)), unqualified(resolve(right))) ? 1n : 0n) : undefined;
      }
      case 'Unary': {
        const value = this.evaluate(node.operand);
        if (value === undefined) return undefined;
        switch (node.operator) {
          case '-': return -value;
          case '+': return value;
          case '~': return ~value;
          case '!': return value === 0n ? 1n : 0n;
          default: return undefined;
        }
      }
      case 'Binary': return this.evaluateBinary(node);
      case 'Conditional': {
        const condition = this.evaluate(node.condition);
        if (condition === undefined) return undefined;
        if (condition !== 0n) return node.whenTrue ? this.evaluate(node.whenTrue) : condition;
        return this.evaluate(node.whenFalse);
      }
      case 'Comma': return undefined;
      case 'Call': {
        if (node.callee.kind !== 'Identifier') return undefined;
        const name = node.callee.name;
        if (name === '__builtin_constant_p') return node.args[0] && this.evaluate(node.args[0]) !== undefined ? 1n : 0n;
        if (name === '__builtin_choose_expr' && node.args.length === 3) {
          const condition = this.evaluate(node.args[0]);
          return condition === undefined ? undefined : this.evaluate(condition !== 0n ? node.args[1] : node.args[2]);
        }
        if (name === '__builtin_expect' && node.args[0]) return this.evaluate(node.args[0]);
        const swaps: Record<string, number> = { __builtin_bswap16: 2, __builtin_bswap32: 4, __builtin_bswap64: 8 };
        if (Object.hasOwn(swaps, name) && node.args[0]) {
          const value = this.evaluate(node.args[0]);
          if (value === undefined) return undefined;
          let result = 0n;
          for (let i = 0; i < swaps[name]; i++) result = (result << 8n) | ((BigInt.asUintN(64, value) >> BigInt(8 * i)) & 0xffn);
          return result;
        }
        return undefined;
      }
      default: return undefined;
    }
  }

  private evaluateBinary(node: ast.BinaryExpression): bigint | undefined {
    const left = this.evaluate(node.left);
    if (left === undefined) return undefined;
    // Short-circuit operators only need the left side when it decides.
    if (node.operator === '&&' && left === 0n) return 0n;
    if (node.operator === '||' && left !== 0n) return 1n;
    const right = this.evaluate(node.right);
    if (right === undefined) return undefined;
    const leftType = this.types.get(node.left) ?? Types.int;
    const rightType = this.types.get(node.right) ?? Types.int;
    const common = isArithmetic(leftType) && isArithmetic(rightType) ? usualArithmeticConversions(leftType, rightType) : Types.long;
    const l = wrapInteger(left, common);
    const r = wrapInteger(right, common);
    switch (node.operator) {
      case '+': return l + r;
      case '-': return l - r;
      case '*': return l * r;
      case '/': case '%':
        if (r === 0n) { this.report(Diagnostics.DivisionByZero, node.right); return undefined; }
        return node.operator === '/' ? l / r : l % r;
      case '<<': return wrapInteger(left, promote(leftType)) << BigInt.asUintN(7, right);
      case '>>': return wrapInteger(left, promote(leftType)) >> BigInt.asUintN(7, right);
      case '&': return l & r;
      case '|': return l | r;
      case '^': return l ^ r;
      case '<': return l < r ? 1n : 0n;
      case '>': return l > r ? 1n : 0n;
      case '<=': return l <= r ? 1n : 0n;
      case '>=': return l >= r ? 1n : 0n;
      case '==': return l === r ? 1n : 0n;
      case '!=': return l !== r ? 1n : 0n;
      case '&&': case '||': return right !== 0n ? 1n : 0n;
      default: return undefined;
    }
  }
}

function hasAttribute(attributes: readonly ast.Attribute[], name: string): boolean {
  return attributes.some((attribute) => attribute.name === name);
}

function memberNames(record: RecordInfo): string[] {
  const names: string[] = [];
  for (const field of record.fields) {
    if (field.name) names.push(field.name);
    else if (field.bitWidth === undefined) {
      const inner = resolve(field.type);
      if (inner.kind === 'record') appendAll(names, memberNames(inner.record));
    }
  }
  return names;
}
