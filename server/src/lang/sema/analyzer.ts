/**
 * Binder and expression checker: builds scopes and symbols, gives every expression a C type, resolves
 * identifiers to symbols and member names to fields, evaluates integer constant expressions, and reports
 * what `clang -fsyntax-only -target bpf` rejects as errors (undeclared names, missing members, wrong
 * argument counts, non-assignable targets, incompatible struct assignments, redefinitions).
 * Like the parser it never throws: an ill-typed expression gets the error type and nothing cascades from it.
 */

import * as ast from '../ast';
import { FrontEndDiagnostic } from '../diagnostics';
import { CType, RecordInfo } from '../types';
import type { Scope, Reference, SemanticModel, AnalyzeOptions } from './model';
import { StatementAnalyzer } from './statements';

export type { SymbolKind, CSymbol, Tag, Scope, Reference, SemanticModel, AnalyzeOptions, LazyDeclarations, LazyNameTable } from './model';

/** A record of a lazily indexed header whose members are not bound yet (reading them would bind it). */
export function isUnboundRecord(record: RecordInfo): boolean {
  return Object.getOwnPropertyDescriptor(record, 'complete')?.get !== undefined;
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

class SemanticAnalyzer extends StatementAnalyzer {
  run(unit: ast.TranslationUnit): SemanticModel {
    const declarations = unit.declarations;
    for (let d = 0; d < declarations.length; d++) {
      this.activateLazyHeaders(d);
      this.externalDeclaration(declarations[d]);
    }
    // a header included after the last declaration: its names are the file scope's for the editor features
    this.activateLazyHeaders(Infinity);
    const references = this.references.sort((a, b) => a.file - b.file || a.pos - b.pos);
    this.referencesSorted = true;
    return {
      diagnostics: this.diagnostics,
      fileScope: this.fileScope,
      typeOf: (node) => this.types.get(node),
      genericSelection: (node) => this.genericSelections.get(node),
      references,
      referenceAt: (file, offset) => {
        // declarations of a lazy header bound since: their references were appended
        if (!this.referencesSorted) { references.sort((a, b) => a.file - b.file || a.pos - b.pos); this.referencesSorted = true; }
        // the last reference starting at or before the offset
        let low = 0;
        let high = references.length - 1;
        let last = -1;
        while (low <= high) {
          const middle = (low + high) >> 1;
          const candidate = references[middle];
          if (candidate.file < file || (candidate.file === file && candidate.pos <= offset)) { last = middle; low = middle + 1; } else high = middle - 1;
        }
        // Of those containing the offset, the innermost: the latest start, then the earliest end, then the first
        // recorded. Many share one range (the tokens of a macro's body stand at its invocation): a choice that
        // depended on where a binary search happened to land changed with the references of other files (a lazily
        // read header's, bound by whichever analysis reached them first).
        let found: Reference | undefined;
        for (let i = last; i >= 0; i--) {
          const candidate = references[i];
          if (candidate.file !== file || (found && candidate.pos < found.pos)) break;
          if (offset < candidate.end && (!found || candidate.end <= found.end)) found = candidate;
        }
        return found;
      },
      referenceOf: (node) => this.referencesByNode.get(node),
      evaluate: (expression) => this.evaluate(expression),
      declaredType: (declarator) => this.declaratorTypes.get(declarator),
      functions: this.functions,
    };
  }

  reported(): FrontEndDiagnostic[] { return this.diagnostics; }
}
