/** What every layer of the semantic analyzer shares: the scope chain, lookups (the preamble's prelude and lazily indexed headers bound on first use), references, reporting. */

import * as ast from '../ast';
import { DiagnosticMessage, FrontEndDiagnostic, formatMessage, MAX_COLLECTED_DIAGNOSTICS } from '../diagnostics';
import { CType, RecordInfo, Types, resolve } from '../types';
import type { SymbolKind, CSymbol, Tag, Scope, Reference, SemanticModel, AnalyzeOptions, LazyDeclarations, FunctionContext } from './model';

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
  /** The names bound so far, without the indexed ones. */
  ownKeys(): string[] { return [...super.keys()]; }
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

function* lazyNames(lazy: readonly LazyDeclarations[], table: 'symbols' | 'tags'): Iterable<string> {
  for (const source of lazy) yield* source[table].keys();
}

/** The case values and default label of a switch being analysed (clang's duplicate checks in ActOnFinishSwitchStmt). */
interface SwitchContext { values: Map<bigint, ast.Node>; defaultLabel?: ast.Node }

export abstract class ScopeState {
  // Provided by the layers above (see typesFromSyntax, constants, expressions, declarations, statements, analyzer).
  abstract evaluate(node: ast.Expression): bigint | undefined;
  abstract expression(node: ast.Expression): CType;
  protected abstract offsetof(node: ast.OffsetofExpression): number | undefined;
  protected abstract externalDeclaration(declaration: ast.ExternalDeclaration): void;
  protected abstract reportRedefinition(message: DiagnosticMessage, at: ast.Node, args: ReadonlyArray<string>, previous: ast.Node | undefined, note?: string): void;
  protected abstract declare(name: ast.Identifier, kind: SymbolKind, type: CType, declaration: ast.Node, storage: CSymbol['storage'], attributes: ast.Attribute[], defines: boolean, hasInitializer?: boolean): CSymbol;
  protected abstract initializer(target: CType, init: ast.Initializer, isDeclaration: boolean): void;
  protected abstract initializerListLength(list: ast.InitializerList): number;
  protected abstract declaration(node: ast.Declaration): void;
  protected abstract staticAssert(node: ast.StaticAssert): void;
  protected abstract condition(expression: ast.Expression, at: ast.Span, message?: DiagnosticMessage): void;
  protected abstract statement(node: ast.Statement): void;
  protected abstract blockItems(block: ast.CompoundStatement): void;

  protected readonly diagnostics: FrontEndDiagnostic[] = [];
  protected readonly types = new Map<ast.Node, CType>();
  /** What each `_Generic` selects (model.genericSelection). */
  protected readonly genericSelections = new Map<ast.GenericExpression, ast.Expression>();
  protected readonly declaratorTypes = new Map<ast.Declarator, CType>();
  protected readonly references: Reference[] = [];
  protected readonly referencesByNode = new Map<ast.Identifier, Reference>();
  protected scope: Scope;
  protected readonly fileScope: Scope;
  protected functionContext?: FunctionContext;
  protected loopDepth = 0;
  protected switchDepth = 0;
  protected readonly switches: SwitchContext[] = [];
  protected readonly functions: SemanticModel['functions'] = [];

  /** Per lazy header, the declarations bound so far. */
  protected readonly bound: Array<Set<number>> = [];
  /** The lazy headers, and which of them the analysis has passed the include of (activateLazyHeaders). */
  protected readonly lazy: readonly LazyDeclarations[];
  protected readonly lazyVisible: boolean[] = [];
  protected referencesSorted = true;
  protected readonly packAt: AnalyzeOptions['packAt'];

