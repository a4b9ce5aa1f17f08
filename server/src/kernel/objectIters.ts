/**
 * The iterator targets over the kernel's own objects: bpf_prog (kernel/bpf/prog_iter.c), bpf_link
 * (kernel/bpf/link_iter.c), ksym (kernel/kallsyms.c), kmem_cache (kernel/bpf/kmem_cache_iter.c) and dmabuf
 * (kernel/bpf/dmabuf_iter.c). Every object is kernel memory laid out from the 6.18 BTF (btfTable.ts), so a program
 * reads `prog->aux->name`, `link->prog->aux->id`, `ksym->module_name`, `s->object_size` or `dmabuf->file->f_inode`
 * through any path. What a scenario does not name is zero or derived as the kernel would (see each builder).
 *
 * Measured on 6.18 with `bpftool iter pin` + cat (test/oracle/objectIters.oracle.test.ts):
 * - bpf_prog / bpf_link: ascending id, the iterator's own program and link among them, then a final NULL call whose
 *   seq_num is the last object's (bpf_prog_seq_stop()/bpf_link_seq_stop() call the program when v == NULL).
 * - ksym: the ctx pointer is the seq_file's private struct kallsym_iter itself, so it is never NULL: the final call
 *   (bpf_iter_ksym_seq_stop() with p == NULL) sees the last symbol again with module_name "__builtin__kprobes" and
 *   pos advanced; a core symbol's pos is its index + 1 (update_iter() increments after get_ksymbol_core()), a
 *   module's, BPF's or ftrace's is its index.
 * - kmem_cache: slab_caches list order (newest first, the two boot caches kmem_cache_node and kmem_cache last, as
 *   /proc/slabinfo lists them); the iterator holds a reference on the visited cache, so `s->refcount` reads one
 *   more than the cache's own count, boot caches keep -1; a final NULL call.
 * - dmabuf: newest first; dmabuf_iter_seq_stop() never runs the program, so there is no final NULL call.
 */
import { kernelBtf } from './btf';
import type { Kernel, IterLink, LoadedProg } from './kernel';
import type { IterSession, IterSeqOps, IterTarget } from './iter';
import type { Region, Resolved } from './memory';

// ------------------------------------------------------------------ what a scenario describes

/** A BPF program the machine already has (loaded by systemd, a profiler...), by id. */
export interface SimProgram {
  id: number;
  name: string;
  /** enum bpf_prog_type value */
  type: number;
  /** enum bpf_attach_type value */
  expectedAttachType: number;
  /** instructions (prog->len) and JITed bytes (prog->jited_len) */
  len: number;
  jitedLen: number;
  /** prog->tag, 8 bytes as 16 hex digits */
  tag: string;
  gpl: boolean;
  sleepable: boolean;
  loadTimeNs: bigint;
  /** aux->verified_insns */
  verifiedInsns: number;
}
/** A BPF link the machine already has: its program is one of the SimPrograms. */
export interface SimLink { id: number; type: number; progId: number; attachType: number }
/** One /proc/kallsyms line: address, nm type letter, name; module symbols carry their module. */
export interface SimKsym { value: bigint; type: string; name: string }
export interface SimModule { name: string; symbols: Array<SimKsym & { exported: boolean }> }
/** One slab cache (a /proc/slabinfo row): sizes derived as calculate_sizes() would when absent. */
export interface SimSlabCache {
  name: string; objectSize: number; size: number; align: number; flags: number; refcount: number;
  offset: number; inuse: number; objectsPerSlab: number; order: number; useroffset: number; usersize: number;
}
/** One dma-buf (a /sys/kernel/debug/dma_buf/bufinfo row). */
export interface SimDmabuf { size: bigint; expName: string; name: string | null; ino: number }

