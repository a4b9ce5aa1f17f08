/**
 * Hover: ctx fields, struct bpf_map fields, helpers (their own doc comment from bpf_helper_defs.h), kfuncs,
 * SEC("iter/...") targets, map definitions, macros (the expansion), format specifiers. Facts come from the
 * docs table (docs.ts) and the analysis; nothing here is C-syntax specific beyond reading the analysis.
 */
import { Hover, MarkupKind } from 'vscode-languageserver-types';
import { Analysis } from './analysis';
import { lineMapOf } from './diagnostics';
import { CTX_FIELDS, ITER_TARGETS, KFUNCS, FORMAT_SPECIFIERS, MAP_TYPE_DOCS, docEntry } from './docs';
import { expansionAt, IncludeRecord, MacroExpansionRecord } from '../lang/preprocessor';
import * as ast from '../lang/ast';
import { describeSearchFolder } from '../lang/buildSetup';
import { bundledHeaderFilePath, isBundledPath } from '../lang/headers';
import { resolve, typeToString, sizeOf, CType } from '../lang/types';
import type { Settings } from './languageService';

const PERCPU_TYPES = new Set([5, 6, 10]);
const MAP_TYPE_NAMES: Record<number, string> = {
  1: 'BPF_MAP_TYPE_HASH', 2: 'BPF_MAP_TYPE_ARRAY', 5: 'BPF_MAP_TYPE_PERCPU_HASH', 6: 'BPF_MAP_TYPE_PERCPU_ARRAY',
  9: 'BPF_MAP_TYPE_LRU_HASH', 10: 'BPF_MAP_TYPE_LRU_PERCPU_HASH', 11: 'BPF_MAP_TYPE_LPM_TRIE', 12: 'BPF_MAP_TYPE_ARRAY_OF_MAPS',
  13: 'BPF_MAP_TYPE_HASH_OF_MAPS', 22: 'BPF_MAP_TYPE_QUEUE', 23: 'BPF_MAP_TYPE_STACK', 27: 'BPF_MAP_TYPE_RINGBUF', 30: 'BPF_MAP_TYPE_BLOOM_FILTER',
};

function md(value: string, a: Analysis, pos: number, end: number): Hover {
  const lines = lineMapOf(a);
  return { contents: { kind: MarkupKind.Markdown, value }, range: lines.range(pos, end) };
}

function code(text: string): string {
  return '```c\n' + text + '\n```';
}

