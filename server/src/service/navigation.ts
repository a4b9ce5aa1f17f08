/**
 * Navigation: go to definition (into bundled or real headers), references and rename within the file,
 * document symbols (programs, maps, globals, types).
 */
import { Location, DocumentSymbol, SymbolKind, Range, WorkspaceEdit, TextEdit } from 'vscode-languageserver-types';
import { Analysis } from './analysis';
import { lineMapOf } from './diagnostics';
import { URI } from './uri';
import { Reference, isUnboundRecord } from '../lang/sema/analyzer';
import { typeToString } from '../lang/types';
import { bundledHeaderFilePath, isBundledPath } from '../lang/headers';

function locationOf(a: Analysis, node: { file: number; pos: number; end: number }): Location | undefined {
  const f = a.pp.files[node.file];
  if (!f) return undefined;
  // A bundled header is shown from the extension's own copy, which is what the front end read.
  const filePath = isBundledPath(f.path) ? bundledHeaderFilePath(f.path) : f.path;
  if (!filePath) return undefined;
  return { uri: URI.fromPath(filePath), range: lineMapOf(f).range(node.pos, node.end) };
}

function macroDefinition(a: Analysis, name: string): Location | undefined {
  const macro = a.pp.macros.get(name) as unknown as { file?: number; pos?: number; end?: number } | undefined;
  if (!macro || macro.file === undefined || macro.pos === undefined || macro.file < 0) return undefined;
  return locationOf(a, { file: macro.file, pos: macro.pos, end: macro.end ?? macro.pos });
}

export function definition(a: Analysis, offset: number): Location[] | null {
  const ref = a.compilation.symbolAt(a.mainFile, offset);
  const word = wordAt(a.text, offset);
  // On a macro name the symbol found is whatever its expansion declares or uses (its range is the whole
  // invocation); the user asked for the macro.
  if (word && (!ref || a.text.slice(ref.pos, ref.end) !== word.text)) {
    const macro = macroDefinition(a, word.text);
    if (macro) return [macro];
  }
  const target = ref?.symbol?.declaration ?? (ref?.field?.declaration as { file: number; pos: number; end: number } | undefined)
    ?? (ref?.tag?.info.declaration as { file: number; pos: number; end: number } | undefined);
  if (target && (target as { file: number }).file >= 0) {
    const loc = locationOf(a, target as { file: number; pos: number; end: number });
    if (loc) return [loc];
  }
  return null;
}

function sameTarget(x: Reference, y: Reference): boolean {
  return (!!x.symbol && x.symbol === y.symbol) || (!!x.field && x.field === y.field);
}

export function references(a: Analysis, offset: number): Location[] {
  const ref = a.compilation.symbolAt(a.mainFile, offset);
  if (!ref || (!ref.symbol && !ref.field)) return [];
  const lines = lineMapOf(a);
  const uri = URI.fromPath(a.path);
  const seen = new Set<string>();
  return a.compilation.model.references
    .filter((r) => r.file === a.mainFile && sameTarget(r, ref))
    .filter((r) => { const k = `${r.pos}:${r.end}`; if (seen.has(k)) return false; seen.add(k); return true; })
    .map((r) => ({ uri, range: lines.range(r.pos, r.end) }));
}

export function prepareRename(a: Analysis, offset: number): Range | null {
  const ref = a.compilation.symbolAt(a.mainFile, offset);
  if (!ref?.symbol || ref.symbol.fileScope || (ref.symbol.kind !== 'variable' && ref.symbol.kind !== 'parameter')) return null;
  // Only names spelled in the file itself (not produced by a macro) can be renamed.
  if (a.text.slice(ref.pos, ref.end) !== ref.symbol.name) return null;
  return lineMapOf(a).range(ref.pos, ref.end);
}

export function rename(a: Analysis, offset: number, newName: string): WorkspaceEdit | null {
  if (!/^[A-Za-z_]\w*$/.test(newName)) return null;
  if (!prepareRename(a, offset)) return null;
  const lines = lineMapOf(a);
  const ref = a.compilation.symbolAt(a.mainFile, offset)!;
  const edits = a.compilation.model.references
    .filter((r) => r.file === a.mainFile && r.symbol === ref.symbol && a.text.slice(r.pos, r.end) === ref.symbol!.name)
    .map((r) => TextEdit.replace(lines.range(r.pos, r.end), newName));
  return { changes: { [URI.fromPath(a.path)]: dedupeEdits(edits) } };
}

function dedupeEdits(edits: TextEdit[]): TextEdit[] {
  const seen = new Set<string>();
  return edits.filter((e) => { const k = JSON.stringify(e.range); if (seen.has(k)) return false; seen.add(k); return true; });
}

export function documentSymbols(a: Analysis): DocumentSymbol[] {
  const lines = lineMapOf(a);
  const out: DocumentSymbol[] = [];
  const range = (n: { pos: number; end: number }) => lines.range(n.pos, n.end);
  for (const f of a.compilation.program.functions) {
    const d = f.definition;
    if (d.file !== a.mainFile) continue;
    const name = d.declarator.name ?? d.declarator;
    out.push({ name: f.name, detail: f.section ? `SEC("${f.section}")` : typeToString(f.symbol.type), kind: f.section ? SymbolKind.Event : SymbolKind.Function, range: range(d), selectionRange: range(name) });
  }
  for (const m of a.compilation.program.maps) {
    const decl = m.symbol.declaration;
    if (decl.file !== a.mainFile) continue;
    out.push({ name: m.name, detail: `map: key ${m.keySize ?? '?'} value ${m.valueSize ?? '?'} max ${m.maxEntries ?? '?'}`, kind: SymbolKind.Object, range: range(decl), selectionRange: range(decl) });
  }
  for (const g of a.compilation.program.globals) {
    const decl = g.declaration;
    if (decl.file !== a.mainFile || a.compilation.program.maps.some((m) => m.symbol === g)) continue;
    out.push({ name: g.name, detail: typeToString(g.type), kind: SymbolKind.Variable, range: range(decl), selectionRange: range(decl) });
  }
  for (const tag of a.compilation.model.fileScope.tags.values()) {
    // a record of vmlinux.h read through its index and not bound yet is the header's: reading it would bind it
    if (tag.kind === 'record' && isUnboundRecord(tag.info)) continue;
    const decl = (tag.info.declaration ?? undefined) as { file: number; pos: number; end: number } | undefined;
    if (!decl || decl.file !== a.mainFile || !tag.info.name) continue;
    out.push({ name: `${tag.kind === 'record' ? (tag.info as { tag: string }).tag : 'enum'} ${tag.info.name}`, kind: tag.kind === 'record' ? SymbolKind.Struct : SymbolKind.Enum, range: range(decl), selectionRange: range(decl) });
  }
  return out.sort((x, y) => x.range.start.line - y.range.start.line);
}

function wordAt(text: string, offset: number): { text: string; start: number } | undefined {
  let s = offset;
  while (s > 0 && /\w/.test(text[s - 1])) s--;
  let e = offset;
  while (e < text.length && /\w/.test(text[e])) e++;
  return e > s ? { text: text.slice(s, e), start: s } : undefined;
}