export interface SimObjects {
  programs: SimProgram[];
  links: SimLink[];
  /** core symbols in kallsyms order (ascending address) */
  kallsyms: SimKsym[];
  /** loaded modules, in the modules list's order (the newest first) */
  modules: SimModule[];
  /** the ftrace trampolines' symbols ([__builtin__ftrace]) listed between modules and BPF */
  ftrace: SimKsym[];
  /** slab_caches in list order (newest first) */
  slabCaches: SimSlabCache[];
  /** dma-bufs in creation order (the oldest first); the iterator walks them newest first */
  dmabufs: SimDmabuf[];
}

export const EMPTY_SIM_OBJECTS: SimObjects = { programs: [], links: [], kallsyms: [], modules: [], ftrace: [], slabCaches: [], dmabufs: [] };

/** BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, BPF_LINK_TYPE_ITER (uapi/linux/bpf.h, as in this kernel's BTF) */
export const BPF_PROG_TYPE_TRACING = 26;
export const BPF_TRACE_ITER = 28;
const BPF_LINK_TYPE_ITER = 4;
/** BPF_OBJ_NAME_LEN: aux->name keeps 15 characters and a NUL */
const BPF_OBJ_NAME_LEN = 16;
/** BPF_SYM_ELF_TYPE: the nm letter of every BPF symbol */
const BPF_SYM_ELF_TYPE = 't';

// ------------------------------------------------------------------ layout helpers (kernel BTF by field path)

function place(struct: string, path: string): { offset: number; size: number; bit?: { bitOffset: number; bitSize: number } } {
  let offset = 0;
  let current = struct;
  let size = 0;
  let bit: { bitOffset: number; bitSize: number } | undefined;
  for (const name of path.split('.')) {
    const f = kernelBtf[current]?.fields.find((x) => x.name === name);
    if (!f) throw new Error(`kernel BTF has no field ${current}.${name}`);
    // a bitfield's bitOffset counts from the start of its struct, not from the storage unit BTF names
    bit = f.bitfield ? { bitOffset: offset * 8 + f.bitfield.bitOffset, bitSize: f.bitfield.bitSize } : undefined;
    offset += f.offset;
    size = f.size;
    current = f.typeName.replace(/^(const |volatile )*(struct |union )?/, '');
  }
  return { offset, size, bit };
}

function put(region: Region, struct: string, path: string, value: number | bigint): void {
  const { offset, size, bit } = place(struct, path);
  const v = region.view;
  if (bit) {
    const at = bit.bitOffset >> 3;
    const shift = bit.bitOffset & 7;
    const mask = ((1 << bit.bitSize) - 1) << shift;
    const old = v.getUint16(at, true);
    v.setUint16(at, (old & ~mask) | ((Number(value) << shift) & mask), true);
    return;
  }
  switch (size) {
    case 1: v.setUint8(offset, Number(value) & 0xff); break;
    case 2: v.setUint16(offset, Number(value) & 0xffff, true); break;
    case 4: v.setUint32(offset, Number(BigInt.asUintN(32, BigInt(value))), true); break;
    default: v.setBigUint64(offset, BigInt.asUintN(64, BigInt(value)), true);
  }
}

function putChars(region: Region, struct: string, path: string, text: string): void {
  const { offset, size } = place(struct, path);
  region.bytes.fill(0, offset, offset + size);
  region.bytes.set(new TextEncoder().encode(text).subarray(0, size - 1), offset);
}

const resolved = (r: Region): Resolved => ({ region: r, offset: 0 });

// ------------------------------------------------------------------ the objects as kernel memory

interface ProgObject { id: number; region: Region; name: string; tag: string }
interface LinkObject { id: number; region: Region }

/**
 * The kernel objects the five targets walk, laid out once per kernel (addresses stay put). Programs and links the
 * kernel loads at run time (the iterator's own) get their struct bpf_prog / bpf_link on first visit.
 */
