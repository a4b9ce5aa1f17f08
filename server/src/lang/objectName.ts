/**
 * Names libbpf gives an object and its global-data maps. One source of truth: the analysis computes the object
 * name once (Analysis.objectName); the loader (exec/runner.ts) and the debugger name the maps with these.
 * Checked against libbpf 1.x on Linux 6.18: `my-prog.bpf.o` loads as maps `my_prog.bss` and `my_prog.rodata`,
 * `my-very-long-name.bpf.o` as `my_very_.bss`, `a.b-c.bpf.o` as `a.bss` (bpftool iter pin + bpftool map list).
 */

/** BPF_OBJ_NAME_LEN: the kernel's name buffer, NUL included. */
const OBJ_NAME_LEN = 16;

/**
 * mirrors bpf_object__new(): the base name of the object file copied into a BPF_OBJ_NAME_LEN buffer, cut at
 * its first '.'. Not sanitized here: libbpf sanitizes the map names made from it.
 */
export function libbpfObjectName(filePath: string): string {
  const base = filePath.split(/[\\/]/).pop() ?? '';
  const bytes = utf8(base).subarray(0, OBJ_NAME_LEN - 1);
  const dot = bytes.indexOf(0x2e);
  return decode(dot < 0 ? bytes : bytes.subarray(0, dot));
}

/**
 * mirrors internal_map_name(): the map of a data section (`.bss`, `.data`, `.rodata`, `.kconfig`, `.data.x`)
 * is named by a prefix of the object name plus the section name, the suffix taking at least 7 bytes and the
 * whole at most 15; a section with a second '.' (`.rodata.str`) gets no prefix. Every byte that is not
 * alphanumeric, '_' or '.' becomes '_' (the kernel's bpf_obj_name_cpy() refuses others with EINVAL).
 */
export function internalMapName(objectName: string, sectionName: string): string {
  const suffix = utf8(sectionName);
  const prefix = utf8(objectName);
  const suffixLength = Math.min(Math.max(7, suffix.length), OBJ_NAME_LEN - 1);
  const customDotMap = sectionName.indexOf('.', 1) >= 0;
  const prefixLength = customDotMap ? 0 : Math.min(OBJ_NAME_LEN - suffixLength - 1, prefix.length);
  const name = new Uint8Array([...prefix.subarray(0, prefixLength), ...suffix.subarray(0, suffixLength)]).subarray(0, OBJ_NAME_LEN - 1);
  for (let i = 0; i < name.length; i++) {
    const c = name[i];
    const allowed = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c === 0x2e;
    if (!allowed) name[i] = 0x5f;
  }
  return decode(name);
}

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const decode = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
