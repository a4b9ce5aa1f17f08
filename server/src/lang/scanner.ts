/**
 * C11 scanner with clang's lexing rules: line splicing, comments, pp-numbers, character and string
 * literals with L/u/U/u8 prefixes, every punctuator including digraphs. Offsets are UTF-16 offsets into
 * the original text (before splicing). Never throws: an unterminated comment or literal is reported and
 * scanning continues. Newline tokens end every line so the preprocessor can find directives.
 */

import { DiagnosticMessage, Diagnostics, FrontEndDiagnostic, formatMessage, MAX_COLLECTED_DIAGNOSTICS } from './diagnostics';
import { Token, TokenKind, makeToken } from './token';

export function createDiagnostic(
  message: DiagnosticMessage, file: number, pos: number, end: number, ...args: Array<string | number | bigint>
): FrontEndDiagnostic {
  return { code: message.code, category: message.category, message: formatMessage(message.message, args), file, pos, end };
}

const enum Char {
  Nul = 0, Tab = 9, LineFeed = 10, VerticalTab = 11, FormFeed = 12, CarriageReturn = 13, Space = 32,
  Exclamation = 33, DoubleQuote = 34, Hash = 35, Dollar = 36, Percent = 37, Ampersand = 38, SingleQuote = 39,
  Asterisk = 42, Plus = 43, Minus = 45, Dot = 46, Slash = 47, Digit0 = 48, Digit8 = 56, Digit9 = 57, Colon = 58,
  LessThan = 60, Equals = 61, GreaterThan = 62, UpperA = 65, UpperE = 69, UpperL = 76, UpperP = 80, UpperU = 85,
  UpperZ = 90, Backslash = 92, Caret = 94, Underscore = 95, LowerA = 97, LowerE = 101, LowerP = 112, LowerU = 117,
  LowerZ = 122, Bar = 124, ByteOrderMark = 0xfeff,
}

/** Canonical spellings of the digraphs; tokens carry the canonical text so later phases see one spelling. */
const digraphs: Record<string, string> = { '<:': '[', ':>': ']', '<%': '{', '%>': '}', '%:': '#', '%:%:': '##' };

function isIdentifierStart(code: number): boolean {
  return (code >= Char.LowerA && code <= Char.LowerZ) || (code >= Char.UpperA && code <= Char.UpperZ)
    || code === Char.Underscore || code === Char.Dollar || code >= 0x80 && code !== Char.ByteOrderMark;
}

function isIdentifierPart(code: number): boolean {
  return isIdentifierStart(code) || (code >= Char.Digit0 && code <= Char.Digit9);
}

function isHorizontalSpace(code: number): boolean {
  return code === Char.Space || code === Char.Tab || code === Char.VerticalTab || code === Char.FormFeed || code === Char.Nul;
}

/**
 * The text with every backslash-newline removed, and where each piece of it was in the original: piece k starts at
 * spliced offset `starts[k]` and original offset `originals[k]` (a file of 170 KB with 9 splices is 10 pieces, where
 * a table per character took a loop over every character of the file). Built only for files that contain a splice;
 * the common case scans the original string directly.
 */
interface SplicedText {
  text: string;
  starts: Int32Array;
  originals: Int32Array;
}

/** The offset in the original text of spliced offset `offset` (the end of the text maps to the original's end). */
function originalOffset(spliced: SplicedText, offset: number): number {
  const { starts, originals } = spliced;
  // the last piece starting at or before offset (of pieces starting at the same offset, the last: the others are empty)
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >>> 1;
    if (starts[middle] <= offset) low = middle;
    else high = middle - 1;
  }
  return originals[low] + (offset - starts[low]);
}

/** Whether a backslash is followed by blanks and a line break; indexOf is far faster than a regex on megabytes. */
function hasLineSplice(text: string): boolean {
  for (let at = text.indexOf('\\'); at >= 0; at = text.indexOf('\\', at + 1)) {
    let next = at + 1;
    while (text.charCodeAt(next) === Char.Space || text.charCodeAt(next) === Char.Tab) next++;
    const c = text.charCodeAt(next);
    if (c === Char.LineFeed || c === Char.CarriageReturn) return true;
  }
  return false;
}

function removeLineSplices(original: string, file: number, diagnostics: FrontEndDiagnostic[] | undefined): SplicedText | undefined {
  if (!hasLineSplice(original)) return undefined;
  const parts: string[] = [];
  const starts: number[] = [];
  const originals: number[] = [];
  let length = 0;
  let copiedUpTo = 0;
  const splice = /\\([ \t]*)(\r\n|\r|\n)/g;
  for (let match = splice.exec(original); match !== null; match = splice.exec(original)) {
    starts.push(length);
    originals.push(copiedUpTo);
    length += match.index - copiedUpTo;
    parts.push(original.slice(copiedUpTo, match.index));
    if (match[1].length > 0) {
      if (diagnostics && diagnostics.length < MAX_COLLECTED_DIAGNOSTICS) diagnostics.push(createDiagnostic(Diagnostics.BackslashNewlineSpace, file, match.index, match.index + 1));
    }
    copiedUpTo = match.index + match[0].length;
  }
  starts.push(length);
  originals.push(copiedUpTo);
  parts.push(original.slice(copiedUpTo));
  return { text: parts.join(''), starts: Int32Array.from(starts), originals: Int32Array.from(originals) };
}