export class SimulatedObjects {
  private readonly strings = new Map<string, Region>();
  private readonly foreignProgs: ProgObject[] = [];
  private readonly foreignLinks: LinkObject[] = [];
  private readonly loadedProgs = new WeakMap<LoadedProg, ProgObject>();
  private readonly iterLinks = new WeakMap<IterLink, LinkObject>();
  readonly slabCaches: Region[] = [];
  /** newest first, as dma_buf_iter_begin() walks db_list */
  readonly dmabufs: Region[] = [];
  /** the address bpf_link_ops / bpf_prog_ops pointers of every object take (not zero, never dereferenced) */
  private readonly opsRegion: Region;

  constructor(private readonly kernel: Kernel, readonly spec: SimObjects) {
    const mem = kernel.memory;
    this.opsRegion = mem.alloc(64, 'struct bpf_link_ops / bpf_prog_ops', true);
    for (const p of [...spec.programs].sort((a, b) => a.id - b.id)) {
      this.foreignProgs.push({ id: p.id, region: this.buildProg(p.id, p.name, p.type, p.expectedAttachType, p.len, p.jitedLen, p.tag, p.gpl, p.sleepable, p.loadTimeNs, p.verifiedInsns, null), name: p.name, tag: p.tag });
    }
    for (const l of [...spec.links].sort((a, b) => a.id - b.id)) {
      const prog = this.foreignProgs.find((p) => p.id === l.progId) ?? null;
      this.foreignLinks.push({ id: l.id, region: this.buildLink(l.id, l.type, prog?.region ?? null, l.attachType) });
    }
    for (const c of spec.slabCaches) this.slabCaches.push(this.buildSlabCache(c));
    for (const d of [...spec.dmabufs].reverse()) this.dmabufs.push(this.buildDmabuf(d));
    // the ids the scenario took are not handed out again (idr_alloc_cyclic() continues after the highest)
    kernel.progIdr.skipPast(Math.max(0, ...spec.programs.map((p) => p.id)));
    kernel.linkIdr.skipPast(Math.max(0, ...spec.links.map((l) => l.id)));
  }

  private string(s: string): Region {
    let r = this.strings.get(s);
    if (!r) {
      const bytes = new TextEncoder().encode(s);
      r = this.kernel.memory.alloc(bytes.length + 1, `string "${s}"`, true);
      r.bytes.set(bytes);
      this.strings.set(s, r);
    }
    return r;
  }

  /** struct bpf_prog + struct bpf_prog_aux as bpf_prog_load() leaves them (JITed: jited, a bpf_func, jited_len) */
  private buildProg(id: number, name: string, type: number, attachType: number, len: number, jitedLen: number, tag: string,
    gpl: boolean, sleepable: boolean, loadTimeNs: bigint, verifiedInsns: number, attachFuncName: string | null): Region {
    const mem = this.kernel.memory;
    const prog = mem.alloc(kernelBtf.bpf_prog.size, `struct bpf_prog (id ${id}, ${name})`, true);
    const aux = mem.alloc(kernelBtf.bpf_prog_aux.size, `struct bpf_prog_aux (id ${id})`, true);
    put(prog, 'bpf_prog', 'pages', Math.max(1, Math.ceil((96 + len * 8) / 4096)));
    put(prog, 'bpf_prog', 'jited', 1);
    put(prog, 'bpf_prog', 'jit_requested', 1);
    put(prog, 'bpf_prog', 'gpl_compatible', gpl ? 1 : 0);
    put(prog, 'bpf_prog', 'sleepable', sleepable ? 1 : 0);
    put(prog, 'bpf_prog', 'type', type);
    put(prog, 'bpf_prog', 'expected_attach_type', attachType);
    put(prog, 'bpf_prog', 'len', len);
    put(prog, 'bpf_prog', 'jited_len', jitedLen);
    const tagAt = place('bpf_prog', 'tag').offset;
    prog.bytes.set(Buffer.from(tag.padEnd(16, '0').slice(0, 16), 'hex'), tagAt);
    // the JITed image: bpf_func points into the module area where the BPF ksym starts
    put(prog, 'bpf_prog', 'bpf_func', this.imageAddress(id));
    put(prog, 'bpf_prog', 'aux', aux.addr);
    put(aux, 'bpf_prog_aux', 'refcnt', 1);
    put(aux, 'bpf_prog_aux', 'id', id);
    put(aux, 'bpf_prog_aux', 'prog', prog.addr);
    put(aux, 'bpf_prog_aux', 'load_time', loadTimeNs);
    put(aux, 'bpf_prog_aux', 'verified_insns', verifiedInsns);
    put(aux, 'bpf_prog_aux', 'ops', this.opsRegion.addr);
    put(aux, 'bpf_prog_aux', 'main_prog_aux', aux.addr);
    putChars(aux, 'bpf_prog_aux', 'name', name.slice(0, BPF_OBJ_NAME_LEN - 1));
    if (attachFuncName) put(aux, 'bpf_prog_aux', 'attach_func_name', this.string(attachFuncName).addr);
    return prog;
  }

