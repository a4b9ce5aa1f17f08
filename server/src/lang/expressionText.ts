/**
 * Expressions that are not part of the document: the text of a debugger watch, hover or breakpoint condition, read
 * by the front end's own scanner and parser and typed in a file scope of the analysis (casts and sizeof name the
 * types declared there). The debugger evaluates what this returns; it has no expression reader of its own.
 */
import type * as ast from './ast';
import { parseExpression } from './parser';
import { scan } from './scanner';
import { TokenKind } from './token';
import { typeOfTypeName, typedefNamesIn, type Scope } from './sema/analyzer';
import type { CType } from './types';

/** The file id of text that belongs to no file of the analysis. */
const NO_FILE = -1;

export class ExpressionReader {
  private typedefs?: ReadonlySet<string>;

  /** `scope`: the program's file scope; without one, type names cannot be read. */
  constructor(readonly scope: Scope | undefined) {}

  /** The expression, or the message of its first syntax error ('empty expression' for blank text). */
  read(text: string): { expression: ast.Expression } | { error: string } {
    const tokens = scan(text, NO_FILE).filter((t) => t.kind !== TokenKind.Newline);
    if (tokens.length <= 1) return { error: 'empty expression' };
    const { expression, diagnostics } = parseExpression(tokens, { typedefNames: this.typedefNames() });
    return diagnostics.length > 0 ? { error: diagnostics[0].message } : { expression };
  }

  /** The type a cast's or sizeof's type name names in the scope, or the message of the first error. */
  typeOf(node: ast.TypeName): { type: CType } | { error: string } {
    if (!this.scope) return { error: 'type names need the program\'s types, which are not available here' };
    const { type, diagnostics } = typeOfTypeName(node, this.scope);
    return diagnostics.length > 0 ? { error: diagnostics[0].message } : { type };
  }

  /** Every typedef name of the scope, collected once (the parser needs them to tell a cast from a parenthesis). */
  private typedefNames(): ReadonlySet<string> {
    return (this.typedefs ??= this.scope ? typedefNamesIn(this.scope) : new Set());
  }
}
