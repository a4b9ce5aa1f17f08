/**
 * The scenario's `kernel_objects` section: the BPF programs and links the machine already has, its kernel symbols
 * (as /proc/kallsyms lines), slab caches and dma-bufs, turned into the kernel's SimObjects (kernel/objectIters.ts)
 * for iter/bpf_prog, iter/bpf_link, iter/ksym, iter/kmem_cache and iter/dmabuf. Each part left out is the default
 * system's; what an entry leaves out is derived as the kernel would (slab sizes as calculate_sizes() lays them out).
 */
import { createHash } from 'crypto';
import type { SimDmabuf, SimKsym, SimLink, SimModule, SimObjects, SimProgram, SimSlabCache } from '../kernel/objectIters';

export interface KernelObjectsJson {
  programs?: Array<{ id: number; name: string; type: string | number; attach_type?: string | number; len?: number; jited_len?: number;
    tag?: string; gpl?: boolean; sleepable?: boolean; load_time_ns?: number; verified_insns?: number }>;
  links?: Array<{ id: number; type: string | number; prog_id: number; attach_type?: string | number }>;
  kallsyms?: { core?: string[]; modules?: Array<{ name: string; symbols: string[] }>; ftrace?: string[] };
  slab_caches?: Array<{ name: string; object_size: number; size?: number; align?: number; flags?: number | string; refcount?: number;
    offset?: number; order?: number; useroffset?: number; usersize?: number }>;
  dmabufs?: Array<{ size: number; exp_name: string; name?: string; ino?: number }>;
}

/** enum bpf_prog_type, by the name after BPF_PROG_TYPE_ (uapi/linux/bpf.h) */
export const PROG_TYPES: readonly string[] = ['unspec', 'socket_filter', 'kprobe', 'sched_cls', 'sched_act', 'tracepoint', 'xdp',
  'perf_event', 'cgroup_skb', 'cgroup_sock', 'lwt_in', 'lwt_out', 'lwt_xmit', 'sock_ops', 'sk_skb', 'cgroup_device', 'sk_msg',
  'raw_tracepoint', 'cgroup_sock_addr', 'lwt_seg6local', 'lirc_mode2', 'sk_reuseport', 'flow_dissector', 'cgroup_sysctl',
  'raw_tracepoint_writable', 'cgroup_sockopt', 'tracing', 'struct_ops', 'ext', 'lsm', 'sk_lookup', 'syscall', 'netfilter'];
/** enum bpf_link_type, by the name after BPF_LINK_TYPE_ */
export const LINK_TYPES: readonly string[] = ['unspec', 'raw_tracepoint', 'tracing', 'cgroup', 'iter', 'netns', 'xdp', 'perf_event',
  'kprobe_multi', 'struct_ops', 'netfilter', 'tcx', 'uprobe_multi', 'netkit', 'sockmap'];
/** enum bpf_attach_type, by the name after BPF_ (the first 29; later ones by number) */
export const ATTACH_TYPES: readonly string[] = ['cgroup_inet_ingress', 'cgroup_inet_egress', 'cgroup_inet_sock_create', 'cgroup_sock_ops',
  'sk_skb_stream_parser', 'sk_skb_stream_verdict', 'cgroup_device', 'sk_msg_verdict', 'cgroup_inet4_bind', 'cgroup_inet6_bind',
  'cgroup_inet4_connect', 'cgroup_inet6_connect', 'cgroup_inet4_post_bind', 'cgroup_inet6_post_bind', 'cgroup_udp4_sendmsg',
  'cgroup_udp6_sendmsg', 'lirc_mode2', 'flow_dissector', 'cgroup_sysctl', 'cgroup_udp4_recvmsg', 'cgroup_udp6_recvmsg',
  'cgroup_getsockopt', 'cgroup_setsockopt', 'trace_raw_tp', 'trace_fentry', 'trace_fexit', 'modify_return', 'lsm_mac', 'trace_iter'];

const KALLSYMS_LINE = /^([0-9a-fA-F]{1,16})\s+([A-Za-z?])\s+(\S+)$/;