  /** Where program `id`'s JITed image (and its kallsyms entry) starts: the BPF area above the modules. */
  imageAddress(id: number): bigint { return 0xffffffffc0400000n + BigInt(id) * 0x1000n + 0x6a0n; }

  /** struct bpf_link as bpf_link_init() + bpf_link_settle() leave it */
  private buildLink(id: number, type: number, prog: Region | null, attachType: number): Region {
    const link = this.kernel.memory.alloc(kernelBtf.bpf_link.size, `struct bpf_link (id ${id})`, true);
    put(link, 'bpf_link', 'refcnt', 1);
    put(link, 'bpf_link', 'id', id);
    put(link, 'bpf_link', 'type', type);
    put(link, 'bpf_link', 'ops', this.opsRegion.addr);
    put(link, 'bpf_link', 'prog', prog ? prog.addr : 0n);
    put(link, 'bpf_link', 'attach_type', attachType);
    return link;
  }

  /** The struct bpf_prog of a program the kernel loaded (the iterator's own): built on first visit. */
  private loadedProg(p: LoadedProg): ProgObject {
    let o = this.loadedProgs.get(p);
    if (!o) {
      const s = p.spec;
      // len/jited_len: the simulator runs the C, not BPF instructions; 0 says "not known" rather than a made-up count
      const region = this.buildProg(p.id, s.name, BPF_PROG_TYPE_TRACING, BPF_TRACE_ITER, 0, 0, p.tag, s.gplCompatible, s.sleepable,
        p.loadTime, 0, `bpf_iter_${s.attachTarget}`);
      o = { id: p.id, region, name: s.name, tag: p.tag };
      this.loadedProgs.set(p, o);
    }
    return o;
  }
  private iterLink(l: IterLink): LinkObject {
    let o = this.iterLinks.get(l);
    if (!o) {
      o = { id: l.id, region: this.buildLink(l.id, BPF_LINK_TYPE_ITER, this.loadedProg(l.prog).region, BPF_TRACE_ITER) };
      this.iterLinks.set(l, o);
    }
    // BPF_LINK_UPDATE may have swapped the program
    put(o.region, 'bpf_link', 'prog', this.loadedProg(l.prog).region.addr);
    return o;
  }

  /** mirrors bpf_prog_get_curr_or_next(): the program with the lowest id >= id (the scenario's and the kernel's) */
  progAtOrAfter(id: number): ProgObject | null {
    const foreign = this.foreignProgs.find((p) => p.id >= id) ?? null;
    const loaded = this.kernel.progIdr.getNext(id);
    if (loaded && (!foreign || loaded.id < foreign.id)) return this.loadedProg(loaded.value);
    return foreign;
  }
  /** mirrors bpf_link_get_curr_or_next() */
  linkAtOrAfter(id: number): LinkObject | null {
    const foreign = this.foreignLinks.find((l) => l.id >= id) ?? null;
    const loaded = this.kernel.linkIdr.getNext(id);
    if (loaded && (!foreign || loaded.id < foreign.id)) return this.iterLink(loaded.value);
    return foreign;
  }

