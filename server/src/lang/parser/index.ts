/**
 * Recursive-descent parser for the C that BPF programs, libbpf's headers and vmlinux.h contain (C11 + the GNU
 * extensions clang accepts). Input is the preprocessor's token stream (keywords arrive as identifiers and
 * are classified here). Like the TypeScript parser it never throws: every problem becomes a diagnostic, and
 * the parser recovers so the rest of the file still gets a tree. Nesting is capped at clang's bracket depth
 * (256) so hostile input cannot overflow the JS stack.
 */

import * as ast from '../ast';
import { Diagnostics, FrontEndDiagnostic } from '../diagnostics';
import { Token } from '../token';
import { KEYWORDS, type ParseOptions } from './grammar';
import { StatementParser } from './statements';

export { MAX_NESTING_DEPTH } from './grammar';
export type { ParseOptions } from './grammar';
export { parseNumber, charValue } from './literals';

export interface ParseResult {
  unit: ast.TranslationUnit;
  diagnostics: FrontEndDiagnostic[];
  /** Typedef names visible at file scope after parsing (used to resume parsing after a cached preamble). */
  typedefNames: ReadonlySet<string>;
  /**
   * Per `lazyTypedefNames` entry, the index in `unit.declarations` of the first declaration parsed from its token
   * on: the header's declarations come before it (sema binds them from there, `LazyDeclarations.fromDeclaration`).
   */
  lazyDeclarationStarts: number[];
}

export function parse(tokens: readonly Token[], options: ParseOptions = {}): ParseResult {
  return new Parser(tokens, options).parseTranslationUnit();
}

/** Parses one expression (for tests, hover and the debugger's watch expressions). */
export function parseExpression(tokens: readonly Token[], options: ParseOptions = {}): { expression: ast.Expression; diagnostics: FrontEndDiagnostic[] } {
  const parser = new Parser(tokens, options);
  const expression = parser.parseExpressionOnly();
  return { expression, diagnostics: parser.diagnostics };
}

export function isKeyword(text: string): boolean {
  return KEYWORDS.has(text);
}

class Parser extends StatementParser {
  // ---------------------------------------------------------------- translation unit
  parseTranslationUnit(): ParseResult {
    const start = this.startNode();
    const declarations: ast.ExternalDeclaration[] = [];
    const lazyStarts = this.lazyTypedefs.map(() => -1);
    const placeLazyHeaders = (): void => {
      for (let l = 0; l < lazyStarts.length; l++) if (lazyStarts[l] < 0 && this.index >= this.lazyTypedefs[l].from) lazyStarts[l] = declarations.length;
    };
    while (!this.atEnd()) {
      placeLazyHeaders();
      const before = this.index;
      const declaration = this.parseExternalDeclaration();
      if (declaration) declarations.push(declaration);
      if (this.index === before) {
        // No progress: report the token and drop it (a stray `}` or `)`).
        this.error(Diagnostics.ExpectedDeclaration);
        this.next();
      }
    }
    for (let l = 0; l < lazyStarts.length; l++) if (lazyStarts[l] < 0) lazyStarts[l] = declarations.length;
    const unit = this.finish({ kind: 'TranslationUnit' as const, ...start, end: 0, declarations });
    unit.end = this.token.pos;
    const fileScope = this.scopes[0];
    const prelude = this.preludeTypedefs;
    const lazy = this.lazyTypedefs;
    let typedefNames: Set<string> | undefined;
    return {
      unit, diagnostics: this.diagnostics, lazyDeclarationStarts: lazyStarts,
      // Only a preamble's parse needs the set; built on first use.
      get typedefNames(): ReadonlySet<string> {
        if (!typedefNames) {
          typedefNames = new Set<string>();
          for (const name of prelude) if (fileScope.get(name) !== false) typedefNames.add(name);
          for (const { names } of lazy) for (const name of names) if (fileScope.get(name) !== false) typedefNames.add(name);
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
}
