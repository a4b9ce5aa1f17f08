/**
 * The types of the simulated kernel's BTF: every struct, union, enum and typedef of Linux 6.18, read from the names the
 * bundled vmlinux.h (bpftool's dump of that kernel) declares, through its lazy index: nothing of it is parsed. What
 * libbpf relocates `bpf_core_type_exists()` against, whatever vmlinux.h the project compiles with.
 */
import { readBundledHeader } from './headers';
import { LazyKind, lazyHeaderIndex } from './lazyHeader';

/** The bundled header's text and index, read on first use; undefined when it cannot be read or indexed. */
let kernel: { text: string; index: NonNullable<ReturnType<typeof lazyHeaderIndex>> } | undefined | null = null;

/** Does Linux 6.18's BTF have a type of that kind and name? undefined when the bundled header cannot be read. */
export function kernelHasType(kind: 'struct' | 'union' | 'enum' | 'typedef', name: string): boolean | undefined {
  if (kernel === null) {
    const text = readBundledHeader('<bundled>/vmlinux.h');
    const index = text === undefined ? undefined : lazyHeaderIndex(text);
    kernel = text !== undefined && index ? { text, index } : undefined;
  }
  if (!kernel) return undefined;
  const { text, index } = kernel;
  const table = kind === 'typedef' ? index.symbols : index.tags;
  const declaration = table.get(name);
  if (declaration === undefined) return false;
  const declared = index.declarations[declaration * 3 + 2];
  if (kind === 'typedef') return declared === LazyKind.Typedef;
  // a forward declaration is no type of that kind in BTF (a FWD), and a struct is no union
  if (kind === 'enum') return declared === LazyKind.Enum;
  const start = index.declarations[declaration * 3];
  return (declared === LazyKind.Record || declared === LazyKind.Typedef) && text.startsWith(kind, start + (declared === LazyKind.Typedef ? 'typedef '.length : 0));
}