  /**
   * The BPF symbols bpf_get_kallsym() lists (bpf_kallsyms, in load order): one `bpf_prog_<tag>_<name>` per program,
   * named by bpf_get_prog_name() (the BTF function name, not aux->name's 15 characters).
   */
  bpfSymbols(): SimKsym[] {
    const progs: Array<{ id: number; name: string; tag: string }> = [...this.foreignProgs];
    for (const id of this.kernel.progIdr.ids()) {
      const p = this.kernel.progIdr.get(id)!;
      progs.push({ id, name: p.spec.name, tag: p.tag });
    }
    progs.sort((a, b) => a.id - b.id);
    return progs.map((p) => ({ value: this.imageAddress(p.id), type: BPF_SYM_ELF_TYPE, name: `bpf_prog_${p.tag.slice(0, 16)}_${p.name}` }));
  }

  /** struct kmem_cache as create_cache() + calculate_sizes() leave it */
  private buildSlabCache(c: SimSlabCache): Region {
    const s = this.kernel.memory.alloc(kernelBtf.kmem_cache.size, `struct kmem_cache ${c.name}`, true);
    put(s, 'kmem_cache', 'name', this.string(c.name).addr);
    put(s, 'kmem_cache', 'size', c.size);
    put(s, 'kmem_cache', 'object_size', c.objectSize);
    put(s, 'kmem_cache', 'align', c.align);
    put(s, 'kmem_cache', 'flags', c.flags);
    put(s, 'kmem_cache', 'refcount', c.refcount);
    put(s, 'kmem_cache', 'offset', c.offset);
    put(s, 'kmem_cache', 'inuse', c.inuse);
    put(s, 'kmem_cache', 'useroffset', c.useroffset);
    put(s, 'kmem_cache', 'usersize', c.usersize);
    put(s, 'kmem_cache', 'min_partial', 5);
    // struct kmem_cache_order_objects: order << OO_SHIFT (16) | objects per slab
    put(s, 'kmem_cache', 'oo', (c.order << 16) | c.objectsPerSlab);
    put(s, 'kmem_cache', 'min', c.objectsPerSlab);
    return s;
  }

  /** struct dma_buf + its file (alloc_file_pseudo(inode, dma_buf_mnt, "dmabuf", ...)) and inode */
  private buildDmabuf(d: SimDmabuf): Region {
    const mem = this.kernel.memory;
    const buf = mem.alloc(kernelBtf.dma_buf.size, `struct dma_buf ${d.name ?? d.expName} (ino ${d.ino})`, true);
    const file = mem.alloc(kernelBtf.file.size, `struct file dmabuf (ino ${d.ino})`, true);
    const inode = mem.alloc(kernelBtf.inode.size, `struct inode dmabuf (ino ${d.ino})`, true);
    const dentry = mem.alloc(kernelBtf.dentry.size, `struct dentry dmabuf (ino ${d.ino})`, true);
    put(inode, 'inode', 'i_ino', d.ino);
    put(inode, 'inode', 'i_size', d.size);
    put(inode, 'inode', 'i_mode', 0o100000); // S_IFREG, as dma_buf_getfile() leaves it
    put(dentry, 'dentry', 'd_name.len', 6);
    put(dentry, 'dentry', 'd_name.name', this.string('dmabuf').addr);
    put(dentry, 'dentry', 'd_inode', inode.addr);
    put(dentry, 'dentry', 'd_parent', dentry.addr);
    put(file, 'file', 'f_path.dentry', dentry.addr);
    put(file, 'file', 'f_inode', inode.addr);
    put(file, 'file', 'f_flags', 0o2); // O_RDWR
    put(file, 'file', 'f_mode', 0x3);
    put(file, 'file', 'f_ref', 1);
    put(file, 'file', 'private_data', buf.addr);
    put(buf, 'dma_buf', 'size', d.size);
    put(buf, 'dma_buf', 'file', file.addr);
    put(buf, 'dma_buf', 'exp_name', this.string(d.expName).addr);
    if (d.name !== null) put(buf, 'dma_buf', 'name', this.string(d.name).addr);
    put(buf, 'dma_buf', 'ops', this.opsRegion.addr);
    // an empty attachments list points at itself
    const att = place('dma_buf', 'attachments').offset;
    buf.view.setBigUint64(att, buf.addr + BigInt(att), true);
    buf.view.setBigUint64(att + 8, buf.addr + BigInt(att), true);
    return buf;
  }
}

