/**
 * The one way JavaScript source is made from a checked program (the executor's fast path).
 *
 * The guarantee: no text from a user's file ever becomes code. Every identifier in generated code is
 * made here (`v1`, `v2`, ...; C names are never used, not even sanitised), every value passes the one
 * literal serializer, and fragments can only be joined through the `js` tag, whose static parts are
 * string constants of this code base and whose interpolations must be `Code` made by this module.
 */

const CODE_BRAND: unique symbol = Symbol('Code');

/** A fragment of generated JavaScript. Only this module can create one. */
export class Code {
  readonly [CODE_BRAND] = true;
  /** @internal */
  constructor(readonly text: string, token: typeof CONSTRUCT_TOKEN) {
    if (token !== CONSTRUCT_TOKEN) throw new Error('Code fragments are made by the code builder only');
  }
  toString(): string { return this.text; }
}
const CONSTRUCT_TOKEN = Symbol('construct');
const make = (text: string) => new Code(text, CONSTRUCT_TOKEN);

export function isCode(x: unknown): x is Code {
  return x instanceof Code && (x as Code)[CODE_BRAND] === true;
}

/**
 * Tagged template for code. `js\`${a} = ${b} + 1n;\`` - the literal parts are this repository's source text;
 * each interpolation must be a Code (or an array of Code, joined with nothing). A plain string is refused.
 */
export function js(strings: TemplateStringsArray, ...parts: Array<Code | ReadonlyArray<Code>>): Code {
  // A TemplateStringsArray has `raw`; a forged array passed by hand does not come from a template literal.
  if (!Array.isArray((strings as { raw?: unknown }).raw)) throw new Error('js`...` must be used as a tagged template');
  let out = strings[0];
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (Array.isArray(p)) {
      for (const q of p) { assertCode(q); out += q.text; }
    } else {
      assertCode(p);
      out += (p as Code).text;
    }
    out += strings[i + 1];
  }
  return make(out);
}

function assertCode(x: unknown): asserts x is Code {
  if (!isCode(x)) throw new Error(`only Code can be interpolated into generated JavaScript, got ${typeof x}`);
}

/** Joins fragments with a separator that is itself a constant of this code base. */
export function join(parts: ReadonlyArray<Code>, separator: ', ' | '\n' | '; ' | ' || ' | ' && ' | ''): Code {
  parts.forEach(assertCode);
  return make(parts.map((p) => p.text).join(separator));
}

export type LiteralValue = number | bigint | string | boolean | null | undefined;

/** The one literal serializer. */
export function literal(value: LiteralValue): Code {
  switch (typeof value) {
    case 'bigint':
      // Decimal digits only: BigInt's toString cannot produce anything else.
      return make(value < 0n ? `(-${(-value).toString(10)}n)` : `${value.toString(10)}n`);
    case 'number':
      if (Number.isNaN(value)) return make('NaN');
      if (!Number.isFinite(value)) return make(value > 0 ? 'Infinity' : '(-Infinity)');
      if (Object.is(value, -0)) return make('(-0)');
      return make(value < 0 ? `(${String(value)})` : String(value));
    case 'string':
      return make(serializeString(value));
    case 'boolean':
      return make(value ? 'true' : 'false');
    case 'undefined':
      return make('undefined');
    default:
      if (value === null) return make('null');
      throw new Error(`cannot serialize a ${typeof value} as a literal`);
  }
}

/** JSON string syntax plus escapes for the line terminators JavaScript source does not allow raw. */
function serializeString(s: string): string {
  return JSON.stringify(s)
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029')
    // Lone surrogates are valid in JS strings; JSON.stringify (ES2019) already escapes them.
    ;
}

/** Generates identifiers. Names never derive from user text. */
export class NameGenerator {
  private next = 0;
  constructor(private readonly prefix: 'v' | 'f' | 'k' | 'l' = 'v') {}
  fresh(): Code { return make(`${this.prefix}${++this.next}`); }
}

/**
 * Compiles a function body. `params` and the body must be Code; the result is a real Function.
 * Names of things the generated code may use from outside (kernel helpers, memory) are passed as
 * parameters, so generated code touches no global.
 */
export function compileFunction<T extends (...args: never[]) => unknown>(params: ReadonlyArray<Code>, body: Code): T {
  params.forEach(assertCode);
  assertCode(body);
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(...params.map((p) => p.text), `'use strict';\n${body.text}`) as T;
}