/* eslint-disable */
export const kernelObjectsSchema = {
  "type": "object",
  "additionalProperties": false,
  "description": "The kernel's own objects that iter/bpf_prog, iter/bpf_link, iter/ksym, iter/kmem_cache and iter/dmabuf walk, each laid out as Linux 6.18's struct bpf_prog/bpf_prog_aux, bpf_link, kallsym_iter, kmem_cache and dma_buf. A part left out is the default system's; the program being run and its iterator link are added by the kernel (their ids follow the highest given here).",
  "examples": [{
    "programs": [ { "id": 7, "name": "sd_fw_ingress", "type": "cgroup_skb", "attach_type": "cgroup_inet_ingress", "len": 62, "jited_len": 352 } ],
    "links": [ { "id": 2, "type": "cgroup", "prog_id": 7, "attach_type": "cgroup_inet_ingress" } ],
    "kallsyms": { "core": [ "ffffffff81000000 T _stext", "ffffffff81001000 T do_one_initcall" ],
      "modules": [ { "name": "nf_tables", "symbols": [ "ffffffffc0a01000 t nft_do_chain", "ffffffffc0a02000 T nft_register_expr" ] } ] },
    "slab_caches": [ { "name": "task_struct", "object_size": 10496, "align": 64 }, { "name": "kmem_cache", "object_size": 232, "align": 64, "refcount": -1 } ],
    "dmabufs": [ { "size": 1048576, "exp_name": "system", "name": "camera-preview" } ]
  }],
  "properties": {
    "programs": {
      "type": "array",
      "description": "BPF programs already loaded, besides the one being run (struct bpf_prog with its aux: id, name, type, len, jited_len, tag...).",
      "items": {
        "type": "object", "additionalProperties": false, "required": ["id", "name", "type"],
        "properties": {
          "id": { "type": "integer", "minimum": 1, "maximum": 2147483646 },
          "name": { "type": "string", "description": "The object name (aux->name keeps 15 characters; the BPF symbol the whole name)." },
          "type": { "anyOf": [ { "enum": PROG_TYPES }, { "type": "integer", "minimum": 0 } ], "description": "bpf_prog_type without BPF_PROG_TYPE_, e.g. \"cgroup_skb\", or its number." },
          "attach_type": { "anyOf": [ { "enum": ATTACH_TYPES }, { "type": "integer", "minimum": 0 } ], "description": "expected_attach_type without BPF_ (default 0)." },
          "len": { "type": "integer", "minimum": 0, "description": "Instructions (prog->len); default 0." },
          "jited_len": { "type": "integer", "minimum": 0, "description": "JITed bytes; default 0." },
          "tag": { "type": "string", "pattern": "^[0-9a-f]{16}$", "description": "prog->tag as bpftool prints it; default derived from the name." },
          "gpl": { "type": "boolean", "default": true },
          "sleepable": { "type": "boolean", "default": false },
          "load_time_ns": { "type": "integer", "minimum": 0, "description": "aux->load_time (boot-time ns)." },
          "verified_insns": { "type": "integer", "minimum": 0 }
        }
      }
    },
    "links": {
      "type": "array",
      "description": "BPF links already created (struct bpf_link: id, type, prog, attach_type); the iterator's own link is added by the kernel.",
      "items": {
        "type": "object", "additionalProperties": false, "required": ["id", "type", "prog_id"],
        "properties": {
          "id": { "type": "integer", "minimum": 1, "maximum": 2147483646 },
          "type": { "anyOf": [ { "enum": LINK_TYPES }, { "type": "integer", "minimum": 0 } ], "description": "bpf_link_type without BPF_LINK_TYPE_." },
          "prog_id": { "type": "integer", "minimum": 1, "description": "The id of one of `programs`." },
          "attach_type": { "anyOf": [ { "enum": ATTACH_TYPES }, { "type": "integer", "minimum": 0 } ] }
        }
      }
    },
    "kallsyms": {
      "type": "object", "additionalProperties": false,
      "description": "Kernel symbols as /proc/kallsyms lines (\"ffffffff81000000 T _stext\"): core symbols by address, then loaded modules (the newest first; an uppercase letter is an exported symbol), then ftrace trampolines. BPF symbols (bpf_prog_<tag>_<name>) come from the programs.",
      "properties": {
        "core": { "type": "array", "items": { "type": "string", "pattern": "^[0-9a-fA-F]{1,16}\\s+[A-Za-z?]\\s+\\S+$" } },
        "modules": { "type": "array", "items": { "type": "object", "additionalProperties": false, "required": ["name", "symbols"],
          "properties": { "name": { "type": "string", "maxLength": 55 }, "symbols": { "type": "array", "items": { "type": "string", "pattern": "^[0-9a-fA-F]{1,16}\\s+[A-Za-z?]\\s+\\S+$" } } } } },
        "ftrace": { "type": "array", "items": { "type": "string", "pattern": "^[0-9a-fA-F]{1,16}\\s+[A-Za-z?]\\s+\\S+$" } }
      }
    },
    "slab_caches": {
      "type": "array",
      "description": "Slab caches in slab_caches list order, as /proc/slabinfo lists them (the newest first; the boot caches kmem_cache_node and kmem_cache last, with refcount -1).",
      "items": {
        "type": "object", "additionalProperties": false, "required": ["name", "object_size"],
        "properties": {
          "name": { "type": "string" },
          "object_size": { "type": "integer", "minimum": 1 },
          "size": { "type": "integer", "minimum": 1, "description": "Default: object_size rounded to 8, plus the free pointer when it is outside the object, rounded to align." },
          "align": { "type": "integer", "minimum": 1, "default": 8 },
          "flags": { "anyOf": [ { "type": "integer", "minimum": 0 }, { "type": "string", "pattern": "^0x[0-9a-fA-F]+$" } ], "description": "slab_flags_t as this kernel numbers them, e.g. \"0x20000\"." },
          "refcount": { "type": "integer", "minimum": -1, "default": 1, "description": "Aliases merged into the cache add one each; boot caches have -1." },
          "offset": { "type": "integer", "minimum": 0, "description": "Free pointer offset; default the middle of the object (ALIGN_DOWN(object_size / 2, 8))." },
          "order": { "type": "integer", "minimum": 0, "maximum": 10, "description": "Page order of a slab (oo); default from the size." },
          "useroffset": { "type": "integer", "minimum": 0 },
          "usersize": { "type": "integer", "minimum": 0 }
        }
      }
    },
    "dmabufs": {
      "type": "array",
      "description": "dma-bufs in creation order; iter/dmabuf walks them newest first.",
      "items": {
        "type": "object", "additionalProperties": false, "required": ["size", "exp_name"],
        "properties": {
          "size": { "type": "integer", "minimum": 1 },
          "exp_name": { "type": "string", "description": "The exporter (\"system\" for the system heap, \"udmabuf\")." },
          "name": { "type": "string", "description": "Set with DMA_BUF_SET_NAME; absent: dmabuf->name is NULL." },
          "ino": { "type": "integer", "minimum": 1, "description": "The file's inode number; default derived." }
        }
      }
    }
  }
};
/* eslint-enable */