function objectsOf(kernel: Kernel): SimulatedObjects { return kernel.objects; }

// ------------------------------------------------------------------ bpf_prog and bpf_link

/**
 * The walk bpf_prog_seq_ops and bpf_link_seq_ops share: objects by id from the IDR (the object at or after the
 * saved id in start/next, as bpf_prog_get_curr_or_next()/bpf_link_get_curr_or_next() do), one ctx field, and the
 * final call when stop() gets NULL.
 */
function byIdTarget<T extends { id: number; region: ProgObject['region'] }>(name: string, atOrAfter: (objects: SimulatedObjects, id: number) => T | null): IterTarget {
  return {
    name,
    resched: false,
    openSession(session: IterSession) {
      const objects = objectsOf(session.kernel);
      let id = 0; // struct bpf_iter_seq_{prog,link}_info's saved id
      const at = (): T | null => { const o = atOrAfter(objects, id); if (o) id = o.id; return o; };
      const ops: IterSeqOps<T> = {
        start: at,
        next: () => { id++; return at(); },
        stop: (p) => { if (p === null) session.runFields([null], true); },
        show: (p, inStop) => session.runFields([p ? resolved(p.region) : null], inStop),
        fini: () => undefined,
      };
      return ops as IterSeqOps<unknown>;
    },
  };
}

/** mirrors bpf_prog_seq_ops: programs by id */
export const bpfProgTarget: IterTarget = byIdTarget<ProgObject>('bpf_prog', (objects, id) => objects.progAtOrAfter(id));

/** mirrors bpf_link_seq_ops: links by id */
export const bpfLinkTarget: IterTarget = byIdTarget<LinkObject>('bpf_link', (objects, id) => objects.linkAtOrAfter(id));

// ------------------------------------------------------------------ ksym

/** struct kallsym_iter's state, mirrored field by field */
interface KallsymState {
  pos: number; posModEnd: number; posFtraceModEnd: number; posBpfEnd: number;
  value: bigint; type: string; name: string; moduleName: string; exported: number; showValue: number;
}

/**
 * mirrors s_start()/s_next() over update_iter() of kernel/kallsyms.c: core symbols (the iterator's pos ends one past
 * the symbol), then module symbols (module_get_kallsym(): each module's ELF symbol table from index 0, the empty
 * null symbol included), ftrace trampolines, BPF symbols, kprobe pages (none simulated). Returns false at the end,
 * leaving the state as the kernel leaves it (the last name, module_name "__builtin__kprobes").
 */
