/**
 * Completion and signature help. Works on half-typed code: the context is read from the text around the
 * cursor (what precedes `->`, whether we are inside SEC("...") or a format string), and the types come from
 * the last analysis, whose parser recovered from the incomplete line.
 */
import { CompletionItem, CompletionItemKind, InsertTextFormat, MarkupKind, SignatureHelp } from 'vscode-languageserver-types';
import { Analysis } from './analysis';
import { CTX_FIELDS, ITER_TARGETS, KFUNCS, FORMAT_SPECIFIERS, MAP_TYPE_DOCS, docEntry } from './docs';
import { stringAt } from './hover';
import { resolve, typeToString, CType, RecordInfo } from '../lang/types';
import { CSymbol, Scope } from '../lang/sema/analyzer';
import * as ast from '../lang/ast';

const MAP_DEF_KEYS: Array<[string, string, string]> = [
  ['type', '__uint(type, ${1:BPF_MAP_TYPE_HASH});', 'map type (enum bpf_map_type)'],
  ['max_entries', '__uint(max_entries, ${1:1024});', 'maximum number of elements'],
  ['key', '__type(key, ${1:__u32});', 'key type; key_size is its size'],
  ['value', '__type(value, ${1:__u64});', 'value type; value_size is its size'],
  ['key_size', '__uint(key_size, ${1:4});', 'key size in bytes, when no key type is given'],
  ['value_size', '__uint(value_size, ${1:8});', 'value size in bytes, when no value type is given'],
  ['map_flags', '__uint(map_flags, ${1:BPF_F_NO_PREALLOC});', 'BPF_F_* creation flags'],
  ['pinning', '__uint(pinning, ${1:LIBBPF_PIN_BY_NAME});', 'pin the map in bpffs'],
];

export function complete(a: Analysis, offset: number): CompletionItem[] {
  const text = a.text;
  const before = text.slice(Math.max(0, offset - 200), offset);

  // Inside a string: SEC("iter/...") targets or bpf_seq_printf format specifiers.
  const str = stringAt(text, offset) ?? openStringAt(text, offset);
  if (str) {
    const prefix = text.slice(str.start, offset);
    if (/SEC\s*\(\s*"[\w./]*$/.test(text.slice(Math.max(0, str.start - 16), offset))) {
      // simulated targets first, each group in the table's order (the map targets lead, as in kernel/iterTargets.ts)
      return Object.entries(ITER_TARGETS).map(([name, t], i) => ({
        label: `iter/${name}`, kind: CompletionItemKind.Module, detail: t.ctxType + (t.simulated ? '' : ' (not simulated)'),
        documentation: t.doc, insertText: `iter/${name}`, filterText: `iter/${name}`, sortText: `${t.simulated ? 0 : 1}${String(i).padStart(2, '0')}`,
      }));
    }
    if (/%[-+ 0]*\d*l*$/.test(prefix)) {
      const typed = /%([-+ 0]*\d*l*)$/.exec(prefix)![1];
      return FORMAT_SPECIFIERS.map((f) => ({
        label: f.spec, kind: CompletionItemKind.Value, documentation: f.doc,
        insertText: f.spec.slice(1 + typed.replace(/^[-+ 0]*\d*/, '').length), filterText: f.spec,
      }));
    }
    return [];
  }

  // Members after `->` or `.`.
  const member = /([\w\]\)]+(?:\s*(?:->|\.)\s*\w+)*)\s*(->|\.)\s*(\w*)$/.exec(before);
  if (member) {
    const record = recordBefore(a, offset - member[3].length - member[2].length, member[2] === '->');
    if (record) return fieldsOf(record);
  }

  // Inside a SEC(".maps") struct: __uint/__type keys and map types.
  if (/__uint\s*\(\s*type\s*,\s*\w*$/.test(before)) {
    return Object.keys(MAP_TYPE_DOCS).map((name) => ({ label: name, kind: CompletionItemKind.EnumMember, documentation: MAP_TYPE_DOCS[name] }));
  }
  if (/struct\s*\{[^}]*$/.test(text.slice(Math.max(0, offset - 600), offset)) && /SEC\s*\(\s*"\.maps"\s*\)/.test(text.slice(offset, offset + 2000).split(';')[0] ?? '')) {
    return MAP_DEF_KEYS.map(([label, snippet, doc]) => ({
      label, kind: CompletionItemKind.Property, insertText: snippet, insertTextFormat: InsertTextFormat.Snippet, documentation: doc,
    }));
  }

  // Identifiers: helpers and kfuncs with snippets, then the file's and the headers' names.
  const word = /\w*$/.exec(before)![0];
  const items: CompletionItem[] = [];
  const seen = new Set<string>();
  for (const [name, k] of Object.entries(KFUNCS)) {
    if (!name.startsWith(word)) continue;
    seen.add(name);
    items.push({
      label: name, kind: CompletionItemKind.Function, detail: k.signature, documentation: { kind: MarkupKind.Markdown, value: k.doc },
      insertText: `${name}(${kfuncParamSnippets(k.signature)})`, insertTextFormat: InsertTextFormat.Snippet, sortText: `0${name}`,
    });
  }
  for (let scope: Scope | undefined = a.compilation.model.fileScope; scope; scope = scope.parent) {
    // by name: a lazily indexed header's names are bound only when they match (sema LazyScopeTable)
    for (const name of scope.symbols.keys()) {
      if (seen.has(name) || !name.startsWith(word) || name.startsWith('__') || items.length > 400) continue;
      const s = scope.symbols.get(name);
      if (!s) continue;
      seen.add(name);
      items.push(symbolItem(s));
    }
  }
  for (const name of ['BPF_SEQ_PRINTF', 'BPF_CORE_READ', 'SEC', '__uint', '__type', '__ksym']) {
    if (name.startsWith(word) && !seen.has(name) && a.pp.macros.has(name)) items.push({ label: name, kind: CompletionItemKind.Snippet, sortText: `0${name}` });
  }
  return items;
}

