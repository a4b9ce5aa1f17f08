/**
 * Signed divisions and remainders in an iterator program, and whether clang 14 (-target bpf -O2, the default CPU)
 * compiles them: recorded in test/fixtures/signedDivision/clang14.json by test/oracle/clang-signed-division.test.ts
 * (`RECORD=1`), which also compares the machine's clang 14 with the recording.
 */
import * as path from 'path';

export const SIGNED_DIVISION_TABLE = path.join(__dirname, '..', '..', '..', '..', 'test', 'fixtures', 'signedDivision', 'clang14.json');

export interface SignedDivisionTable {
  clang: string;
  /** Each row's statements (they set `r`) and whether clang refused the build ("Unsupport signed division"). */
  rows: Array<{ body: string; refused: boolean }>;
}

/** The program of a row: `v`, `w` are signed ints, `u` an unsigned one, all unknown to clang. */
export function signedDivisionProgram(body: string): string {
  return [
    '#include "vmlinux.h"',
    '#include <bpf/bpf_helpers.h>',
    'char LICENSE[] SEC("license") = "GPL";',
    'SEC("iter/bpf_map") int p(struct bpf_iter__bpf_map *ctx) {',
    '  struct bpf_map *map = ctx->map;',
    '  long long r;',
    '  if (!map) return 0;',
    '  int v = map->max_entries; int w = map->key_size; unsigned int u = map->id;',
    `  ${body}`,
    '  BPF_SEQ_PRINTF(ctx->meta->seq, "%lld\\n", r);',
    '  return 0;',
    '}',
    '',
  ].join('\n');
}

/** The rows' statements (the table holds them with clang's verdicts). */
export const SIGNED_DIVISION_ROWS: readonly string[] = [
  'r = v / 3;', 'r = v % 2;', 'r = v / 4;', 'r = v % 4;', 'r = v / 1;', 'r = v / -3;', 'r = -v / 3;', 'r = v * 2 / 3;',
  'r = (v & 0xff) / 3;', 'r = (v < 0 ? 0 : v) / 3;', 'r = v >= 0 ? v / 3 : 0;', 'r = u / 3;', 'r = v / 3u;',
  'r = (int)u / 3;', 'r = (int)(u & 0xff) / 3;', 'r = (int)(u % 100) / 5;', 'r = (int)(u >> 1) / 3;',
  'r = (int)(unsigned char)u / 3;', 'r = (short)u / 3;', 'r = (long)v / 3;', 'r = (long)u / 3;',
  'r = v / w;', 'r = v / (w & 7);', 'r = (v & 0xff) / w;',
  'int k = u & 0xff; r = k / 3;',
  'if (v < 0) return 0; r = v / 3;',
  'if (v > 100) return 0; r = v / 3;',
  'if (v <= 0) return 0; v /= 2; r = v;',
  'v /= 2; r = v;',
  'long long d = (long long)u - (long long)v; r = d / 1000;',
  'if (w <= 0 || v < 0) return 0; r = v * 100 / w;',
  'int c = u % 16; r = c / 2;',
  'int sum = 0; for (int i = 0; i < 10; i++) sum += i / 3; r = sum;',
  'int n = 0; for (int i = 0; i < 8 && i < w; i++) n += 2; r = n / 2;',
  'int s = 0; for (int i = 0; i < 16; i++) s += i; r = s / 4;',
  'int x = v < 0 ? -v : v; r = x % 7;',
];
