/** The tables of the grammar the parser's layers share: keywords and their GNU spellings, type words, storage classes, qualifiers, operator precedence, digraphs; the parser's options. */

/** clang's default `-fbracket-depth`. */
export const MAX_NESTING_DEPTH = 256;

export const KEYWORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern',
  'float', 'for', 'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed',
  'sizeof', 'static', 'struct', 'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while',
  '_Alignas', '_Alignof', '_Atomic', '_Bool', '_Complex', '_Generic', '_Noreturn', '_Static_assert',
  '_Thread_local', '__attribute__', '__attribute', '__extension__', '__inline', '__inline__', '__restrict',
  '__restrict__', '__volatile__', '__volatile', '__const', '__const__', '__signed', '__signed__', 'typeof',
  '__typeof__', '__typeof', '__alignof__', '__alignof', 'asm', '__asm__', '__asm', '__int128',
  '__builtin_offsetof', '__builtin_va_arg', '__builtin_types_compatible_p', '__label__', '__auto_type',
  'static_assert', 'alignof', '_Float16', '__fp16', '__real__', '__imag__',
]);

export const BUILTIN_TYPE_WORDS = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', '_Complex',
  '__int128', '_Float16', '__fp16',
]);
export const STORAGE_CLASSES = new Set(['typedef', 'extern', 'static', 'auto', 'register', '_Thread_local']);
export const TYPE_QUALIFIERS = new Set(['const', 'volatile', 'restrict', '_Atomic']);
export const FUNCTION_SPECIFIERS = new Set(['inline', '_Noreturn']);

export interface ParseOptions {
  /** File-scope typedef names already declared (by a cached preamble); looked up, never copied. */
  typedefNames?: ReadonlySet<string>;
  /**
   * Typedef names of headers read through their index (lazyHeader.ts), each visible from the input token where the
   * header was included on (`fromToken`, an index into the tokens given), as they would be had it been parsed there.
   */
  lazyTypedefNames?: ReadonlyArray<{ fromToken: number; names: ReadonlySet<string> }>;
}
