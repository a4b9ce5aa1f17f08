/**
 * Tokens shared by the scanner, the preprocessor and the parser.
 * A token produced by macro expansion keeps the chain of where it came from, so a diagnostic inside
 * `BPF_SEQ_PRINTF(...)` can point at the user's call and hover can show the expansion.
 */

export const enum TokenKind {
  Identifier,
  Keyword,
  /** pp-number as scanned; the parser classifies it as integer or floating constant. */
  Number,
  CharConstant,
  StringLiteral,
  Punctuator,
  /** Only inside the preprocessor: a `#`-directive line's newline, a header name `<...>`. */
  HeaderName,
  Newline,
  EndOfFile,
  /** A character that is no token (stray `@`, `` ` ``, a control byte); the parser reports it. */
  Unknown,
}

/** A file known to the front end; `id` indexes the SourceFile table of one compilation. */
export interface SourceFileRef {
  id: number;
  /** Absolute path, or `<bundled>/bpf/bpf_helpers.h` for bundled headers, or `<command line>`. */
  path: string;
}

/** Where a macro-expanded token came from: the macro, and the token that invoked it. */
export interface ExpansionOrigin {
  /** Name of the macro whose expansion produced the token. */
  macro: string;
  /** The identifier (or call) that was expanded, as it stands in its own file. */
  file: number;
  pos: number;
  end: number;
  /** The outer expansion when the invocation itself came from a macro. */
  parent?: ExpansionOrigin;
}

export interface Token {
  kind: TokenKind;
  /** Spelling after line splicing (`\`-newline removed); for strings, including quotes and prefix. */
  text: string;
  /** File and UTF-16 offsets of the spelling in that file: [pos, end). */
  file: number;
  pos: number;
  end: number;
  /** True when whitespace (or a comment) precedes it on its line; needed for `#` stringizing and -E output. */
  leadingSpace: boolean;
  /** True when it is the first token on its line. */
  atLineStart: boolean;
  /** Set for tokens produced by macro expansion. */
  origin?: ExpansionOrigin;
  /**
   * "Painted blue" (C11 6.10.3.4p2): an identifier naming a macro that was being expanded when it was met;
   * it is never expanded again, even when rescanned later as part of another expansion.
   */
  noExpand?: boolean;
}

/**
 * A new token. Every token of the front end is made here or by `tokenWith`/`relocatedToken`, with every field
 * present and of one type (`origin` an object or undefined, `noExpand` a boolean): all tokens then share one
 * object shape, so the preprocessor's and the parser's code stays monomorphic over them. Tokens of several
 * shapes (scanned without `origin`, expanded with it, spread copies) deoptimized the parser's hottest functions
 * ("wrong map") at the first edits, which then ran in the interpreter again.
 */
export function makeToken(kind: TokenKind, text: string, file: number, pos: number, end: number, leadingSpace: boolean, atLineStart: boolean,
  origin?: ExpansionOrigin, noExpand = false): Token {
  return { kind, text, file, pos, end, leadingSpace, atLineStart, origin, noExpand };
}

/** A copy of `token` with some fields changed (the one shape of `makeToken`). */
export function tokenWith(token: Token, changes: Partial<Token>): Token {
  return {
    kind: changes.kind ?? token.kind, text: changes.text ?? token.text, file: changes.file ?? token.file,
    pos: changes.pos ?? token.pos, end: changes.end ?? token.end, leadingSpace: changes.leadingSpace ?? token.leadingSpace,
    atLineStart: changes.atLineStart ?? token.atLineStart, origin: 'origin' in changes ? changes.origin : token.origin,
    noExpand: changes.noExpand ?? token.noExpand === true,
  };
}

/**
 * A copy of `token` produced by an expansion. Built field by field rather than by spreading: every relocated
 * token then has one object shape, and the spread copy was the hottest line of the preprocessor on each edit.
 */
export function relocatedToken(token: Token, origin: ExpansionOrigin | undefined, file = token.file, pos = token.pos, end = token.end): Token {
  return {
    kind: token.kind, text: token.text, file, pos, end, leadingSpace: token.leadingSpace, atLineStart: token.atLineStart,
    origin, noExpand: token.noExpand === true,
  };
}