/** `${1:map}` placeholders from a kfunc's C signature (the parameter names after their types). */
function kfuncParamSnippets(signature: string): string {
  const list = /\(([^)]*)\)/.exec(signature)?.[1].trim() ?? '';
  if (!list || list === 'void') return '';
  return list.split(',').map((p, i) => `\${${i + 1}:${/(\w+)\s*$/.exec(p)?.[1] ?? `arg${i + 1}`}}`).join(', ');
}

function symbolItem(s: CSymbol): CompletionItem {
  const t = resolve(s.type);
  const helper = s.kind === 'variable' && t.kind === 'pointer' && resolve(t.to).kind === 'function';
  if (helper || s.kind === 'function') {
    const fn = resolve(helper ? (t as { to: CType }).to : s.type);
    const params = fn.kind === 'function' ? fn.params.map((p, i) => `\${${i + 1}:${fn.paramNames[i] ?? typeToString(p)}}`).join(', ') : '';
    return {
      label: s.name, kind: CompletionItemKind.Function, detail: typeToString(s.type),
      insertText: `${s.name}(${params})`, insertTextFormat: InsertTextFormat.Snippet, sortText: s.name.startsWith('bpf_') ? `0${s.name}` : `1${s.name}`,
    };
  }
  const kind = s.kind === 'typedef' ? CompletionItemKind.TypeParameter : s.kind === 'enumerator' ? CompletionItemKind.EnumMember : CompletionItemKind.Variable;
  return { label: s.name, kind, detail: typeToString(s.type), sortText: `2${s.name}` };
}

function fieldsOf(record: RecordInfo): CompletionItem[] {
  const items: CompletionItem[] = [];
  // Members of anonymous unions (vmlinux.h wraps ctx pointers in them) are documented under the named record.
  const add = (r: RecordInfo, documentedAs: string | undefined) => {
    for (const f of r.fields) {
      if (!f.name) {
        const inner = resolve(f.type);
        if (inner.kind === 'record') add(inner.record, documentedAs);
        continue;
      }
      const ctx = documentedAs ? CTX_FIELDS[`${documentedAs}.${f.name}`] : undefined;
      items.push({
        label: f.name, kind: CompletionItemKind.Field, detail: typeToString(f.type),
        documentation: ctx ? { kind: MarkupKind.Markdown, value: `${ctx.nullable ? '**may be NULL** · ' : ''}${ctx.access}\n\n${ctx.doc}` } : undefined,
        sortText: String(items.length).padStart(4, '0'),
      });
    }
  };
  add(record, record.name);
  return items;
}

