/**
 * Incremental lowering (issue 18 point 2): a function whose body tokens did not change, in a file whose tokens
 * outside function bodies did not change either, is not lowered again: the IR function, its diagnostics and the
 * string literals it added are taken from the previous lowering of the same file.
 *
 * What a function's lowering reads, and how each is compared:
 * - its definition: its tokens as the parser saw them (after macro expansion, so a changed `#define`, `__LINE__`
 *   or `__COUNTER__` shows), with their file and offsets (the IR's locations);
 * - everything it can name: the text of the tokens outside every function definition (declarations, types,
 *   globals, maps) with a mark where each definition stands, the other definitions' signatures (the IR of a call
 *   depends on the callee's type), the user part's `#pragma`s, and the preamble (the same `Preamble` object);
 * - the state lowering carries from one function to the next: the emitted functions' indexes, the globals' layout
 *   (function-local statics of every body included), the string literals interned so far, the jump-label counter,
 *   and the diagnostics collected so far (a function lowered near the cap kept fewer of its own).
 * Equal inputs give equal outputs: `test/unit/service/incremental.test.ts` compares with from-scratch analyses.
 */
import type { Token } from '../token';
import type { Preamble } from '../compile';
import type { FrontEndDiagnostic } from '../diagnostics';
import type { IrFunction } from '../ir';

/** The user part's tokens split by function definition: one key per definition, one for everything else. */
export interface TokenKeys {
  /** The text of the tokens outside every function definition. */
  outside: readonly string[];
  /** The tokens of the definition that spans [pos, end) of `file`; undefined when none of them were found. */
  definition(file: number, pos: number, end: number): DefinitionTokens | undefined;
}

/**
 * A definition's tokens: their texts, and their places as (file, offset) pairs, an offset in the definition's own file
 * counted from the definition's start (`base`): a definition that only moved (an edit above it changed the length of
 * the text) has the same tokens, and its lowering is taken relocated by the distance it moved.
 */
export interface DefinitionTokens { texts: string[]; places: number[]; file: number; base: number; end: number }

/** The key of a function of the preamble: the same `Preamble` object holds the same definition. */
export const IN_PREAMBLE = 'preamble';

export function sameDefinitionTokens(a: DefinitionTokens | typeof IN_PREAMBLE, b: DefinitionTokens | typeof IN_PREAMBLE): boolean {
  if (a === IN_PREAMBLE || b === IN_PREAMBLE) return a === b;
  return a.file === b.file && sameTexts(a.texts, b.texts) && a.places.length === b.places.length && a.places.every((x, i) => x === b.places[i]);
}

export function sameTexts(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** What the lowering of one function produced, with the inputs it was made from. */
export interface LoweredFunctionRecord {
  definition: DefinitionTokens | typeof IN_PREAMBLE;
  /** The state at the function's start (see `LoweringMemo.stateKey`). */
  stateKey: string;
  fn: IrFunction;
  diagnostics: FrontEndDiagnostic[];
  /** String literals the function interned first, in order (their keys as `stringLiteral` keys them). */
  newStrings: string[];
  /** How far the function moved the jump-label counter. */
  jumpLabels: number;
}

/** One file's previous lowering: the input of the next one. Immutable once made. */
export interface LoweringMemo {
  preamble: Preamble | undefined;
  /** `TokenKeys.outside`. */
  outside: readonly string[];
  /** The functions' records by name. */
  functions: ReadonlyMap<string, LoweredFunctionRecord>;
}

/** Options of `lowerProgram` for incremental lowering. */
export interface LoweringReuse {
  /** The user part's tokens, as the parser read them. */
  tokens: readonly Token[];
  /** The user part's `#pragma`s, in order (what the front end reads from it that is no token). */
  pragmas?: ReadonlyArray<PragmaPlace>;
  previous?: LoweringMemo;
}

/**
 * Splits the tokens by function definition (signature and body); tokens are attributed by where they stand (a macro's expansion stands at its
 * invocation). A definition is compared by its tokens with their offsets (the IR's locations come from them); the
 * rest is kept as text only, with a mark where each definition stands, so an edit that moves the rest of the file
 * leaves the definitions it did not move reusable. The signatures' text is part of the rest too.
 */
export function tokenKeys(tokens: readonly Token[], definitions: ReadonlyArray<DefinitionRange>, pragmas: ReadonlyArray<PragmaPlace> = []): TokenKeys {
  const sorted = [...definitions].sort((a, b) => a.file - b.file || a.pos - b.pos);
  const inside = new Map<DefinitionRange, DefinitionTokens>();
  const outside: string[] = [];
  let current: DefinitionRange | undefined;
  let pragma = 0;
  for (let i = 0; i < tokens.length; i++) {
    // a #pragma counts where it stands among the tokens (`#pragma clang attribute push` marks the records after it)
    for (; pragma < pragmas.length && pragmas[pragma].tokenIndex <= i; pragma++) outside.push(`#pragma ${pragmas[pragma].text}`);
    const token = tokens[i];
    const definition = definitionContaining(sorted, token);
    if (!definition) { outside.push(token.text); current = undefined; continue; }
    let own = inside.get(definition);
    if (!own) inside.set(definition, own = { texts: [], places: [], file: definition.file, base: definition.pos, end: definition.end });
    if (definition !== current) { outside.push('\u0004'); current = definition; }
    own.texts.push(token.text);
    own.places.push(token.file, token.file === definition.file ? token.pos - definition.pos : token.pos);
    // the signature is every other function's business too (a call's IR depends on the callee's type)
    if (token.pos < definition.bodyPos) outside.push(token.text);
  }
  for (; pragma < pragmas.length; pragma++) outside.push(`#pragma ${pragmas[pragma].text}`);
  const byRange = new Map<string, DefinitionTokens>();
  for (const [range, own] of inside) byRange.set(`${range.file}:${range.pos}:${range.end}`, own);
  return { outside, definition: (file, pos, end) => byRange.get(`${file}:${pos}:${end}`) };
}

/** A `#pragma` of the user part: its text, and the index of the token it precedes. */
export interface PragmaPlace { text: string; tokenIndex: number }

/** A function definition's place: [pos, end) of `file`, its body starting at `bodyPos`. */
export interface DefinitionRange { file: number; pos: number; end: number; bodyPos: number }

/** Binary search over non-overlapping ranges sorted by (file, pos). */
function definitionContaining<R extends { file: number; pos: number; end: number }>(sorted: readonly R[], token: Token): R | undefined {
  let low = 0;
  let high = sorted.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const r = sorted[mid];
    if (r.file < token.file || (r.file === token.file && r.end <= token.pos)) low = mid + 1;
    else if (r.file > token.file || token.pos < r.pos) high = mid - 1;
    else return token.end <= r.end ? r : undefined;
  }
  return undefined;
}

