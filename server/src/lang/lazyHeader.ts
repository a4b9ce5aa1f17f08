/**
 * Lazy indexing of a header made only of type declarations (vmlinux.h as `bpftool btf dump ... format c` writes it:
 * about 2.8 MB, 11,000 records, 3,000 typedefs, 500,000 tokens). Parsing and binding all of it costs seconds and
 * hundreds of MiB, while a program reaches a few dozen of its types. So such a header is not tokenized: a first pass
 * records each top-level declaration's byte range and the names it declares (tags, typedefs, enumerators), and the
 * preamble's file scope (sema/model.ts `LazyDeclarations`) parses and binds a declaration when a name it
 * declares is first looked up; a record named only through a pointer stays a shell until its members are needed.
 *
 * Only a header whose shape makes this exact is indexed: an include guard, `#pragma`s, `#define`s and conditionals
 * around them, top-level `struct`/`union`/`enum`/`typedef` declarations at column 0 outside conditionals, and
 * `extern` declarations at column 0, also one conditional deep. A macro defined where the header is included that
 * names one of its identifiers would change its tokens: the declarations naming it are then read whole, through
 * the preprocessor, the rest through the index (preprocessor/session.ts checks `identifiers`, `declarationsNaming`).
 * Some declarations are always read whole (`alwaysExpanded`): the `extern` ones (functions and variables are not
 * bound lazily), and those naming a macro the header itself defines. bpftool 7.3 and later write such a header
 * (Linux 6.8 on): `#ifndef __ksym` / `#define __ksym ...` / `#endif` (and `__weak`, `__bpf_fastcall` under
 * `#if __has_attribute(...)`) before the types, then the kfuncs' prototypes (`extern ... __weak __ksym;`) inside
 * `#ifndef BPF_NO_KFUNC_PROTOTYPES`; read whole in their place among the directives, those prototypes are
 * skipped or kept by the preprocessor as clang would. Anything else: undefined, read as usual.
 */
import { createHash } from 'crypto';
import { scan } from './scanner';
import { Token, TokenKind, makeToken } from './token';
import { IndexNameTable, decodeIndex, encodeIndex } from './lazyIndexFormat';

/** Bump when the index layout or the rules that make it change: a cached index of another version is ignored. */
export const LAZY_INDEX_VERSION = 5;

export const enum LazyKind { Record = 0, Enum = 1, Typedef = 2, ForwardRecord = 3, ForwardEnum = 4, Extern = 5 }

export interface LazyHeaderIndex {
  /** The include guard (`__VMLINUX_H__`), if the file has one. */
  guard?: string;
  /** Per declaration: [pos, end, kind], flat. */
  declarations: Int32Array;
  /** Tag name -> declaration (the definition when there is one, else the forward declaration). */
  tags: IndexNameTable;
  /** Typedef and enumerator name -> declaration. */
  symbols: IndexNameTable;
  typedefNames: ReadonlySet<string>;
  /** Every identifier outside directives: a macro with one of these names makes the header ineligible. */
  identifiers: { has(name: string): boolean };
  /** The directive lines, [start, end) offsets: all the preprocessor reads of the file (`skeletonTokens`). */
  directiveLines: readonly number[];
  /**
   * Declarations read whole wherever the header is included, ascending: the `extern` ones and those naming a macro
   * the header defines (see the module comment).
   */
  alwaysExpanded: readonly number[];
}

/**
 * A persistent store for indexes keyed by content hash (the OS cache folder); lang/ knows no folder. `contentHash`
 * may answer the SHA-256 of a text's UTF-8 bytes when whoever read the file hashed those bytes already (hashing
 * the 2.8 MB string encodes it to UTF-8 again, about 10 ms of a start); undefined: it is computed here.
 */
export interface LazyIndexStore {
  load(key: string): Uint8Array | undefined;
  save(key: string, data: Uint8Array): void;
  contentHash?(text: string): string | undefined;
}

let store: LazyIndexStore | undefined;
/** Sets (or clears) the persistent store the indexes are kept in between processes. */
export function setLazyIndexStore(next: LazyIndexStore | undefined): void { store = next; }

/** Statistics for tests and the benchmarks: where the last indexes came from. */
export const lazyIndexStats = { built: 0, loaded: 0, rejected: 0 };

const MIN_LAZY_BYTES = 256 * 1024;
const memo = new Map<string, LazyHeaderIndex | null>();