/**
 * Scans a whole file. The result includes a Newline token at the end of every line that has tokens (and of
 * empty lines, so directive detection stays simple) and ends with one EndOfFile token.
 */
export function scan(text: string, file: number, diagnostics?: FrontEndDiagnostic[], maxTokens = Infinity): Token[] {
  const spliced = removeLineSplices(text, file, diagnostics);
  const source = spliced ? spliced.text : text;
  const map = spliced;
  const tokens: Token[] = [];
  const length = source.length;
  let i = source.charCodeAt(0) === Char.ByteOrderMark ? 1 : 0;
  let atLineStart = true;
  let leadingSpace = false;
  const hasCarriageReturn = source.indexOf('\r') >= 0;

  const original = (offset: number): number => (map ? originalOffset(map, offset) : offset);
  const report = (message: DiagnosticMessage, start: number, end: number, ...args: string[]): void => {
    // Bounded as in the other phases: a 10 MB file of NUL bytes would otherwise report each one.
    if (diagnostics && diagnostics.length < MAX_COLLECTED_DIAGNOSTICS) diagnostics.push(createDiagnostic(message, file, original(start), original(end), ...args));
  };
  let count = 0;
  const push = (kind: TokenKind, start: number, end: number, spelling?: string): void => {
    count++;
    const text = spelling === undefined ? source.slice(start, end) : spelling;
    tokens.push(map === undefined
      ? makeToken(kind, text, file, start, end, leadingSpace, atLineStart)
      : makeToken(kind, text, file, originalOffset(map, start), originalOffset(map, end), leadingSpace, atLineStart));
    atLineStart = false;
    leadingSpace = false;
  };

  // a file past maxTokens tokens (Newlines not counted) is not read further (the preprocessor reports it, see
  // limits.outputTokens)
  while (i < length && count < maxTokens) {
    const code = source.charCodeAt(i);
    if (code === Char.LineFeed || code === Char.CarriageReturn) {
      const start = i;
      i += code === Char.CarriageReturn && source.charCodeAt(i + 1) === Char.LineFeed ? 2 : 1;
      tokens.push(makeToken(TokenKind.Newline, '\n', file, original(start), original(i), leadingSpace, atLineStart));
      atLineStart = true;
      leadingSpace = false;
      continue;
    }
    if (code === Char.Space || code === Char.Tab) {
      i++;
      while (i < length) {
        const c = source.charCodeAt(i);
        if (c !== Char.Space && c !== Char.Tab) break;
        i++;
      }
      leadingSpace = true;
      continue;
    }
    if (isHorizontalSpace(code)) {
      if (code === Char.Nul) report(Diagnostics.NullCharacterIgnored, i, i + 1);
      i++;
      leadingSpace = true;
      continue;
    }
    if (code === Char.Slash) {
      const next = source.charCodeAt(i + 1);
      if (next === Char.Slash) {
        i += 2;
        // Without a CR anywhere, the comment ends at the next LF (indexOf: a 10 MB comment line is common in fuzzing).
        if (!hasCarriageReturn) {
          const lineEnd = source.indexOf('\n', i);
          i = lineEnd < 0 ? length : lineEnd;
        }
        while (i < length) {
          const c = source.charCodeAt(i);
          if (c === Char.LineFeed || c === Char.CarriageReturn) break;
          i++;
        }
        leadingSpace = true;
        continue;
      }
      if (next === Char.Asterisk) {
        const close = source.indexOf('*/', i + 2);
        if (close < 0) {
          report(Diagnostics.UnterminatedComment, i, i + 2);
          i = length;
        } else {
          i = close + 2;
        }
        leadingSpace = true;
        continue;
      }
    }
    const start = i;
    if (isIdentifierStart(code)) {
      // A prefix followed by a quote is a literal: L"", u"", U"", u8"", L'', u'', U''.
      if (code === Char.UpperL || code === Char.UpperU || code === Char.LowerU) {
        let quoteAt = i + 1;
        if (code === Char.LowerU && source.charCodeAt(i + 1) === Char.Digit8) quoteAt = i + 2;
        const quote = source.charCodeAt(quoteAt);
        if (quote === Char.DoubleQuote || (quote === Char.SingleQuote && quoteAt === i + 1)) {
          i = scanQuoted(quoteAt, quote);
          push(quote === Char.DoubleQuote ? TokenKind.StringLiteral : TokenKind.CharConstant, start, i);
          continue;
        }
      }
      i++;
      while (i < length) {
        const c = source.charCodeAt(i);
        // Fast path for ASCII letters, digits and `_`; anything else goes through the full test.
        if ((c >= Char.LowerA && c <= Char.LowerZ) || (c >= Char.UpperA && c <= Char.UpperZ) || (c >= Char.Digit0 && c <= Char.Digit9)
          || c === Char.Underscore || isIdentifierPart(c)) i++;
        else break;
      }
      push(TokenKind.Identifier, start, i);
      continue;
    }
    if ((code >= Char.Digit0 && code <= Char.Digit9)
      || (code === Char.Dot && isDigit(source.charCodeAt(i + 1)))) {
      i = scanPpNumber(i + 1);
      push(TokenKind.Number, start, i);
      continue;
    }
    if (code === Char.DoubleQuote || code === Char.SingleQuote) {
      i = scanQuoted(i, code);
      push(code === Char.DoubleQuote ? TokenKind.StringLiteral : TokenKind.CharConstant, start, i);
      continue;
    }
    const punctuator = matchPunctuator(source, i);
    if (punctuator > 0) {
      i += punctuator;
      const spelling = source.slice(start, i);
      push(TokenKind.Punctuator, start, i, digraphs[spelling] ?? spelling);
      continue;
    }
    // A lone high surrogate of an astral character is an identifier part, handled above; anything else
    // (`@`, backtick, a stray backslash, control characters) is one Unknown token the parser reports.
    i++;
    push(TokenKind.Unknown, start, i);
  }
  tokens.push(makeToken(TokenKind.EndOfFile, '', file, text.length, text.length, leadingSpace, true));
  return tokens;

  function scanPpNumber(from: number): number {
    let j = from;
    while (j < length) {
      const c = source.charCodeAt(j);
      if ((c === Char.Plus || c === Char.Minus)) {
        const previous = source.charCodeAt(j - 1);
        if (previous === Char.LowerE || previous === Char.UpperE || previous === Char.LowerP || previous === Char.UpperP) {
          j++;
          continue;
        }
        break;
      }
      if (c === Char.Dot || isIdentifierPart(c)) {
        j++;
        continue;
      }
      break;
    }
    return j;
  }

  function scanQuoted(quoteAt: number, quote: number): number {
    let j = quoteAt + 1;
    while (j < length) {
      const c = source.charCodeAt(j);
      if (c === quote) return j + 1;
      if (c === Char.Backslash && j + 1 < length) {
        const escaped = source.charCodeAt(j + 1);
        if (escaped !== Char.LineFeed && escaped !== Char.CarriageReturn) {
          j += 2;
          continue;
        }
      }
      if (c === Char.LineFeed || c === Char.CarriageReturn) break;
      j++;
    }
    report(Diagnostics.MissingTerminatingCharacter, quoteAt, j, quote === Char.DoubleQuote ? '"' : "'");
    return j;
  }
}

