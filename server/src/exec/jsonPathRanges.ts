/**
 * Source ranges of JSON pointers (`/maps/0/entries/7/value`) in a JSON text, found in one pass of jsonc's visitor
 * without building a tree: a position-keeping tree of a million-entry scenario file takes seconds and more than a
 * gigabyte, to report one problem. Containers that lie on no wanted path are skipped (jsonc scans them without a
 * callback per element).
 */
import * as jsonc from 'jsonc-parser';

export interface TextRange { offset: number; length: number }

/** A pointer's segments, unescaped (RFC 6901: `~1` is `/`, `~0` is `~`); array indexes as numbers. */
function segmentsOf(pointer: string): Array<string | number> {
  return pointer.split('/').slice(1).map((s) => (/^\d+$/.test(s) ? Number(s) : s.replace(/~1/g, '/').replace(/~0/g, '~')));
}

interface Frame {
  /** segments from the root to this container */
  depth: number;
  isArray: boolean;
  /** next element index (arrays) */
  nextIndex: number;
  /** the property whose value comes next (objects): its name and where its key starts */
  key?: string;
  keyOffset: number;
  /** per wanted pointer: does this container's path match its first `depth` segments */
  onPath: boolean[];
}

/**
 * For each pointer, the range of the deepest node on its path that exists: a property (key and value, so an
 * editor underlines something visible) when the node is an object's member, else the value; the whole text for the
 * root; undefined when the text is not JSON enough to have a root value.
 */
export function jsonPointerRanges(text: string, pointers: readonly string[]): Array<TextRange | undefined> {
  const wanted = pointers.map(segmentsOf);
  const found: Array<TextRange | undefined> = pointers.map(() => undefined);
  const foundDepth = pointers.map(() => -1);
  const stack: Frame[] = [];
  /** containers whose range is being recorded, by their frame: [pointer index, start] */
  const open = new Map<Frame, Array<[number, number]>>();

  /** A value begins at `offset`: which pointers it lies on, and where its range starts (its key, in an object). */
  const enter = (offset: number): { onPath: boolean[]; depth: number; starts: Array<[number, number]> } => {
    const parent = stack[stack.length - 1];
    const depth = parent ? parent.depth + 1 : 0;
    let segment: string | number | undefined;
    let start = offset;
    if (parent?.isArray) segment = parent.nextIndex++;
    else if (parent) { segment = parent.key; start = parent.keyOffset; }
    const onPath = wanted.map((segments, i) => (parent ? parent.onPath[i] && depth <= segments.length && segments[depth - 1] === segment : true));
    const starts: Array<[number, number]> = [];
    onPath.forEach((on, i) => { if (on && depth > foundDepth[i]) starts.push([i, start]); });
    return { onPath, depth, starts };
  };
  const record = (starts: Array<[number, number]>, depth: number, end: number): void => {
    for (const [i, start] of starts) {
      if (depth > foundDepth[i]) { foundDepth[i] = depth; found[i] = { offset: start, length: end - start }; }
    }
  };
  const begin = (isArray: boolean) => (offset: number): boolean => {
    const { onPath, depth, starts } = enter(offset);
    const frame: Frame = { depth, isArray, nextIndex: 0, keyOffset: offset, onPath };
    stack.push(frame);
    if (starts.length) open.set(frame, starts);
    // Nothing below a container on no wanted path is looked at.
    return onPath.some((on) => on);
  };
  const end = (offset: number, length: number): void => {
    const frame = stack.pop();
    if (!frame) return;
    const starts = open.get(frame);
    if (starts) { open.delete(frame); record(starts, frame.depth, offset + length); }
  };
  jsonc.visit(text, {
    onObjectBegin: begin(false),
    onArrayBegin: begin(true),
    onObjectEnd: end,
    onArrayEnd: end,
    onObjectProperty: (property, offset) => {
      const frame = stack[stack.length - 1];
      if (frame) { frame.key = property; frame.keyOffset = offset; }
    },
    onLiteralValue: (_value, offset, length) => {
      const { depth, starts } = enter(offset);
      record(starts, depth, offset + length);
    },
  }, { allowTrailingComma: false, disallowComments: true });
  // An unclosed container (broken text) still counts from where it starts to the end of the text.
  for (const [frame, starts] of open) record(starts, frame.depth, text.length);
  return found;
}