/** The index of a header, or undefined when it is small or not of the indexable shape. */
export function lazyHeaderIndex(text: string): LazyHeaderIndex | undefined {
  if (text.length < MIN_LAZY_BYTES || !text.includes('#pragma clang attribute push')) return undefined;
  const known = memo.get(text);
  if (known !== undefined) return known ?? undefined;
  const hash = store?.contentHash?.(text) ?? createHash('sha256').update(text).digest('hex');
  const key = `lazy-index-v${LAZY_INDEX_VERSION}-${hash}`;
  let index: LazyHeaderIndex | undefined | null;
  const stored = store?.load(key);
  if (stored !== undefined) {
    index = fromStored(stored, hash, text);
    if (index) lazyIndexStats.loaded++;
    else lazyIndexStats.rejected++;
  }
  if (!index) {
    const built = buildIndex(text);
    lazyIndexStats.built++;
    index = built ?? null;
    if (built) {
      try { store?.save(key, toStored(built, hash, text)); } catch { /* a cache is optional */ }
    }
  }
  if (memo.size >= 4) memo.delete(memo.keys().next().value as string);
  memo.set(text, index ?? null);
  return index ?? undefined;
}

function toStored(index: LazyHeaderIndex, hash: string, text: string): Uint8Array {
  return encodeIndex({
    guard: index.guard, declarations: index.declarations, directiveLines: index.directiveLines,
    tags: [...(index.tags as Map<string, number>)], symbols: [...(index.symbols as Map<string, number>)],
    typedefNames: [...index.typedefNames], identifiers: index.identifiers as ReadonlySet<string>, alwaysExpanded: index.alwaysExpanded,
  }, LAZY_INDEX_VERSION, hash, text.length);
}

/**
 * A stored index, checked: any damage (truncated file, other version, other text) makes it undefined. Its
 * identifiers are stored as 32-bit hashes: a name whose hash is there is confirmed in the text (declarationsNaming
 * finds the declarations holding it as a whole word, exactly the identifiers the built index collects), so
 * `identifiers.has` answers as the built Set does.
 */
function fromStored(data: Uint8Array, hash: string, text: string): LazyHeaderIndex | undefined {
  const parts = decodeIndex(data, LAZY_INDEX_VERSION, hash, text.length);
  if (!parts) return undefined;
  const index: LazyHeaderIndex = {
    guard: parts.guard, declarations: parts.declarations, tags: parts.tags, symbols: parts.symbols,
    typedefNames: parts.typedefNames, directiveLines: parts.directiveLines, alwaysExpanded: parts.alwaysExpanded,
    identifiers: {
      has: (name) => IDENTIFIER.test(name) && parts.mayHaveIdentifier(name) && declarationsNaming(text, index, name).length > 0,
    },
  };
  return index;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * What the preprocessor reads of an indexed header: its directive lines' tokens at their real offsets (so a
 * `#pragma` or a diagnostic is placed in the real file), each line ending in a Newline, then EndOfFile; and, in
 * their place among them, the whole tokens of the declarations in `expanded` (ones a macro defined where the header
 * is included changes: they go through macro expansion as any header's tokens, see declarationsNaming).
 */
export function skeletonTokens(text: string, index: LazyHeaderIndex, file: number, expanded: readonly number[] = []): Token[] {
  const tokens: Token[] = [];
  const lines = index.directiveLines;
  const pushRange = (start: number, end: number): void => {
    for (const token of scan(text.slice(start, end) + '\n', file)) {
      if (token.kind === TokenKind.EndOfFile) break;
      token.pos += start;
      token.end += start;
      tokens.push(token);
    }
  };
  let next = 0;
  for (let i = 0; i < lines.length; i += 2) {
    for (; next < expanded.length && index.declarations[expanded[next] * 3] < lines[i]; next++) pushRange(index.declarations[expanded[next] * 3], index.declarations[expanded[next] * 3 + 1]);
    pushRange(lines[i], lines[i + 1]);
  }
  for (; next < expanded.length; next++) pushRange(index.declarations[expanded[next] * 3], index.declarations[expanded[next] * 3 + 1]);
  tokens.push(makeToken(TokenKind.EndOfFile, '', file, text.length, text.length, false, true));
  return tokens;
}

const namingMemo = new WeakMap<LazyHeaderIndex, Map<string, readonly number[]>>();

/**
 * The declarations whose text holds the identifier `name` (a whole word), in order: the only ones a macro of that
 * name can change. A header including `#define foo foo + 1`'s `u32 foo;` is then read through its index all but
 * those few, which the preprocessor expands as usual. Memoized per index: each keystroke asks again.
 */
export function declarationsNaming(text: string, index: LazyHeaderIndex, name: string): readonly number[] {
  let byName = namingMemo.get(index);
  if (!byName) namingMemo.set(index, byName = new Map());
  const known = byName.get(name);
  if (known) return known;
  const found: number[] = [];
  const declarations = index.declarations;
  const count = declarations.length / 3;
  let d = 0;
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length)) {
    if ((at > 0 && isIdentifierPart(text.charCodeAt(at - 1))) || isIdentifierPart(text.charCodeAt(at + name.length))) continue;
    while (d < count && declarations[d * 3 + 1] <= at) d++;
    if (d >= count) break;
    // outside any declaration: a directive line, which the preprocessor reads anyway
    if (declarations[d * 3] > at) continue;
    if (found[found.length - 1] !== d) found.push(d);
  }
  if (byName.size >= 256) byName.clear();
  byName.set(name, found);
  return found;
}

const isIdentifierStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isIdentifierPart = (c: number): boolean => isIdentifierStart(c) || (c >= 48 && c <= 57);

/** Adds the identifiers of text[from, to) (numbers' letters, as in `0x1fULL`, are not identifiers). */
function addIdentifiers(text: string, from: number, to: number, into: Set<string>): void {
  let i = from;
  while (i < to) {
    const c = text.charCodeAt(i);
    if (isIdentifierStart(c)) {
      const start = i;
      while (i < to && isIdentifierPart(text.charCodeAt(i))) i++;
      into.add(text.slice(start, i));
    } else if (c >= 48 && c <= 57) {
      while (i < to && isIdentifierPart(text.charCodeAt(i))) i++;
    } else i++;
  }
}
const KEYWORDS = new Set(['struct', 'union', 'enum', 'typedef', 'const', 'volatile', 'signed', 'unsigned', 'int', 'char', 'short', 'long',
  'void', 'float', 'double', '_Bool', '__attribute__', 'restrict', '__restrict', 'inline', 'static', 'extern']);

/** The first pass: one walk over the lines. Undefined when the header is not of the indexable shape. */
function buildIndex(text: string): LazyHeaderIndex | undefined {
  const declarations: number[] = [];
  const tags = new Map<string, number>();
  const symbols = new Map<string, number>();
  const typedefNames = new Set<string>();
  const identifiers = new Set<string>();
  const directiveLines: number[] = [];
  /** Declarations always read whole: the `extern` ones, then (below) those naming the header's own macros. */
  const alwaysExpanded: number[] = [];
  /** Names the header `#define`s or `#undef`s (its guard aside). */
  const ownMacros = new Set<string>();
  let guard: string | undefined;
  let depth = 0;
  let offset = 0;
  // Conditionals: the guard's (depth 1 around everything), ones holding only directives, and ones holding `extern`
  // declarations (read whole, in place: the preprocessor keeps or skips them as it does any group).
  let sawDeclaration = false;
  while (offset < text.length) {
    let lineEnd = text.indexOf('\n', offset);
    if (lineEnd < 0) lineEnd = text.length;
    const line = text.slice(offset, lineEnd);
    if (line.startsWith('#')) {
      if (line.endsWith('\\')) return undefined;
      const directive = /^#\s*(\w+)\s*(\w*)/.exec(line);
      const name = directive?.[1];
      if (name === 'ifndef' || name === 'ifdef' || name === 'if') {
        if (depth === 0 && name === 'ifndef' && !sawDeclaration && guard === undefined) guard = directive![2];
        depth++;
      } else if (name === 'endif') {
        if (--depth < 0) return undefined;
      } else if (name === 'define' || name === 'undef') {
        if (!directive![2]) return undefined;
        if (!(name === 'define' && directive![2] === guard && depth === 1)) ownMacros.add(directive![2]);
      } else if (name !== 'pragma' && name !== 'else' && name !== 'elif') return undefined;
      directiveLines.push(offset, lineEnd);
      offset = lineEnd + 1;
      continue;
    }
    if (line.trim() === '' ) { offset = lineEnd + 1; continue; }
    // a comment on a line of its own (bpftool 7.5's `/* BPF kfuncs */`); one spanning lines could hide anything
    if (line.startsWith('/*') && line.endsWith('*/') && line.indexOf('*/') === line.length - 2) { offset = lineEnd + 1; continue; }
    if (line.startsWith('//') && !line.endsWith('\\')) { offset = lineEnd + 1; continue; }
    if (line.startsWith('//') || line.startsWith('/*')) return undefined;
    // A declaration starts at column 0, inside the guard only (an `extern` one also one conditional deeper).
    const base = guard !== undefined ? 1 : 0;
    if (/^\s/.test(line) || (depth !== base && !(depth === base + 1 && line.startsWith('extern ')))) return undefined;
    sawDeclaration = true;
    let end = lineEnd;
    if (line.endsWith('{')) {
      // ends at the first line that starts with `}` and ends with `;`
      let at = lineEnd + 1;
      for (;;) {
        if (at >= text.length) return undefined;
        let next = text.indexOf('\n', at);
        if (next < 0) next = text.length;
        if (text.charCodeAt(at) === 0x7d /* } */ && text.charCodeAt(next - 1) === 0x3b /* ; */) { end = next; break; }
        if (text.charCodeAt(at) === 0x23 /* # */) return undefined;
        at = next + 1;
      }
    } else if (!line.endsWith(';')) return undefined;
    const declaration = declarations.length / 3;
    const body = text.slice(offset, end);
    const kind = classify(body, declaration, tags, symbols, typedefNames);
    if (kind === undefined || (depth !== base && kind !== LazyKind.Extern)) return undefined;
    if (kind === LazyKind.Extern) alwaysExpanded.push(declaration);
    declarations.push(offset, end, kind);
    addIdentifiers(text, offset, end, identifiers);
    offset = end + 1;
  }
  if (depth !== 0) return undefined;
  const index: LazyHeaderIndex = {
    guard, declarations: Int32Array.from(declarations), tags, symbols, typedefNames, identifiers, directiveLines, alwaysExpanded: [],
  };
  // A macro of the header's own is defined (or not) by the time a declaration after it is read: such declarations go
  // through the preprocessor, as all of them would without the index.
  const expanded = new Set(alwaysExpanded);
  for (const name of ownMacros) for (const declaration of declarationsNaming(text, index, name)) expanded.add(declaration);
  index.alwaysExpanded = [...expanded].sort((a, b) => a - b);
  // their names are declared by their own tokens, never bound from the index
  for (const table of [tags, symbols]) for (const [name, declaration] of table) if (expanded.has(declaration)) table.delete(name);
  for (const declaration of expanded) {
    if (declarations[declaration * 3 + 2] === LazyKind.Typedef) return undefined;
  }
  return index;
}