/**
 * `value` with every place in `file` (an object with numeric `file`, `pos` and `end`: an IR location, a diagnostic)
 * moved by `delta`; what holds no such place is shared, not copied (IR types, string bytes), and so is what was shared.
 */
export function relocated<T>(value: T, file: number, delta: number): T {
  return movedPlaces(value, (f) => (f === file ? delta : 0), new Map()) as T;
}

/**
 * `value` with each place moved by what `shift` says of it; undefined when `shift` knows no distance for one of them
 * (a place outside every range that moved, in a result made from several).
 */
export function relocatedBy<T>(value: T, shift: (file: number, pos: number, end: number) => number | undefined): T | undefined {
  try {
    return movedPlaces(value, shift, new Map()) as T;
  } catch (error) {
    if (error === UNKNOWN_SHIFT) return undefined;
    throw error;
  }
}

const UNKNOWN_SHIFT = new Error('a place with no known shift');

function movedPlaces(value: unknown, shift: (file: number, pos: number, end: number) => number | undefined, seen: Map<object, unknown>): unknown {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  const known = seen.get(value);
  if (known !== undefined) return known;
  let result: unknown = value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, i) => {
      const moved = movedPlaces(item, shift, seen);
      if (moved !== item) (copy ??= [...value])[i] = moved;
    });
    if (copy) result = copy;
  } else if (Object.getPrototypeOf(value) === Object.prototype) {
    const record = value as Record<string, unknown>;
    let copy: Record<string, unknown> | undefined;
    for (const key in record) {
      const item = record[key];
      // an IR type is a small record of its own with no place (most nodes have one): not walked
      if (key === 'type' || key === 'returnType' || item === null || typeof item !== 'object') continue;
      const moved = movedPlaces(item, shift, seen);
      if (moved !== item) (copy ??= { ...record })[key] = moved;
    }
    if (typeof record.file === 'number' && typeof record.pos === 'number' && typeof record.end === 'number') {
      const delta = shift(record.file, record.pos, record.end);
      if (delta === undefined) throw UNKNOWN_SHIFT;
      if (delta !== 0) {
        copy ??= { ...record };
        copy.pos = record.pos + delta;
        copy.end = record.end + delta;
      }
    }
    if (copy) result = copy;
  }
  seen.set(value, result);
  return result;
}

/**
 * Where a relocated IR function came from (lower/index.ts), so a check of the original can be taken relocated too. By
 * number, not by reference: a reference would keep every earlier version of a function alive while the user types.
 */
const relocations = new WeakMap<object, { from: number; file: number; delta: number }>();
const identities = new WeakMap<object, number>();
let nextIdentity = 1;

/** A number for `value`, the same as long as it lives. */
export function identityOf(value: object): number {
  let id = identities.get(value);
  if (id === undefined) identities.set(value, id = nextIdentity++);
  return id;
}

/** Records that `fn` is `from` moved by `delta` in `file`. */
export function noteRelocation(fn: object, from: object, file: number, delta: number): void {
  relocations.set(fn, { from: identityOf(from), file, delta });
}

/** What `fn` was relocated from (its `identityOf`), if it was. */
export function relocationOf(fn: object): { from: number; file: number; delta: number } | undefined {
  return relocations.get(fn);
}