function isDigit(code: number): boolean {
  return code >= Char.Digit0 && code <= Char.Digit9;
}

/** Length of the longest punctuator at `i`, or 0. */
function matchPunctuator(source: string, i: number): number {
  const c = source.charCodeAt(i);
  const n = source.charCodeAt(i + 1);
  switch (c) {
    case 91: case 93: case 40: case 41: case 123: case 125: case 126: case 63: case 59: case 44: // [ ] ( ) { } ~ ? ; ,
      return 1;
    case Char.Dot:
      return n === Char.Dot && source.charCodeAt(i + 2) === Char.Dot ? 3 : 1;
    case Char.Minus:
      return n === Char.GreaterThan || n === Char.Minus || n === Char.Equals ? 2 : 1;
    case Char.Plus:
      return n === Char.Plus || n === Char.Equals ? 2 : 1;
    case Char.Ampersand:
      return n === Char.Ampersand || n === Char.Equals ? 2 : 1;
    case Char.Bar:
      return n === Char.Bar || n === Char.Equals ? 2 : 1;
    case Char.Asterisk: case Char.Slash: case Char.Caret: case Char.Exclamation: case Char.Equals:
      return n === Char.Equals ? 2 : 1;
    case Char.LessThan:
      if (n === Char.LessThan) return source.charCodeAt(i + 2) === Char.Equals ? 3 : 2;
      return n === Char.Equals || n === Char.Colon || n === Char.Percent ? 2 : 1;
    case Char.GreaterThan:
      if (n === Char.GreaterThan) return source.charCodeAt(i + 2) === Char.Equals ? 3 : 2;
      return n === Char.Equals ? 2 : 1;
    case Char.Colon:
      return n === Char.GreaterThan ? 2 : 1;
    case Char.Percent:
      if (n === Char.Colon) return source.charCodeAt(i + 2) === Char.Percent && source.charCodeAt(i + 3) === Char.Colon ? 4 : 2;
      return n === Char.Equals || n === Char.GreaterThan ? 2 : 1;
    case Char.Hash:
      return n === Char.Hash ? 2 : 1;
    default:
      return 0;
  }
}

/** True when `text` scans as exactly one token (used to validate `##` results). */
export function scansAsSingleToken(text: string): Token | undefined {
  const diagnostics: FrontEndDiagnostic[] = [];
  const tokens = scan(text, -1, diagnostics);
  if (diagnostics.length > 0 || tokens.length !== 2) return undefined;
  const only = tokens[0];
  if (only.kind === TokenKind.Newline || only.leadingSpace || only.end !== text.length) return undefined;
  return only;
}