  constructor(options: AnalyzeOptions) {
    const lazy = options.lazy ?? [];
    this.packAt = options.packAt;
    this.fileScope = lazy.length === 0
      ? { parent: options.preludeScope, symbols: new Map(), tags: new Map() }
      : {
        parent: options.preludeScope,
        symbols: new LazyScopeTable<CSymbol>((name) => this.bindLazySymbol(lazy, name), () => lazyNames(lazy, 'symbols')),
        tags: new LazyScopeTable<Tag>((name) => this.bindLazyTag(lazy, name), () => lazyNames(lazy, 'tags')),
      };
    for (let i = 0; i < lazy.length; i++) { this.bound.push(new Set()); this.lazyVisible.push(false); }
    this.lazy = lazy;
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

  // ---------------------------------------------------------------- diagnostics and scopes
  /** `note`: a related place (clang's "note:"), kept only when it is in a file (not a builtin's position -1). */
  protected report(message: DiagnosticMessage, node: { file: number; pos: number; end: number }, args: ReadonlyArray<string | number | bigint> = [], note?: { at: { file: number; pos: number; end: number }; message: string }): void {
    if (this.diagnostics.length >= MAX_COLLECTED_DIAGNOSTICS) return;
    const related = note && note.at.file >= 0 ? [{ file: note.at.file, pos: note.at.pos, end: note.at.end, message: note.message }] : undefined;
    this.diagnostics.push({ code: message.code, category: message.category, message: formatMessage(message.message, args), file: node.file, pos: node.pos, end: node.end, ...(related ? { related } : {}) });
  }

  /** A symbol of the preamble's file scope (the same C scope as this file's, see declareOverPrelude). */
  protected preludeSymbol(name: string): CSymbol | undefined {
    for (let scope = this.fileScope.parent; scope; scope = scope.parent) {
      const symbol = scope.symbols.get(name);
      if (symbol) return symbol;
    }
    return undefined;
  }
  protected preludeTag(name: string): Tag | undefined {
    for (let scope = this.fileScope.parent; scope; scope = scope.parent) {
      const tag = scope.tags.get(name);
      if (tag) return tag;
    }
    return undefined;
  }

  protected lookup(name: string): CSymbol | undefined {
    for (let scope: Scope | undefined = this.scope; scope; scope = scope.parent) {
      const symbol = scope.symbols.get(name);
      if (symbol) return symbol;
    }
    return undefined;
  }
  protected lookupTag(name: string): Tag | undefined {
    for (let scope: Scope | undefined = this.scope; scope; scope = scope.parent) {
      const tag = scope.tags.get(name);
      if (tag) return tag;
    }
    return undefined;
  }
  protected withScope<T>(body: () => T): T {
    const saved = this.scope;
    this.scope = { parent: saved, symbols: new Map(), tags: new Map() };
    try { return body(); } finally { this.scope = saved; }
  }
  protected refer(node: ast.Identifier, target: Omit<Reference, 'file' | 'pos' | 'end'>): void {
    const reference = { file: node.file, pos: node.pos, end: node.end, ...target };
    this.referencesByNode.set(node, reference);
    if (node.end > node.pos) { this.references.push(reference); this.referencesSorted = false; }
  }

  // ---------------------------------------------------------------- lazily indexed headers
  /**
   * Makes visible the lazy headers included before external declaration `next` (Infinity: all). A name the file
   * declared before the include and the header declares too is bound at once: the header's `struct task_struct {...}`
   * completes the file's forward declaration, its typedef meets the file's as a redeclaration would, as in clang.
   */
  protected activateLazyHeaders(next: number): void {
    for (let i = 0; i < this.lazy.length; i++) {
      if (this.lazyVisible[i] || (this.lazy[i].fromDeclaration ?? 0) > next) continue;
      this.lazyVisible[i] = true;
      const symbols = this.fileScope.symbols as LazyScopeTable<CSymbol>;
      const tags = this.fileScope.tags as LazyScopeTable<Tag>;
      for (const name of tags.ownKeys()) {
        const declaration = this.lazy[i].tags.get(name);
        if (declaration !== undefined) this.bindLazy(this.lazy, i, declaration);
      }
      for (const name of symbols.ownKeys()) {
        const declaration = this.lazy[i].symbols.get(name);
        if (declaration !== undefined) this.bindLazy(this.lazy, i, declaration);
      }
    }
  }

  protected bindLazySymbol(lazy: readonly LazyDeclarations[], name: string): void {
    for (let i = 0; i < lazy.length; i++) {
      if (!this.lazyVisible[i]) continue;
      const declaration = lazy[i].symbols.get(name);
      if (declaration !== undefined) { this.bindLazy(lazy, i, declaration); return; }
    }
  }

  protected bindLazyTag(lazy: readonly LazyDeclarations[], name: string): void {
    for (let i = 0; i < lazy.length; i++) {
      if (!this.lazyVisible[i]) continue;
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
  protected bindLazy(lazy: readonly LazyDeclarations[], i: number, declaration: number): void {
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

  protected readonly constantCache = new Map<ast.Expression, bigint | undefined>();
}
