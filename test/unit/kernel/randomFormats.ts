/** Random bpf_seq_printf formats for the property tests of the compiled formatter (formatFast, seqPrintfAt). */

/** A small deterministic generator, so a failure names the seed that shows it. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
}

export const FLAGS = ['', '-', '0', '+', ' ', '-0', '0+', ' -'];

/** Up to four conversions of `convs` with random flags, widths and text between them; `specs`: how many. */
export function randomFormat(r: () => number, convs: readonly string[]): { fmt: string; specs: number } {
  let fmt = '';
  const specs = r() % 5;
  for (let s = 0; s < specs; s++) {
    fmt += ['', 'x=', ' ', 'a b ', '\t', '%%'][r() % 6];
    const width = r() % 3 === 0 ? String(1 + (r() % 24)) : '';
    fmt += `%${FLAGS[r() % FLAGS.length]}${width}${convs[r() % convs.length]}`;
  }
  fmt += ['', '\n', ' end\n', '%'][r() % 4];
  return { fmt, specs };
}