function enumValue(v: string | number | undefined, names: readonly string[]): number {
  if (v === undefined) return 0;
  return typeof v === 'number' ? v : Math.max(0, names.indexOf(v));
}

function parseLine(line: string): SimKsym | null {
  const m = KALLSYMS_LINE.exec(line.trim());
  return m ? { value: BigInt('0x' + m[1]), type: m[2], name: m[3] } : null;
}

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** mirrors calculate_sizes() (mm/slub.c) for a cache without debugging: inuse, free pointer, size, slab order */
function slabCache(c: NonNullable<KernelObjectsJson['slab_caches']>[number]): SimSlabCache {
  const align = c.align ?? 8;
  const inuse = alignUp(c.object_size, 8);
  const offset = c.offset ?? Math.floor(c.object_size / 2 / 8) * 8;
  // a free pointer placed after the object (RCU or constructor caches) takes one more word
  const outside = offset >= inuse;
  const size = c.size ?? alignUp(inuse + (outside ? 8 : 0), align);
  const order = c.order ?? (size <= 512 ? 0 : size <= 1024 ? 1 : size <= 2048 ? 2 : 3);
  const flags = typeof c.flags === 'string' ? parseInt(c.flags, 16) : c.flags ?? 0;
  return { name: c.name, objectSize: c.object_size, size, align, flags, refcount: c.refcount ?? 1, offset, inuse,
    objectsPerSlab: Math.max(1, Math.floor((4096 << order) / size)), order, useroffset: c.useroffset ?? 0, usersize: c.usersize ?? 0 };
}

