/**
 * Program-level checks libbpf and the kernel make before the verifier runs: the section names a known
 * iterator target, the entry has exactly one parameter of the target's ctx type, and there is a license
 * (bpf_seq_printf and most iterator helpers are GPL-only).
 */
import { Compilation } from './compile';
import { Diagnostics, FrontEndDiagnostic, formatMessage, DiagnosticMessage } from './diagnostics';
import { resolve, typeToString, type CType, type RecordInfo } from './types';
import type { CSymbol } from './sema/model';
import { ITER_TARGET_NAMES } from '../kernel/iterTargets';
import type { Expr, IrProgram, Stmt } from './ir';
import { reachableFunctions } from './checker/stack';
import { forEachChild, forEachNode } from './irWalk';
import { externNotResolvedArgs } from './checker/helpers';
import { pointerReadAsString } from './stringReads';

/** Every iterator target Linux 6.18 registers (bpf_iter_reg_target callers): kernel/iterTargets.ts. */
export const KERNEL_ITER_TARGETS: readonly string[] = ITER_TARGET_NAMES;

/**
 * `licenseLinked`: the object the file is linked into has a license another unit declares (service/linkedLicense.ts),
 * so a file without one of its own is no "no SEC("license")" error.
 */
export function checkProgramShapes(c: Compilation, options: { licenseLinked?: boolean } = {}): FrontEndDiagnostic[] {
  const out: FrontEndDiagnostic[] = [];
  const report = (m: DiagnosticMessage, node: { file: number; pos: number; end: number }, args: Array<string | number>) =>
    out.push({ code: m.code, category: m.category, message: formatMessage(m.message, args), file: node.file, pos: node.pos, end: node.end });
  // mirrors libbpf's bpf_object__init_maps(): an ELF section named "maps" (libbpf 0.x's struct bpf_map_def, iproute2's
  // bpf_elf_map) makes libbpf 1.x refuse the object at open
  const legacyMaps = c.program.globals.filter((g) => {
    const section = g.attributes.find((a) => a.name === 'section')?.args[0];
    return section?.kind === 'StringLiteral' && section.value === 'maps' && !g.storage.includes('extern');
  });
  // one warning (libbpf stops at the section), on a map of the file's own programs when there is one
  const programFile = c.program.functions.find((f) => f.section && !f.inHeader)?.definition.file;
  const legacy = legacyMaps.find((g) => g.declaration.file === programFile) ?? legacyMaps[0];
  if (legacy) {
    const at = legacy.declaration.kind === 'Declarator' && legacy.declaration.name ? legacy.declaration.name : legacy.declaration;
    report(Diagnostics.LegacyMapsSection, at, [legacy.name, "elf: legacy map definitions in 'maps' section are not supported by libbpf v1.0+"]);
  }
  let iterPrograms = 0;
  for (const f of c.program.functions) {
    // mirrors libbpf's bpf_object__add_programs(): a local (static) function in a program section is refused at open
    if (f.section && f.definition.specifiers.storage.includes('static')) {
      report(Diagnostics.StaticProgram, f.definition.declarator.name ?? f.definition.declarator, [f.name, `sec '${f.section}': program '${f.name}' is static and not supported`]);
    }
    if (!f.section || !/^iter(\.s)?\//.test(f.section)) continue;
    iterPrograms++;
    const target = f.section.replace(/^iter(\.s)?\//, '');
    const nameNode = f.definition.declarator.name ?? f.definition.declarator;
    if (!KERNEL_ITER_TARGETS.includes(target)) {
      report(Diagnostics.UnknownIterTarget, nameNode, [target]);
      continue;
    }
    if (f.parameters.length !== 1) {
      report(Diagnostics.IterProgramArity, nameNode, [f.name, f.parameters.length]);
      continue;
    }
    const param = resolve(f.parameters[0]);
    const expected = `bpf_iter__${target}`;
    const to = param.kind === 'pointer' ? resolve(param.to) : undefined;
    // libbpf's BPF_PROG() takes the ctx as `unsigned long long *ctx` and reads each argument of the target
    // (meta, map...) from its 8-byte slot: the verifier checks those loads by offset against the target's ctx
    // (btf_ctx_access()), not the C type of the parameter, and the program loads (measured on 6.18).
    const slotArray = to !== undefined && ((to.kind === 'int' && to.size === 8) || to.kind === 'void');
    if (!slotArray && (!to || to.kind !== 'record' || to.record.name !== expected)) {
      const derivation = f.definition.declarator.derivations[f.definition.declarator.derivations.length - 1];
      const paramNode = derivation?.kind === 'Function' ? derivation.parameters[0] ?? nameNode : nameNode;
      report(Diagnostics.IterCtxType, paramNode, [target, `struct ${expected} *`, typeToString(f.parameters[0])]);
    }
  }
  const fwd = forwardDeclaredKfuncStruct(c);
  if (fwd) report(Diagnostics.KfuncProtoIncompatible, fwd.at, [fwd.kfunc, `struct ${fwd.struct}`, `extern (func ksym) '${fwd.kfunc}': func_proto [N] incompatible with kernel [M]`]);
  for (const d of pointerReadAsString(c)) out.push(d);
  if (iterPrograms > 0 && c.program.license === undefined && !options.licenseLinked) {
    const first = c.program.functions.find((f) => f.section?.startsWith('iter'));
    if (first) report(Diagnostics.MissingLicense, first.definition.declarator.name ?? first.definition, []);
  }
  return out;
}

/** mirrors license_is_gpl_compatible() */
export function isGplCompatible(license: string | null | undefined): boolean {
  return !!license && ['GPL', 'GPL v2', 'GPL and additional rights', 'Dual BSD/GPL', 'Dual MIT/GPL', 'Dual MPL/GPL'].includes(license);
}

/** The names of the extern functions outside .ksyms that the file's code calls (another unit may define them). */
export function unresolvedExternNames(program: IrProgram): Set<string> {
  const names = new Set<string>();
  for (const func of program.functions) {
    forEachNode(func.body, () => undefined, (e) => { if (e.op === 'callHelper' && e.externUnresolved === 'notKsym') names.add(e.name); });
  }
  return names;
}

/**
 * mirrors bpf_object__collect_externs(): an extern function libbpf cannot resolve (an implicit declaration, an extern
 * outside .ksyms) fails the opening of the whole object, whichever function calls it: here, the code clang emits
 * that no iterator program reaches (a kprobe or tracepoint program beside it, a global function nothing calls); the
 * checker reports the calls an iterator program reaches. `linked`: the externs another unit of the project defines,
 * which bpftool gen object resolves (service/linkedLicense.ts).
 *
 * Only calls that certainly run when their function runs: no path-sensitive check follows these programs, and clang
 * removes a call its constant folding proves dead after inlining (Falco's syscall argument reader has one `case` per
 * argument index and is called with constant indexes; an undeclared macro in a case never reached leaves no extern in
 * the object). So not the branches of an `if` or `switch`, a loop body that may not run, the right side of `&&`, `||`
 * and `?:`, nor what follows a statement that may return.
 */
export function unresolvedExternsOutsideIterators(program: IrProgram, linked: Readonly<Record<string, string>> = {}): FrontEndDiagnostic[] {
  const checked = new Set(program.entries.flatMap((e) => reachableFunctions(program, e.func)));
  const out: FrontEndDiagnostic[] = [];
  const reported = new Set<string>();
  const walked = new Set<number>();
  const containsReturn = (s: Stmt): boolean => {
    let found = false;
    forEachNode(s, (x) => { if (x.op === 'return') found = true; });
    return found;
  };
  const walkExpr = (e: Expr): void => {
    if (e.op === 'callHelper' && e.externUnresolved && !(e.externUnresolved === 'notKsym' && linked[e.name] !== undefined)) {
      const key = `${e.loc.file}:${e.loc.pos}:${e.name}`;
      if (!reported.has(key)) {
        reported.add(key);
        const m = Diagnostics.ExternNotResolved;
        out.push({ code: m.code, category: m.category, file: e.loc.file, pos: e.loc.pos, end: e.loc.end,
          message: formatMessage(m.message, externNotResolvedArgs(e.name, e.externUnresolved)) });
      }
    }
    switch (e.op) {
      case 'logical': walkExpr(e.left); return;
      case 'conditional': walkExpr(e.test); return;
      case 'stmtExpr': if (walkStmt(e.body) && e.value) walkExpr(e.value); return;
      case 'call':
        forEachChild(e, walkExpr);
        walkFunction(e.func);
        return;
      default: forEachChild(e, walkExpr);
    }
  };
  /** Walks what certainly runs when `s` runs; true when control certainly goes on after it. */
  const walkStmt = (s: Stmt): boolean => {
    switch (s.op) {
      case 'expr': walkExpr(s.expr); return true;
      case 'declare': if (s.init) walkExpr(s.init); return true;
      case 'block': return s.body.every(walkStmt);
      case 'if': walkExpr(s.test); return !containsReturn(s);
      case 'switch': walkExpr(s.test); return !containsReturn(s);
      case 'loop':
        if (s.init && !walkStmt(s.init)) return false;
        // a do-while body runs once before its test; another loop's test runs first
        if (!s.testFirst) walkStmt(s.body);
        else if (s.test) walkExpr(s.test);
        return !containsReturn(s);
      case 'return': if (s.value) walkExpr(s.value); return false;
      case 'break': case 'continue': return false;
    }
  };
  const walkFunction = (func: number): void => {
    if (checked.has(func) || walked.has(func)) return;
    walked.add(func);
    walkStmt(program.functions[func].body);
  };
  // clang emits every function that is not static (program sections, global functions), and what they call
  for (const f of program.functions) if (f.global) walkFunction(f.index);
  return out;
}

/**
 * mirrors clang 14's BTF emission (BTFDebug: a struct first reached through a pointer member of another struct is
 * emitted as a forward declaration unless the object has its definition from elsewhere) and libbpf's
 * bpf_object__resolve_ksym_func_btf_id(): an extern kfunc whose prototype points at such a struct does not match the
 * kernel's (bpf_core_types_are_compat() finds FWD against STRUCT), and the object does not load ("func_proto [N]
 * incompatible with kernel", EINVAL). Measured on 6.18 with clang 14: bpf_task_from_pid() + bpf_task_release() in an
 * iter/task that never reads a task_struct field is refused, and loads once it reads t->pid.
 * Only the sure case is reported: the struct is the pointee of a member of an iterator program's ctx (visited first,
 * with the program's prototype), the kfunc's prototype names the same `struct S *` (no qualifier, no typedef), and
 * nothing else in the file gives clang the definition: no member of S is read (a CO-RE relocation emits S), no
 * defined function takes S, no global holds it, no called kfunc takes a `const struct S *`, no type-based CO-RE
 * builtin. libbpf resolves the ksyms sorted by name and stops at the first: that one is reported, at its first use.
 */
function forwardDeclaredKfuncStruct(c: Compilation): { kfunc: string; struct: string; at: { file: number; pos: number; end: number } } | undefined {
  const plainStructPointee = (t: CType): string | undefined => {
    if (t.kind !== 'pointer' || t.to.kind !== 'record' || t.to.qualifiers) return undefined;
    return t.to.record.tag === 'struct' ? t.to.record.name : undefined;
  };
  // structs an iterator's ctx points at through a member (anonymous unions of __bpf_md_ptr() included)
  const viaCtx = new Set<string>();
  const members = (r: RecordInfo, depth: number): void => {
    for (const f of r.fields) {
      const pointee = plainStructPointee(f.type);
      if (pointee) viaCtx.add(pointee);
      else if (f.name === undefined && f.type.kind === 'record' && depth < 3) members(f.type.record, depth + 1);
    }
  };
  for (const f of c.program.functions) {
    if (!f.section || !/^iter(\.s)?\//.test(f.section) || f.parameters.length !== 1) continue;
    const p = resolve(f.parameters[0]);
    if (p.kind === 'pointer' && p.to.kind === 'record') members(p.to.record, 0);
  }
  if (viaCtx.size === 0) return undefined;
  // what gives clang a struct's definition
  const defined = new Set<string>();
  const mentions = (t: CType, depth = 0): void => {
    if (depth > 4) return;
    if (t.kind === 'record') { if (t.record.name) defined.add(t.record.name); return; }
    if (t.kind === 'pointer') mentions(t.to, depth + 1);
    else if (t.kind === 'array') mentions(t.of, depth + 1);
    else if (t.kind === 'typedef') mentions(t.target, depth + 1);
  };
  let typeBuiltin = false;
  const kfuncs = new Map<string, { symbol: CSymbol; at: { file: number; pos: number; end: number } }>();
  for (const r of c.model.references) {
    if (r.field && r.record?.name) defined.add(r.record.name);
    const sym = r.symbol;
    if (!sym) continue;
    if (/^__builtin_(preserve_type_info|btf_type_id|preserve_enum_value)$|^bpf_rdonly_cast$/.test(sym.name)) typeBuiltin = true;
    const section = sym.attributes.find((a) => a.name === 'section')?.args[0];
    // a use inside a function body (clang emits an extern's prototype only for a function that calls it)
    const used = c.program.functions.some((f) => f.definition.file === r.file && f.definition.body.pos <= r.pos && r.end <= f.definition.body.end);
    if (used && sym.type.kind === 'function' && !sym.defined && section?.kind === 'StringLiteral' && section.value === '.ksyms' && !kfuncs.has(sym.name)) {
      kfuncs.set(sym.name, { symbol: sym, at: r });
    }
  }
  if (typeBuiltin) return undefined;
  for (const f of c.program.functions) {
    if (f.section && /^iter(\.s)?\//.test(f.section)) continue;
    for (const p of f.parameters) mentions(p);
  }
  for (const g of c.program.globals) mentions(g.type);
  for (const { symbol } of kfuncs.values()) {
    const t = symbol.type as Extract<CType, { kind: 'function' }>;
    for (const p of [t.returns, ...t.params]) {
      if (p.kind === 'pointer' && p.to.kind === 'record' && p.to.qualifiers && p.to.record.name) defined.add(p.to.record.name);
      else if (p.kind === 'pointer' && p.to.kind !== 'record') mentions(p.to);
    }
  }
  for (const name of [...kfuncs.keys()].sort()) {
    const { symbol, at } = kfuncs.get(name)!;
    const t = symbol.type as Extract<CType, { kind: 'function' }>;
    for (const p of [t.returns, ...t.params]) {
      const s = plainStructPointee(p);
      if (s && viaCtx.has(s) && !defined.has(s)) return { kfunc: name, struct: s, at };
    }
  }
  return undefined;
}