/** Records the names a declaration declares; undefined when it is not one of the indexable forms. */
function classify(body: string, declaration: number, tags: Map<string, number>, symbols: Map<string, number>, typedefNames: Set<string>): LazyKind | undefined {
  let m = /^(struct|union) ([A-Za-z_]\w*)(;| \{)/.exec(body);
  if (m) {
    if (m[3] === ';') {
      if (!tags.has(m[2])) tags.set(m[2], declaration);
      return LazyKind.ForwardRecord;
    }
    tags.set(m[2], declaration);
    return LazyKind.Record;
  }
  m = /^enum(?: ([A-Za-z_]\w*))?(;| \{| : [\w ]+\{)/.exec(body);
  if (m) {
    if (m[2] === ';') {
      if (!m[1]) return undefined;
      if (!tags.has(m[1])) tags.set(m[1], declaration);
      return LazyKind.ForwardEnum;
    }
    if (m[1]) tags.set(m[1], declaration);
    const open = body.indexOf('{');
    for (const line of body.slice(open + 1).split('\n')) {
      const e = /^\s*([A-Za-z_]\w*)\s*(=|,|$)/.exec(line);
      if (e) symbols.set(e[1], declaration);
    }
    return LazyKind.Enum;
  }
  // a function or variable declaration (a kfunc's prototype): read whole, never bound from the index
  if (body.startsWith('extern ')) return LazyKind.Extern;
  if (!body.startsWith('typedef ')) return undefined;
  const name = typedefName(body);
  if (!name) return undefined;
  symbols.set(name, declaration);
  typedefNames.add(name);
  // `typedef struct tag { ... } name;` defines the tag too
  const inner = /^typedef (struct|union|enum) ([A-Za-z_]\w*) \{/.exec(body);
  if (inner) tags.set(inner[2], declaration);
  return LazyKind.Typedef;
}

/** The name a typedef declares: `typedef T name;`, `name[4]`, `(*name)(...)`, `name(...)`, `{ ... } name;`. */
function typedefName(body: string): string | undefined {
  let text = body;
  // the braces of `typedef struct { ... } name;`
  const open = text.indexOf('{');
  if (open >= 0) {
    const close = text.lastIndexOf('}');
    if (close < open) return undefined;
    text = text.slice(0, open) + text.slice(close + 1);
  }
  text = text.replace(/__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)/g, ' ');
  const tokens: string[] = text.match(/[A-Za-z_]\w*|\S/g) ?? [];
  const pointerName = /\(\s*\*\s*(?:const\s+)?([A-Za-z_]\w*)\s*\)/.exec(text);
  if (pointerName) return pointerName[1];
  const paren = tokens.indexOf('(');
  const candidates = paren >= 0 ? tokens.slice(0, paren) : tokens.slice(0, tokens.findIndex((t) => t === ';' || t === '['));
  const last = candidates[candidates.length - 1];
  if (!last || !/^[A-Za-z_]\w*$/.test(last) || KEYWORDS.has(last) || candidates.length < 3) return undefined;
  return last;
}

/** Forgets the indexes kept in memory (tests of the persistent store). */
export function clearLazyIndexMemo(): void { memo.clear(); }