export function hover(a: Analysis, offset: number, settings: Settings): Hover | null {
  const file = a.mainFile;
  const text = a.text;

  const include = a.pp.includes.find((r) => r.file === file && offset >= r.pos && offset <= r.end);
  if (include) return md(includeExplanation(a, include), a, include.pos, include.end);

  // SEC("iter/...") names and format specifiers live in string literals.
  const str = stringAt(text, offset);
  if (str) {
    const sec = /^iter(\.s)?\/(\w+)$/.exec(str.value);
    if (sec && /SEC\s*\(\s*$/.test(text.slice(Math.max(0, str.start - 16), str.start))) {
      const target = docEntry(ITER_TARGETS, sec[2]);
      const value = target
        ? `**iterator target \`${sec[2]}\`**${target.simulated ? '' : ' (not simulated)'}\n\n${code(`int prog(${target.ctxType} *ctx)`)}\n\n${target.doc}\n\nLinux ${settings.kernelVersion}.`
        : `**no iterator target \`${sec[2]}\`** in Linux ${settings.kernelVersion}: loading fails.`;
      return md(value, a, str.start, str.end);
    }
    const spec = specifierAt(str.value, offset - str.start - 1);
    if (spec) {
      const doc = FORMAT_SPECIFIERS.find((f) => f.spec === spec.base);
      if (doc) return md(`**\`${spec.text}\`** in a \`bpf_seq_printf\` format: ${doc.doc}`, a, str.start + 1 + spec.start, str.start + 1 + spec.start + spec.text.length);
    }
  }

  const exp = expansionAt(a.pp, file, offset);
  let ref = a.compilation.symbolAt(file, offset);
  // Inside a macro invocation, a name spelled in the macro's body (`___param` of BPF_SEQ_PRINTF) is located at the
  // whole invocation: it is the macro's, not what the user points at. A name spelled in an argument keeps its range.
  if (exp && ref && ref.pos <= exp.pos && ref.end >= exp.end) ref = undefined;
  if (exp && !ref) {
    const argument = argumentExpressionAt(a, exp, offset);
    if (argument) return argument;
  }
  if (ref?.field) {
    const record = ref.record;
    const key = record?.name ? `${record.name}.${ref.field.name}` : undefined;
    const ctx = key ? CTX_FIELDS[key] : undefined;
    if (ctx) {
      const facts = [`type \`${ctx.type}\``, ctx.nullable ? '**may be NULL**' : 'never NULL', ctx.access, `set by ${ctx.targets.map((t) => `iter/${t}`).join(', ')}`];
      return md(`**${ctx.label}**\n\n${code(`${ctx.type} ${ref.field.name}`)}\n\n${facts.join(' · ')}\n\n${ctx.doc}`, a, ref.pos, ref.end);
    }
    const size = sizeOf(ref.field.type);
    const where = record?.name === 'bpf_map'
      ? `\n\nA field of the kernel's \`struct bpf_map\` (Linux ${settings.kernelVersion}), read through CO-RE; programs may only read it.`
      : '';
    return md(`${code(`${typeToString(ref.field.type)} ${ref.field.name}`)}\n\noffset ${ref.field.offset}${ref.field.bitWidth !== undefined ? `, bits ${ref.field.bitOffset % 8}..${(ref.field.bitOffset % 8) + ref.field.bitWidth - 1}` : ''}${size !== undefined ? `, size ${size}` : ''}${record?.name ? ` in \`${record.tag} ${record.name}\`` : ''}${where}`, a, ref.pos, ref.end);
  }
  if (ref?.symbol) {
    const s = ref.symbol;
    const kfunc = docEntry(KFUNCS, s.name);
    if (kfunc) return md(`**kfunc**\n\n${code(kfunc.signature)}\n\n${kfunc.doc}\n\nFlags: ${kfunc.flags}.`, a, ref.pos, ref.end);
    const map = a.compilation.program.maps.find((m) => m.name === s.name);
    if (map) {
      const typeName = map.type !== undefined ? MAP_TYPE_NAMES[map.type] ?? `map type ${map.type}` : 'map';
      const percpu = map.type !== undefined && PERCPU_TYPES.has(map.type);
      const cpus = settings.cpus ?? 4;
      const lines = [
        `**map \`${s.name}\`** (${typeName})`,
        `key_size ${map.keySize ?? '?'}${map.keyType ? ` (\`${typeToString(map.keyType)}\`)` : ''} · value_size ${map.valueSize ?? '?'}${map.valueType ? ` (\`${typeToString(map.valueType)}\`)` : ''} · max_entries ${map.maxEntries ?? '?'}${map.mapFlags ? ` · map_flags 0x${map.mapFlags.toString(16)}` : ''}`,
      ];
      if (percpu && map.valueSize !== undefined) {
        const stride = Math.ceil(map.valueSize / 8) * 8;
        lines.push(`per-CPU: ctx->value of bpf_map_elem holds ${cpus} × round_up(${map.valueSize}, 8) = ${stride * cpus} bytes (${cpus} CPUs)`);
      }
      const doc = map.type !== undefined ? MAP_TYPE_DOCS[MAP_TYPE_NAMES[map.type] ?? ''] : undefined;
      if (doc) lines.push(doc);
      return md(lines.join('\n\n'), a, ref.pos, ref.end);
    }
    const helperDoc = helperDocOf(a, s.declaration as { file: number; pos: number; end: number });
    const isHelper = s.kind === 'variable' && resolve(s.type).kind === 'pointer' && resolve((resolve(s.type) as { to: CType }).to).kind === 'function';
    if (isHelper) {
      return md(`**BPF helper**\n\n${code(helperSignature(s.name, s.type))}${helperDoc ? `\n\n${helperDoc}` : ''}`, a, ref.pos, ref.end);
    }
    const what = s.kind === 'enumerator' ? `enumerator = ${s.value}` : s.kind === 'typedef' ? 'typedef' : s.kind === 'function' ? 'function' : s.fileScope ? 'global variable' : s.kind;
    const type = s.kind === 'typedef' && s.type.kind === 'typedef' ? typeToString(s.type.target) : typeToString(s.type);
    return md(`${code(s.kind === 'typedef' ? `typedef ${type} ${s.name}` : `${type} ${s.name}`)}\n\n${what}`, a, ref.pos, ref.end);
  }

  if (exp) {
    const shown = exp.expandedText.length > 2000 ? exp.expandedText.slice(0, 2000) + ' …' : exp.expandedText;
    return md(`**macro \`${exp.macro}\`** expands to\n\n${code(shown)}`, a, exp.pos, exp.end);
  }
  return null;
}

