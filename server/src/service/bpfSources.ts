/**
 * Which C files are BPF program sources: the documents the language server validates, and the files
 * `bpf-iter check` takes from a folder without a compilation database. One rule for both, so the editor and CI
 * agree on what a project's programs are.
 *
 * A file is one when it is a `*.bpf.c` (libbpf-bootstrap, libbpf-tools), a `.c` that puts a function in an ELF
 * section as BPF programs do (cilium's `bpf_*.c`, bpf2go's `bpf/*.c`), or a `.c` its build setup compiles for BPF
 * (a `compile_flags.txt` or `.clangd` with `--target=bpf`: a helper unit of a BPF folder has no section of its own).
 * Headers and userland C are not: a change to one re-validates the open programs instead.
 */
import { findCompileFlags, FileSystemHost } from '../lang/headers';

/** `SEC("...")` (libbpf), `__section("...")` (cilium) or a bare section attribute: how a C file places a BPF program. */
const BPF_SECTION_MARKER = /\bSEC\s*\(\s*"|\b__section\s*\(\s*"|__attribute__\s*\(\(\s*section\s*\(/;

const BPF_TARGETS: ReadonlySet<string> = new Set(['bpf', 'bpfel', 'bpfeb']);

/** Whether a `-target` triple (`bpf`, `bpfel-unknown-none`) is BPF's. */
export function isBpfTarget(target: string | undefined): boolean {
  return target !== undefined && BPF_TARGETS.has(target.split('-')[0]);
}

/** Whether `filePath` is a BPF program source (see above); `text` is read only when the name does not decide. */
export function isBpfSource(filePath: string, text: () => string | undefined, host: FileSystemHost): boolean {
  if (filePath.endsWith('.bpf.c')) return true;
  if (!filePath.endsWith('.c')) return false;
  const source = text();
  if (source !== undefined && BPF_SECTION_MARKER.test(source)) return true;
  return isBpfTarget(findCompileFlags(filePath, host)?.target);
}