/** The record type of the expression that ends right before `->`/`.` at `arrowOffset`. */
function recordBefore(a: Analysis, arrowOffset: number, arrow: boolean): RecordInfo | undefined {
  let end = arrowOffset;
  while (end > 0 && /\s/.test(a.text[end - 1])) end--;
  const node = largestExpressionEndingAt(a, end);
  if (!node) return undefined;
  let type = a.compilation.typeOf(node);
  if (!type) return undefined;
  let t = resolve(type);
  if (arrow) {
    if (t.kind !== 'pointer') return undefined;
    type = t.to;
    t = resolve(type);
  }
  return t.kind === 'record' ? t.record : undefined;
}

function largestExpressionEndingAt(a: Analysis, end: number): ast.Expression | undefined {
  let best: ast.Expression | undefined;
  const stack: ast.Node[] = [a.compilation.ast];
  while (stack.length) {
    const n = stack.pop()!;
    if (n.file === a.mainFile && n.end === end && isExpression(n) && (!best || n.pos < best.pos) && a.compilation.typeOf(n)) best = n as ast.Expression;
    if (n.kind === 'TranslationUnit' || (n.file === a.mainFile && n.pos <= end && n.end >= end)) ast.forEachChild(n, (c) => stack.push(c));
  }
  return best;
}

function isExpression(n: ast.Node): boolean {
  return ['Identifier', 'Member', 'Index', 'Call', 'Cast', 'Unary', 'Postfix'].includes(n.kind);
}

/** A string opened on this line and not yet closed before the cursor (typing `SEC("it|`). */
function openStringAt(text: string, offset: number): { value: string; start: number; end: number } | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  const line = text.slice(lineStart, offset);
  let inString = -1;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') { i++; continue; }
    if (line[i] === '"') inString = inString < 0 ? i : -1;
  }
  if (inString < 0) return undefined;
  return { value: line.slice(inString + 1), start: lineStart + inString, end: offset };
}

export function signatureHelp(a: Analysis, offset: number): SignatureHelp | null {
  const text = a.text;
  let depth = 0;
  let commas = 0;
  for (let i = offset - 1; i >= Math.max(0, offset - 2000); i--) {
    const c = text[i];
    if (c === ')' || c === ']' || c === '}') depth++;
    else if (c === '(' || c === '[' || c === '{') {
      if (depth === 0) {
        if (c !== '(') return null;
        const name = /(\w+)\s*$/.exec(text.slice(Math.max(0, i - 64), i))?.[1];
        if (!name) return null;
        return signatureOf(a, name, commas);
      }
      depth--;
    } else if (c === ',' && depth === 0) commas++;
    else if (c === ';') return null;
  }
  return null;
}

function signatureOf(a: Analysis, name: string, active: number): SignatureHelp | null {
  const k = docEntry(KFUNCS, name);
  if (k) {
    const params = /\((.*)\)/.exec(k.signature)![1].split(',').map((p) => ({ label: p.trim() }));
    return { signatures: [{ label: k.signature, documentation: k.doc, parameters: params }], activeSignature: 0, activeParameter: Math.min(active, params.length - 1) };
  }
  for (let scope: Scope | undefined = a.compilation.model.fileScope; scope; scope = scope.parent) {
    const s = scope.symbols.get(name);
    if (!s) continue;
    let t = resolve(s.type);
    if (t.kind === 'pointer') t = resolve(t.to);
    if (t.kind !== 'function') return null;
    const params = t.params.map((p, i) => ({ label: `${typeToString(p)}${t.kind === 'function' && t.paramNames[i] ? ` ${t.paramNames[i]}` : ''}` }));
    const label = `${typeToString(t.returns)} ${name}(${params.map((p) => p.label).join(', ')}${t.variadic ? ', ...' : ''})`;
    return { signatures: [{ label, parameters: params }], activeSignature: 0, activeParameter: Math.min(active, Math.max(0, params.length - 1)) };
  }
  return null;
}