/** Problems a schema cannot see: a link's program that is not listed, ids given twice, kallsyms lines. */
export function kernelObjectsProblems(json: KernelObjectsJson): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const progIds = new Set<number>();
  (json.programs ?? []).forEach((p, i) => {
    if (progIds.has(p.id)) problems.push({ path: `/kernel_objects/programs/${i}/id`, message: `program id ${p.id} is given twice` });
    progIds.add(p.id);
  });
  const linkIds = new Set<number>();
  (json.links ?? []).forEach((l, i) => {
    if (linkIds.has(l.id)) problems.push({ path: `/kernel_objects/links/${i}/id`, message: `link id ${l.id} is given twice` });
    linkIds.add(l.id);
    if (!progIds.has(l.prog_id)) problems.push({ path: `/kernel_objects/links/${i}/prog_id`, message: `no program with id ${l.prog_id} in kernel_objects.programs` });
  });
  return problems;
}

/** The kernel's SimObjects of a section, each part left out taken from `fallback` (the default system's section). */
export function objectsFromJson(json: KernelObjectsJson | undefined, fallback: KernelObjectsJson | undefined): SimObjects {
  const pick = <K extends keyof KernelObjectsJson>(k: K): KernelObjectsJson[K] => (json && json[k] !== undefined ? json[k] : fallback?.[k]);
  const programs: SimProgram[] = (pick('programs') ?? []).map((p) => ({
    id: p.id, name: p.name, type: enumValue(p.type, PROG_TYPES), expectedAttachType: enumValue(p.attach_type, ATTACH_TYPES),
    len: p.len ?? 0, jitedLen: p.jited_len ?? 0,
    tag: p.tag ?? createHash('sha1').update(p.name).digest('hex').slice(0, 16), gpl: p.gpl ?? true, sleepable: p.sleepable ?? false,
    // loaded during boot unless the scenario says when
    loadTimeNs: BigInt(p.load_time_ns ?? 2_000_000_000 + p.id * 1_000_000), verifiedInsns: p.verified_insns ?? p.len ?? 0,
  }));
  const links: SimLink[] = (pick('links') ?? []).map((l) => ({ id: l.id, type: enumValue(l.type, LINK_TYPES), progId: l.prog_id, attachType: enumValue(l.attach_type, ATTACH_TYPES) }));
  const ks = pick('kallsyms') ?? {};
  const lines = (xs: string[] | undefined): SimKsym[] => (xs ?? []).map(parseLine).filter((x): x is SimKsym => x !== null);
  // module_get_kallsym() walks each module's ELF symbol table from index 0: the null symbol (no name, 'U') first
  const modules: SimModule[] = (ks.modules ?? []).map((m) => ({ name: m.name, symbols: [
    { value: 0n, type: 'U', name: '', exported: false },
    ...lines(m.symbols).map((s) => ({ ...s, exported: s.type >= 'A' && s.type <= 'Z' })),
  ] }));
  const slabCaches = (pick('slab_caches') ?? []).map(slabCache);
  const dmabufs: SimDmabuf[] = (pick('dmabufs') ?? []).map((d, i) => ({ size: BigInt(d.size), expName: d.exp_name, name: d.name ?? null, ino: d.ino ?? 2000 + i }));
  return { programs, links, kallsyms: lines(ks.core), modules, ftrace: lines(ks.ftrace), slabCaches, dmabufs };
}