const EXPRESSION_KINDS: ReadonlySet<string> = new Set<ast.Expression['kind']>([
  'Identifier', 'IntegerLiteral', 'FloatLiteral', 'CharLiteral', 'StringLiteral', 'Unary', 'Postfix', 'Binary',
  'Assignment', 'Conditional', 'Comma', 'Call', 'Index', 'Member', 'Cast', 'CompoundLiteral', 'Sizeof',
  'StatementExpression', 'Offsetof', 'VaArg', 'TypesCompatible', 'Generic',
]);

/**
 * The expression of a macro argument at `offset` (`map->id` in `BPF_SEQ_PRINTF(seq, "%u", map->id)`, hovered on
 * `->`): the innermost node spelled in the user's file, as written, with its C type. Nodes made of the macro's
 * body span the whole invocation and are not arguments.
 */
function argumentExpressionAt(a: Analysis, exp: MacroExpansionRecord, offset: number): Hover | null {
  // Every child containing the offset is searched: a node of the macro's body (`___param[0]`) spans the whole
  // invocation and contains the offset too, beside the argument's own node.
  // An argument starts after the macro's name and ends before its `)`: a node that starts or ends at the
  // invocation's bounds has tokens of the macro's body (`___param[0] = map->id`).
  const spelledInArgument = (n: ast.Node) => n.pos > exp.pos && n.end < exp.end;
  let node: ast.Node | undefined;
  const visit = (n: ast.Node): void => {
    if (n.file !== a.mainFile || offset < n.pos || offset >= n.end) return;
    if (EXPRESSION_KINDS.has(n.kind) && spelledInArgument(n) && (!node || n.end - n.pos < node.end - node.pos)) node = n;
    ast.forEachChild(n, visit);
  };
  ast.forEachChild(a.compilation.ast, visit);
  if (!node) return null;
  const type = a.compilation.typeOf(node);
  if (!type) return null;
  const shown = a.text.slice(node.pos, node.end);
  return md(`${code(shown)}

type \`${typeToString(type)}\` · an argument of macro \`${exp.macro}\``, a, node.pos, node.end);
}

function helperSignature(name: string, type: CType): string {
  const p = resolve(type);
  const fn = p.kind === 'pointer' ? resolve(p.to) : p;
  if (fn.kind !== 'function') return `${typeToString(type)} ${name}`;
  const params = fn.params.map((t, i) => `${typeToString(t)}${fn.paramNames[i] ? ` ${fn.paramNames[i]}` : ''}`).join(', ');
  return `${typeToString(fn.returns)} ${name}(${params}${fn.variadic ? ', ...' : ''})`;
}

