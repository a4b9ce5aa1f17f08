/**
 * The types of the simulated kernel's BTF: every struct, union, enum and typedef of Linux 6.18, read from the names the
 * bundled vmlinux.h (bpftool's dump of that kernel) declares, through its lazy index: nothing of it is parsed. What
 * libbpf relocates `bpf_core_type_exists()` against, whatever vmlinux.h the project compiles with.
 */
import { readBundledHeader } from './headers';
import { LazyKind, lazyHeaderIndex } from './lazyHeader';

let index: ReturnType<typeof lazyHeaderIndex> | null = null;

/** Does Linux 6.18's BTF have a type of that kind and name? undefined when the bundled header cannot be read. */
export function kernelHasType(kind: 'struct' | 'union' | 'enum' | 'typedef', name: string): boolean | undefined {
  if (index === null) {
    const text = readBundledHeader('<bundled>/vmlinux.h');
    index = text === undefined ? undefined : lazyHeaderIndex(text);
    if (index) kernelText = text;
  }
  if (!index || kernelText === undefined) return undefined;
  const table = kind === 'typedef' ? index.symbols : index.tags;
  const declaration = table.get(name);
  if (declaration === undefined) return false;
  const declared = index.declarations[declaration * 3 + 2];
  if (kind === 'typedef') return declared === LazyKind.Typedef;
  // a forward declaration is no type of that kind in BTF (a FWD), and a struct is no union
  if (kind === 'enum') return declared === LazyKind.Enum;
  const start = index.declarations[declaration * 3];
  return (declared === LazyKind.Record || declared === LazyKind.Typedef) && kernelText.startsWith(kind, start + (declared === LazyKind.Typedef ? 'typedef '.length : 0));
}

let kernelText: string | undefined;