function updateIter(it: KallsymState, pos: number, core: SimKsym[], modules: SimModule[], ftrace: SimKsym[], bpf: SimKsym[]): boolean {
  const numCore = core.length;
  if (pos >= numCore) {
    it.pos = pos;
    // get_ksymbol_mod()
    if (!it.posModEnd || it.posModEnd > pos) {
      let n = pos - numCore;
      for (const m of modules) {
        if (n < m.symbols.length) {
          const s = m.symbols[n];
          Object.assign(it, { value: s.value, type: s.type, name: s.name, moduleName: m.name, exported: s.exported ? 1 : 0 });
          return true;
        }
        n -= m.symbols.length;
      }
      it.posModEnd = pos;
    }
    // get_ksymbol_ftrace_mod()
    if (!it.posFtraceModEnd || it.posFtraceModEnd > pos) {
      const s = ftrace[pos - it.posModEnd];
      if (s) { Object.assign(it, { value: s.value, type: s.type, name: s.name, moduleName: '__builtin__ftrace', exported: 0 }); return true; }
      it.posFtraceModEnd = pos;
    }
    // get_ksymbol_bpf(): module_name and exported are set before the lookup
    if (!it.posBpfEnd || it.posBpfEnd > pos) {
      it.moduleName = 'bpf';
      it.exported = 0;
      const s = bpf[pos - it.posFtraceModEnd];
      if (s) { Object.assign(it, { value: s.value, type: s.type, name: s.name }); return true; }
      it.posBpfEnd = pos;
    }
    // get_ksymbol_kprobe(): no kprobe instruction pages in the simulated kernel
    it.moduleName = '__builtin__kprobes';
    it.exported = 0;
    return false;
  }
  if (pos !== it.pos) {
    // reset_iter()
    it.name = '';
    it.pos = pos;
    if (pos === 0) { it.posModEnd = 0; it.posFtraceModEnd = 0; it.posBpfEnd = 0; }
  }
  const s = core[pos];
  Object.assign(it, { moduleName: '', value: s.value, type: s.type, name: s.name });
  it.pos++;
  return true;
}

function writeKallsymIter(r: Region, it: KallsymState): void {
  put(r, 'kallsym_iter', 'pos', BigInt(it.pos));
  put(r, 'kallsym_iter', 'pos_mod_end', BigInt(it.posModEnd));
  put(r, 'kallsym_iter', 'pos_ftrace_mod_end', BigInt(it.posFtraceModEnd));
  put(r, 'kallsym_iter', 'pos_bpf_end', BigInt(it.posBpfEnd));
  put(r, 'kallsym_iter', 'value', it.value);
  put(r, 'kallsym_iter', 'type', it.type.charCodeAt(0) || 0);
  putChars(r, 'kallsym_iter', 'name', it.name);
  putChars(r, 'kallsym_iter', 'module_name', it.moduleName);
  put(r, 'kallsym_iter', 'exported', it.exported);
  put(r, 'kallsym_iter', 'show_value', it.showValue);
}

/** mirrors bpf_iter_ksym_ops: the seq_file's private kallsym_iter is the ctx pointer in every call, the final one too */
export const ksymTarget: IterTarget = {
  name: 'ksym',
  resched: true,
  openSession(session: IterSession) {
    const objects = objectsOf(session.kernel);
    const { kallsyms, modules, ftrace } = objects.spec;
    // bpf_iter_ksym_init(): reset_iter(iter, 0); show_value = kallsyms_show_value(current_cred()): the reader is root
    const it: KallsymState = { pos: 0, posModEnd: 0, posFtraceModEnd: 0, posBpfEnd: 0, value: 0n, type: '\0', name: '', moduleName: '', exported: 0, showValue: 1 };
    const region = session.kernel.memory.alloc(kernelBtf.kallsym_iter.size, 'struct kallsym_iter (seq_file private)', true);
    let pos = 0; // seq_file's index
    const update = (): KallsymState | null => {
      const ok = updateIter(it, pos, kallsyms, modules, ftrace, objects.bpfSymbols());
      writeKallsymIter(region, it);
      return ok ? it : null;
    };
    const ops: IterSeqOps<KallsymState> = {
      start: update,
      next: () => { pos++; return update(); },
      stop: (p) => { if (p === null) session.runFields([resolved(region)], true); },
      show: (_p, inStop) => session.runFields([resolved(region)], inStop),
      fini: () => undefined,
    };
    return ops as IterSeqOps<unknown>;
  },
};

// ------------------------------------------------------------------ kmem_cache

