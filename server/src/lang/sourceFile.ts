/**
 * A file of one compilation with its line map: UTF-16 offset <-> zero-based line/character, the same
 * coordinates LSP uses. Line breaks are `\n`, `\r\n` and a lone `\r`, as clang counts them.
 */

export interface LineAndCharacter {
  line: number;
  character: number;
}

export class SourceFile {
  private lineStartsCache: Int32Array | undefined;

  constructor(
    readonly id: number,
    readonly path: string,
    readonly text: string,
  ) {}

  /** Offsets at which each line starts; computed on first use because most headers never need it. */
  get lineStarts(): Int32Array {
    if (this.lineStartsCache === undefined) this.lineStartsCache = computeLineStarts(this.text);
    return this.lineStartsCache;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  offsetToPosition(offset: number): LineAndCharacter {
    const starts = this.lineStarts;
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle] <= clamped) low = middle;
      else high = middle - 1;
    }
    return { line: low, character: clamped - starts[low] };
  }

  positionToOffset(position: LineAndCharacter): number {
    const starts = this.lineStarts;
    if (position.line < 0) return 0;
    if (position.line >= starts.length) return this.text.length;
    const lineEnd = position.line + 1 < starts.length ? starts[position.line + 1] : this.text.length;
    return Math.min(starts[position.line] + Math.max(0, position.character), lineEnd);
  }
}

export function computeLineStarts(text: string): Int32Array {
  const starts: number[] = [0];
  // Without a CR, lines end at each LF, found by indexOf (several times faster on a file of megabytes).
  if (text.indexOf('\r') < 0) {
    for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) starts.push(at + 1);
    return Int32Array.from(starts);
  }
  const length = text.length;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code === 10) starts.push(i + 1);
    else if (code === 13) {
      if (i + 1 < length && text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return Int32Array.from(starts);
}
