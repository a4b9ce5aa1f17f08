/** The semantic model's shapes (symbols, scopes, tags, references) and the small helpers the analyzer's layers share. */

import * as ast from '../ast';
import { FrontEndDiagnostic } from '../diagnostics';
import { CType, EnumInfo, FieldInfo, RecordInfo } from '../types';

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
  /** a function definition clang refused as a redefinition: it stays visible, and a later one is not compared with it */
  invalid?: true;
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
  /** The association a `_Generic` selects (by the controlling expression's type), or undefined when none matches. */
  genericSelection(node: ast.GenericExpression): ast.Expression | undefined;
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
  /** `#pragma pack`: the largest field alignment in force where a record is defined (file, offset), if any. */
  packAt?: (file: number, pos: number) => number | undefined;
}

/**
 * The declarations of one lazily indexed header (lazyHeader.ts): which declaration declares a tag or a name,
 * and how to parse one. The file scope consults it on a miss; a record named only (`struct mm_struct *mm`) is a
 * shell whose members are bound when first read.
 */
export interface LazyDeclarations {
  tags: LazyNameTable;
  symbols: LazyNameTable;
  /** The record tag (`struct`/`union`) a tag's declaration defines, without parsing it. */
  recordTag(declaration: number): 'struct' | 'union' | undefined;
  parse(declaration: number): ast.ExternalDeclaration[];
  /** Inside the header's `#pragma clang attribute push(preserve_access_index)`: its records get the attribute. */
  preserveAccessIndex: boolean;
  /**
   * Where the header was included: before the translation unit's external declaration of this index (0, the default:
   * before all). Its names are visible from there on, as C scopes them; a name the file declared above (a forward
   * `struct task_struct`, a typedef again) meets the header's declaration there.
   */
  fromDeclaration?: number;
}

/** Name -> declaration number, and every name (completion lists them). */
export interface LazyNameTable {
  get(name: string): number | undefined;
  keys(): IterableIterator<string>;
}

export interface FunctionContext { name: string; returns: CType; labels: Set<string>; gotos: ast.Identifier[] }
