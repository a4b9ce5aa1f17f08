/**
 * A unified diff of two texts by lines (`diff -u` layout, 3 lines of context), for `run --kernel`. Lines are matched
 * by a longest common subsequence after trimming the common head and tail; when the rest is too big for that
 * (rows x columns above a budget) the rest is shown as one replaced block, which is still a correct diff.
 */
const LCS_CELL_BUDGET = 16_000_000;
const CONTEXT = 3;

type Op = { kind: ' ' | '-' | '+'; line: string };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  else lines[lines.length - 1] += '\n\\ No newline at end of file';
  return lines;
}

function editScript(a: string[], b: string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const A = a.slice(head, a.length - tail);
  const B = b.slice(head, b.length - tail);
  const middle: Op[] = [];
  if ((A.length + 1) * (B.length + 1) <= LCS_CELL_BUDGET) {
    // lengths[i][j]: LCS of A[i..] and B[j..], one row of width B.length+1 per i
    const w = B.length + 1;
    const lengths = new Uint32Array((A.length + 1) * w);
    for (let i = A.length - 1; i >= 0; i--) {
      for (let j = B.length - 1; j >= 0; j--) {
        lengths[i * w + j] = A[i] === B[j] ? lengths[(i + 1) * w + j + 1] + 1 : Math.max(lengths[(i + 1) * w + j], lengths[i * w + j + 1]);
      }
    }
    let i = 0, j = 0;
    while (i < A.length || j < B.length) {
      if (i < A.length && j < B.length && A[i] === B[j]) { middle.push({ kind: ' ', line: A[i] }); i++; j++; }
      else if (i < A.length && (j === B.length || lengths[(i + 1) * w + j] >= lengths[i * w + j + 1])) middle.push({ kind: '-', line: A[i++] });
      else middle.push({ kind: '+', line: B[j++] });
    }
  } else {
    for (const line of A) middle.push({ kind: '-', line });
    for (const line of B) middle.push({ kind: '+', line });
  }
  return [...a.slice(0, head).map((line): Op => ({ kind: ' ', line })), ...middle, ...a.slice(a.length - tail).map((line): Op => ({ kind: ' ', line }))];
}

/** The diff text, or '' when the texts are equal. */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string): string {
  if (oldText === newText) return '';
  const ops = editScript(splitLines(oldText), splitLines(newText));
  const out = [`--- ${oldName}\n`, `+++ ${newName}\n`];
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k].kind === ' ') k++;
    if (k >= ops.length) break;
    // a hunk: from CONTEXT lines before this change to CONTEXT after the last change within 2*CONTEXT of the next
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    for (let quiet = 0; end < ops.length; end++) {
      quiet = ops[end].kind === ' ' ? quiet + 1 : 0;
      if (quiet > 2 * CONTEXT) { end -= quiet - CONTEXT; break; }
    }
    if (end >= ops.length) {
      let trailing = 0;
      for (let t = ops.length - 1; t >= 0 && ops[t].kind === ' '; t--) trailing++;
      end = ops.length - Math.max(0, trailing - CONTEXT);
    }
    let oldLine = 1, newLine = 1;
    for (let t = 0; t < start; t++) { if (ops[t].kind !== '+') oldLine++; if (ops[t].kind !== '-') newLine++; }
    const hunk = ops.slice(start, end);
    const oldCount = hunk.filter((o) => o.kind !== '+').length;
    const newCount = hunk.filter((o) => o.kind !== '-').length;
    out.push(`@@ -${oldCount ? oldLine : oldLine - 1},${oldCount} +${newCount ? newLine : newLine - 1},${newCount} @@\n`);
    for (const o of hunk) out.push(`${o.kind}${o.line}\n`);
    k = end;
  }
  return out.join('');
}
