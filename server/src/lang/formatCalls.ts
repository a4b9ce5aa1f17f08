/**
 * Finds the bpf_seq_printf / bpf_snprintf calls of the user's code with their format string and the C types
 * of the arguments as written, for the format checks (the IR only sees the u64 array the arguments were
 * stored into). Handles libbpf's BPF_SEQ_PRINTF / BPF_SNPRINTF expansion (`static const char ___fmt[] = fmt;`
 * then `___param[i] = arg;`) and hand-written calls with an initialized array.
 */
import * as ast from './ast';
import type { Token } from './token';
import { Compilation } from './compile';
import { FormatCall, FormatArg } from './checker';
import type { FormatHelper } from './checker/formats';
import { CType, resolve, sizeOf, typeToString } from './types';

const FORMAT_FUNCTIONS: Record<FormatHelper, { fmt: number; data: number; dataLen: number }> = {
  bpf_seq_printf: { fmt: 1, data: 3, dataLen: 4 },
  bpf_snprintf: { fmt: 2, data: 3, dataLen: 4 },
};

/**
 * `user`, the user part's tokens (a macro's expansion standing at its invocation) and the main file: a function of the
 * main file whose tokens name no format helper goes unwalked (most functions of a big file print nothing: tracee's
 * 7,765 lines, none). A header's functions are walked as before (their tokens may be the preamble's).
 */
export function collectFormatCalls(c: Compilation, user?: { tokens: readonly Token[]; mainFile: number }): FormatCall[] {
  const calls: FormatCall[] = [];
  const named = user?.tokens.filter((t) => Object.hasOwn(FORMAT_FUNCTIONS, t.text));
  for (const f of c.program.functions) {
    const d = f.definition;
    if (named && d.file === user!.mainFile && !named.some((t) => t.file === d.file && t.pos >= d.pos && t.pos < d.end)) continue;
    // one walk of the body: the format helpers' calls, and the array elements it assigns (a call's data array)
    const found: ast.CallExpression[] = [];
    const assignments = new Map<unknown, Map<number, ast.Expression>>();
    ast.walk(f.definition.body, (node) => {
      if (node.kind === 'Assignment') noteArrayAssignment(node, c, assignments);
      else if (node.kind === 'Call' && node.callee.kind === 'Identifier' && Object.hasOwn(FORMAT_FUNCTIONS, node.callee.name)) found.push(node);
    });
    for (const node of found) {
      const helper = (node.callee as ast.Identifier).name as FormatHelper;
      const shape = FORMAT_FUNCTIONS[helper];
      const fmtArg = node.args[shape.fmt];
      const dataArg = node.args[shape.data];
      const argCount = argCountOf(node.args[shape.dataLen], c);
      calls.push({ helper, format: formatOf(fmtArg, c), args: argsOf(dataArg, c, assignments), ...(argCount !== undefined ? { argCount } : {}),
        loc: { file: node.file, pos: node.pos, end: node.end } });
    }
  }
  return calls;
}

function formatOf(e: ast.Expression | undefined, c: Compilation): string | null {
  if (!e) return null;
  if (e.kind === 'StringLiteral') return e.value;
  if (e.kind === 'Identifier') {
    const symbol = c.model.referenceOf(e)?.symbol;
    const init = symbol?.initializer;
    if (init?.kind === 'StringLiteral') return init.value;
  }
  return null;
}

/** data_len / 8 when data_len is a constant multiple of 8 (the helper reads that many u64 values). */
function argCountOf(e: ast.Expression | undefined, c: Compilation): number | undefined {
  const len = e ? c.model.evaluate(e) : undefined;
  return len !== undefined && len >= 0n && len % 8n === 0n && len <= 8n * 1024n ? Number(len / 8n) : undefined;
}

function argsOf(e: ast.Expression | undefined, c: Compilation, assignments: Map<unknown, Map<number, ast.Expression>>): Array<FormatArg | undefined> {
  if (!e || e.kind !== 'Identifier') return [];
  const symbol = c.model.referenceOf(e)?.symbol;
  if (!symbol) return [];
  const values = new Map<number, ast.Expression>();
  const init = symbol.initializer;
  if (init?.kind === 'InitializerList') init.items.forEach((item, i) => { if (item.value.kind !== 'InitializerList') values.set(i, item.value); });
  for (const [i, v] of assignments.get(symbol) ?? []) values.set(i, v);
  const count = values.size === 0 ? 0 : Math.max(...values.keys()) + 1;
  const out: Array<FormatArg | undefined> = [];
  for (let i = 0; i < count; i++) {
    const v = values.get(i);
    // a hole keeps the later values at their index (an element written in a loop is not known)
    out.push(v ? describeArg(v, c) : undefined);
  }
  return out;
}

function describeArg(written: ast.Expression, c: Compilation): FormatArg {
  // A hand-written argument array holds u64s, so each value is cast to one (`args[1] = (__u64)task->comm`): the
  // value the format reads is the cast's operand, a pointer for %s, an int widened for %d or %lld.
  let v = written;
  let widened = false;
  let pointerCast = false;
  while (v.kind === 'Cast' && isU64(c.typeOf(v))) {
    const operand = resolve(c.typeOf(v.operand) ?? { kind: 'error' });
    if (operand.kind !== 'pointer' && operand.kind !== 'array' && operand.kind !== 'int' && operand.kind !== 'enum') break;
    widened = operand.kind === 'int' || operand.kind === 'enum';
    pointerCast = operand.kind === 'pointer' || operand.kind === 'array';
    v = v.operand;
  }
  const type: CType = c.typeOf(v) ?? { kind: 'error' };
  const t = resolve(type);
  const isPointer = t.kind === 'pointer' || t.kind === 'array' || t.kind === 'function';
  const size = isPointer ? 8 : (sizeOf(t) ?? 8);
  const signed = t.kind === 'int' ? t.signed : t.kind === 'enum' ? t.info.underlying.signed : false;
  return { cType: typeToString(type), bits: size * 8, signed, isPointer, ...(widened ? { widened } : {}), ...(pointerCast ? { pointerCast } : {}), loc: { file: written.file, pos: written.pos, end: written.end } };
}

function isU64(type: CType | undefined): boolean {
  const t = type ? resolve(type) : undefined;
  return t?.kind === 'int' && sizeOf(t) === 8;
}

/** `arr[i] = value` statements by array symbol and constant index. */
function noteArrayAssignment(node: ast.AssignmentExpression, c: Compilation, out: Map<unknown, Map<number, ast.Expression>>): void {
  if (node.operator !== '=' || node.left.kind !== 'Index' || node.left.object.kind !== 'Identifier') return;
  const symbol = c.model.referenceOf(node.left.object)?.symbol;
  const index = c.model.evaluate(node.left.index);
  if (!symbol || index === undefined || index < 0n || index > 64n) return;
  const m = out.get(symbol) ?? new Map<number, ast.Expression>();
  m.set(Number(index), node.right);
  out.set(symbol, m);
}