/** mirrors kmem_cache_iter_seq_ops: slab_caches in list order, a reference held on the visited cache, a final NULL call */
export const kmemCacheTarget: IterTarget = {
  name: 'kmem_cache',
  resched: true,
  openSession(session: IterSession) {
    const caches = objectsOf(session.kernel).slabCaches;
    let index = 0;
    const refAt = place('kmem_cache', 'refcount').offset;
    // kmem_cache_iter_seq_start()/next() take a reference (boot caches, refcount -1, are left alone); stop/next drop it
    let held: Region | null = null;
    const hold = (r: Region | null): void => {
      if (held) { const n = held.view.getInt32(refAt, true); if (n > 0) held.view.setInt32(refAt, n - 1, true); }
      held = r;
      if (r) { const n = r.view.getInt32(refAt, true); if (n > 0) r.view.setInt32(refAt, n + 1, true); }
    };
    const at = (): Region | null => { const r = caches[index] ?? null; hold(r); return r; };
    const ops: IterSeqOps<Region> = {
      start: at,
      next: () => { index++; return at(); },
      stop: (p) => { if (p === null) session.runFields([null], true); hold(null); },
      show: (p, inStop) => session.runFields([p ? resolved(p) : null], inStop),
      fini: () => hold(null),
    };
    return ops as IterSeqOps<unknown>;
  },
};

/** KMEM_CACHE_POS_START: what bpf_iter_kmem_cache_new() leaves in the iterator before the first next() */
export const KMEM_CACHE_POS_START = 1n;

/**
 * mirrors the kfunc bpf_iter_kmem_cache_next() (kernel/bpf/kmem_cache_iter.c): the cache after `prev` in slab_caches
 * order (the first after KMEM_CACHE_POS_START), 0 after the last; it takes a reference on the next cache and drops
 * the one on `prev` (boot caches, refcount -1, are left alone), as the iterator target does
 */
export function kmemCacheNext(kernel: Kernel, prev: bigint): bigint {
  const caches = objectsOf(kernel).slabCaches;
  const at = prev === KMEM_CACHE_POS_START ? -1 : caches.findIndex((r) => r.addr === prev);
  const next = caches[at + 1] ?? null;
  const refAt = place('kmem_cache', 'refcount').offset;
  if (next) { const n = next.view.getInt32(refAt, true); if (n > 0) next.view.setInt32(refAt, n + 1, true); }
  if (at >= 0) kmemCachePut(kernel, prev);
  return next ? next.addr : 0n;
}

/** mirrors the reference drop of bpf_iter_kmem_cache_next()/destroy(): refcount - 1 while more than one holds it */
export function kmemCachePut(kernel: Kernel, cache: bigint): void {
  const r = objectsOf(kernel).slabCaches.find((x) => x.addr === cache);
  const refAt = place('kmem_cache', 'refcount').offset;
  if (r) { const n = r.view.getInt32(refAt, true); if (n > 1) r.view.setInt32(refAt, n - 1, true); }
}

// ------------------------------------------------------------------ dmabuf

/** mirrors dmabuf_iter_seq_ops (6.18 with dmabuf_iter_priv: a later read resumes at the buffer it stopped on); no final call */
export const dmabufTarget: IterTarget = {
  name: 'dmabuf',
  resched: true,
  openSession(session: IterSession) {
    const bufs = objectsOf(session.kernel).dmabufs;
    let index = 0;
    const ops: IterSeqOps<Region> = {
      start: () => bufs[index] ?? null,
      next: () => { index++; return bufs[index] ?? null; },
      stop: () => undefined,
      show: (p, inStop) => session.runFields([p ? resolved(p) : null], inStop),
      fini: () => undefined,
    };
    return ops as IterSeqOps<unknown>;
  },
};

export const OBJECT_TARGETS: readonly IterTarget[] = [bpfProgTarget, bpfLinkTarget, ksymTarget, kmemCacheTarget, dmabufTarget];