/** The comment block right above a declaration in its header (libbpf's bpf_helper_defs.h keeps each helper's docs there). */
function helperDocOf(a: Analysis, decl: { file: number; pos: number } | undefined): string | undefined {
  if (!decl || decl.file === undefined) return undefined;
  const f = a.pp.files[decl.file];
  if (!f) return undefined;
  const before = f.text.slice(Math.max(0, decl.pos - 6000), decl.pos);
  const lineStart = before.lastIndexOf('\n');
  const head = before.slice(0, lineStart + 1).replace(/\s+$/, '');
  if (!head.endsWith('*/')) return undefined;
  const start = head.lastIndexOf('/*');
  if (start < 0) return undefined;
  return head.slice(start + 2, -2).split('\n').map((l) => l.replace(/^\s*\*\s?/, '')).join('\n').trim()
    .replace(/^\s*(Description|Return)\s*$/gm, '**$1**');
}

/** The string literal around an offset on its line, without the quotes. */
export function stringAt(text: string, offset: number): { value: string; start: number; end: number } | undefined {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let lineEnd = text.indexOf('\n', offset);
  if (lineEnd < 0) lineEnd = text.length;
  // A scan, not a regular expression: `(?:[^"\\]|\\.)*` recurses per character in V8 and overflows the stack
  // on a string literal of megabytes (found by npm run fuzz).
  for (let i = lineStart; i < lineEnd; i++) {
    if (text[i] !== '"') continue;
    let j = i + 1;
    while (j < lineEnd && text[j] !== '"') j += text[j] === '\\' && j + 1 < lineEnd ? 2 : 1;
    if (j >= lineEnd) return undefined;
    if (offset > i && offset < j + 1) return { value: text.slice(i + 1, j), start: i, end: j + 1 };
    i = j;
  }
  return undefined;
}

/** The conversion specification of a bpf_seq_printf format at an index of the (escaped) format text. */
export function specifierAt(fmt: string, index: number): { text: string; base: string; start: number } | undefined {
  const re = /%(%|[-+ 0]*[1-9]?\d*(?:ll|l)?(?:pks|pus|pi4|pI4|pi6|pI6|p[KxsSB]?|[diuxXcs]))/g;
  for (let m = re.exec(fmt); m; m = re.exec(fmt)) {
    if (index >= m.index && index < m.index + m[0].length) {
      const conv = m[1] === '%' ? '%%' : '%' + m[1].replace(/^[-+ 0]*\d*/, '');
      return { text: m[0], base: conv, start: m.index };
    }
  }
  return undefined;
}

/** Which file an #include resolved to and why: the search folder that held it and where that folder came from. */
export function includeExplanation(a: Analysis, include: IncludeRecord): string {
  const shown = include.angled ? `<${include.name}>` : `"${include.name}"`;
  const setup = a.setup;
  const flagsFile = setup.flags?.source;
  const configs = (setup.flags?.clangdConfigs ?? []).filter((file) => file !== flagsFile);
  const buildFiles = (flagsFile ? `build setup: ${flagsFile}` : 'no compile_flags.txt or compile_commands.json above this file')
    + (configs.length > 0 ? `, edited by ${configs.join(', ')}` : '');
  if (include.resolvedPath === undefined) {
    return `**#include ${shown}**: not found (see the error). ${buildFiles}.`;
  }
  const index = include.searchIndex ?? -1;
  const folder = index >= 0 ? setup.searchPath[index] : undefined;
  const bundled = isBundledPath(include.resolvedPath);
  const file = bundled ? bundledHeaderFilePath(include.resolvedPath) ?? include.resolvedPath : include.resolvedPath;
  let why: string;
  if (!folder) why = include.angled ? 'an absolute path' : 'found beside the including file (`#include "..."` looks there first)';
  else if (bundled) {
    why = `bundled fallback: no ${include.name} on the include path`
      + (setup.searchPath.length > 1 ? ` (searched ${setup.searchPath.slice(0, -1).map((f) => f.path).join(', ')})` : '')
      + `; to use your own, put its folder in ${flagsFile ?? 'compile_flags.txt'} with -I`;
  } else if (folder.origin.kind === 'system') why = describeSearchFolder(folder);
  else why = `found in ${describeSearchFolder(folder)}`;
  const skipped = include.skipped ? '\n\nAlready included before (include guard or #pragma once): nothing new is read here.' : '';
  return `**#include ${shown}** → \`${file}\`\n\n${why}.${skipped}\n\n${buildFiles}.`;
}
