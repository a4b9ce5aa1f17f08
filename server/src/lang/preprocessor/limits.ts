

export interface PreprocessLimits {
  /** Nested #include levels (clang: 200). */
  includeDepth: number;
  /** Characters of included text one preprocessing may read, counting a file each time it is included. */
  includedChars: number;
  /** Tokens one top-level macro invocation may produce, nested expansions included. */
  expansionTokens: number;
  /** Tokens the whole preprocessing may produce, and one file may hold. */
  outputTokens: number;
  /**
   * Tokens all macro expansions of one preprocessing may read as arguments and produce. Each other limit
   * bounds one layer, but layers multiply: a file including itself 200 times around a 10,000-deep nested
   * invocation stays inside every one of them and still costs minutes.
   */
  expansionWork: number;
  /** Levels of macro invocations nested inside macro arguments (each is a pre-expansion). */
  argumentNesting: number;
  /** Parentheses/operators nested in one #if expression (clang's bracket depth). */
  expressionDepth: number;
  /** Nested #if groups. */
  conditionalDepth: number;
  /** Times one file may appear in the chain of #includes (a file including itself, directly or through a cycle). */
  selfIncludeDepth: number;
  /**
   * #includes of a file from inside itself (directly or through a cycle) in the whole translation unit. A chain is
   * bounded by selfIncludeDepth, but a file that includes itself twice doubles its copies at each level.
   */
  selfInclusions: number;
}

export const defaultLimits: PreprocessLimits = {
  includeDepth: 200,
  // The largest file the host reads; the real vmlinux.h and libbpf's headers are about 3 MB.
  includedChars: 64 * 1024 * 1024,
  expansionTokens: 1_000_000,
  // About 2x what the real vmlinux.h and libbpf's headers make read whole (550,000; read through its index they
  // make a few thousand); a token costs 300-700 bytes by the end of checking, so this bounds one analysis to about
  // 350 MiB (a 300,000-element initializer with 300,000 attributes: 1.6 s, 346 MiB; at 2,000,000 it took 3 s and 600 MiB).
  // A file is not scanned past it either.
  outputTokens: 1_000_000,
  // The real vmlinux.h with libbpf's headers and every corpus program need at most about 5,000; reaching this
  // bound takes well under a second (a self-including file around a 9,635-deep nested invocation took 80 s
  // before it, 3.9 s of CPU at 20,000,000).
  expansionWork: 2_000_000,
  argumentNesting: 200,
  expressionDepth: 256,
  conditionalDepth: 100_000,
  // Include guards and #pragma once stop real headers at one level; clang's 200 copies of a self-including file
  // around 7,800 nested calls took 11 s of CPU and 1.1 GB.
  selfIncludeDepth: 16,
  // More than a chain can make before includeDepth stops it (199), so only branching self-inclusion meets it: two
  // `#include` of the file in itself made 65,536 copies (cut by outputTokens after 5 s and 690 MiB).
  selfInclusions: 256,
};

/** The limits' names: the keys of the `limits` setting (.bpf-iter.json, bpfIter.limits, `--limit NAME=N`) each diagnostic names. */
export const PREPROCESS_LIMIT_NAMES = Object.keys(defaultLimits) as ReadonlyArray<keyof PreprocessLimits>;

/** `raw` as limits when it is an object of known limit names with whole numbers of at least 1, else the first problem. */
export function readLimits(raw: unknown): { limits: Partial<PreprocessLimits> } | { problem: string } {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { problem: 'must be an object of limit names and whole numbers' };
  const limits: Partial<PreprocessLimits> = {};
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(PREPROCESS_LIMIT_NAMES as readonly string[]).includes(name)) return { problem: `unknown limit "${name}" (known limits: ${PREPROCESS_LIMIT_NAMES.join(', ')})` };
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) return { problem: `limit "${name}" must be a whole number of at least 1` };
    limits[name as keyof PreprocessLimits] = value;
  }
  return { limits };
}
