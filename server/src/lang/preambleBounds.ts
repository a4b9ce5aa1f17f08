/** Where a file's preamble (its leading comments and directives, parsed once and shared) ends. */

/**
 * End offset of a file's preamble: its leading run of blank lines, comments and preprocessor directives
 * (with `\` continuations), like clangd's ComputePreambleBounds(). The offset is outside every comment: the
 * preamble and the rest are preprocessed apart, so a comment opened on one side and closed on the other made the
 * code after `*\/` part of an unterminated comment (`/* a\n b *\/ int x;` lost `int x`). A directive runs to the end
 * of its logical line, which a block comment or a `\`-newline carries over to later lines (phase 3 comes before
 * directives are read), and so does a `//` comment ending in `\`.
 * Linear in the text: lines and comments are found with indexOf and one regular expression, never copied.
 */
export function preambleBounds(text: string): number {
  // The preamble and the rest are preprocessed apart: it cannot end inside a conditional group, whose #endif would
  // then be "without #if" (Falco's programs open `#ifdef CAPTURE_PAGE_FAULTS` right after their includes). It ends
  // where the outermost group still open at its end begins.
  const conditionals = { depth: 0, outermost: 0 };
  const end = leadingDirectivesEnd(text, conditionals);
  return conditionals.depth > 0 ? Math.min(end, conditionals.outermost) : end;
}

function leadingDirectivesEnd(text: string, conditionals: { depth: number; outermost: number }): number {
  const length = text.length;
  const isHorizontalBlank = (code: number): boolean => code === 0x20 || code === 0x09 || code === 0x0b || code === 0x0c || code === 0xfeff;
  const isLineBreak = (code: number): boolean => code === 0x0a || code === 0x0d;
  /** The offset after the line break at `at` (CRLF is one break). */
  const afterBreak = (at: number): number => (text.charCodeAt(at) === 0x0d && text.charCodeAt(at + 1) === 0x0a ? at + 2 : at + 1);
  /** Whether the line break at `at` follows a backslash (and blanks): a line splice, as the scanner reads one. */
  const isSpliced = (at: number): boolean => {
    let before = at - 1;
    while (before >= 0 && (text.charCodeAt(before) === 0x20 || text.charCodeAt(before) === 0x09)) before--;
    return before >= 0 && text.charCodeAt(before) === 0x5c;
  };
  /** The first line break at or after `from` (or the end of the text). */
  const hasCarriageReturn = text.indexOf('\r') >= 0;
  const lineBreakAt = (from: number): number => {
    const lf = text.indexOf('\n', from);
    if (!hasCarriageReturn) return lf < 0 ? length : lf;
    const cr = text.indexOf('\r', from);
    if (cr < 0) return lf < 0 ? length : lf;
    return lf < 0 ? cr : Math.min(lf, cr);
  };
  /** The offset after a logical line that ends in a `//` comment starting at `from` (spliced lines continue it). */
  const skipLineComment = (from: number): number => {
    let lineEnd = lineBreakAt(from);
    while (lineEnd < length && isSpliced(lineEnd)) lineEnd = lineBreakAt(afterBreak(lineEnd));
    return lineEnd < length ? afterBreak(lineEnd) : length;
  };
  // In a directive only these change where its logical line ends.
  const directiveStop = /\/[*/]|["'\r\n]/g;
  let offset = 0;
  while (offset < length) {
    // `bound` is where the preamble ends if this line holds code: the line's start, or the start of a block comment
    // that spans lines and closes on it.
    let bound = offset;
    let at = offset;
    for (;;) {
      while (at < length && isHorizontalBlank(text.charCodeAt(at))) at++;
      if (!text.startsWith('/*', at)) break;
      const close = text.indexOf('*/', at + 2);
      // An unclosed comment: the rest of the file is comment, and all of it preamble.
      if (close < 0) return length;
      if (lineBreakAt(at) < close) bound = at;
      at = close + 2;
    }
    if (at >= length) return length;
    const code = text.charCodeAt(at);
    if (isLineBreak(code)) { offset = afterBreak(at); continue; }
    if (text.startsWith('//', at)) { offset = skipLineComment(at + 2); continue; }
    if (code !== 0x23 /* # */) return bound;
    const name = /^#[ \t]*(if|ifdef|ifndef|endif)\b/.exec(text.slice(at, at + 16))?.[1];
    if (name === 'endif') conditionals.depth = Math.max(0, conditionals.depth - 1);
    else if (name !== undefined && conditionals.depth++ === 0) conditionals.outermost = bound;
    // A directive: to the end of its logical line.
    directiveStop.lastIndex = at + 1;
    for (;;) {
      const stop = directiveStop.exec(text);
      if (!stop) return length;
      const found = stop.index;
      const what = stop[0];
      if (what === '\n' || what === '\r') {
        if (isSpliced(found)) { directiveStop.lastIndex = afterBreak(found); continue; }
        offset = afterBreak(found);
        break;
      }
      if (what === '//') { offset = skipLineComment(found + 2); break; }
      if (what === '/*') {
        const close = text.indexOf('*/', found + 2);
        if (close < 0) return length;
        directiveStop.lastIndex = close + 2;
        continue;
      }
      // A string or character literal: to its closing quote (a backslash escapes the next character, a line break
      // that is not spliced ends an unterminated one).
      let inside = found + 1;
      while (inside < length) {
        const c = text.charCodeAt(inside);
        if (c === what.charCodeAt(0)) { inside++; break; }
        if (c === 0x5c) { inside = isLineBreak(text.charCodeAt(inside + 1)) ? afterBreak(inside + 1) : inside + 2; continue; }
        if (isLineBreak(c) && !isSpliced(inside)) break;
        inside++;
      }
      directiveStop.lastIndex = inside;
    }
  }
  return length;
}
