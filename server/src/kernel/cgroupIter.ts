/**
 * The cgroup iterator target (kernel/bpf/cgroup_iter.c) over a simulated cgroup v2 hierarchy laid out as kernel
 * memory from the 6.18 BTF: each `struct cgroup` with its trailing `ancestors[level + 1]` array (cgroup_create()
 * allocates struct_size(cgrp, ancestors, level + 1)), its `self` css (parent, sibling/children lists, flags, serial
 * number) and its kernfs directory node (`kn->name`, `kn->id`, `kn->__parent`).
 *
 * Measured on 6.18 (a libbpf loader passing link_info.cgroup): order 0 or > 4 and cgroup_fd with cgroup_id are
 * EINVAL, an unknown cgroup_id ENOENT, an fd that is not a cgroup directory EBADF; the root's kn->name is "";
 * a read that stops before the walk's end makes the next read fail with EOPNOTSUPP.
 */
import { kernelBtf } from './btf';
import { ERRNO } from './errno';
import type { Kernel } from './kernel';
import type { IterSession, IterSeqOps, IterTarget } from './iter';
import type { Region } from './memory';

/** One cgroup of the scenario: its path in the hierarchy ("/" is the root), optionally its id and whether it is dying. */
export interface SimCgroup { path: string; id?: number; dying?: boolean; controllers?: readonly string[] }

/**
 * enum cgroup_subsys_id of the Linux 6.18 build the BTF table comes from (css_set.subsys[] has these 12 slots), by
 * the names cgroup.controllers uses
 */
export const CGROUP_SUBSYS = ['cpuset', 'cpu', 'cpuacct', 'io', 'memory', 'devices', 'freezer', 'net_cls', 'perf_event', 'net_prio', 'hugetlb', 'pids'] as const;

/** enum bpf_cgroup_iter_order (uapi/linux/bpf.h) */
export const CGROUP_ITER_ORDER = { self_only: 1, descendants_pre: 2, descendants_post: 3, ancestors_up: 4 } as const;
export type CgroupIterOrderName = keyof typeof CGROUP_ITER_ORDER;
const ORDER_NAMES: Record<number, CgroupIterOrderName> = { 1: 'self_only', 2: 'descendants_pre', 3: 'descendants_post', 4: 'ancestors_up' };

/** css->flags bits (include/linux/cgroup-defs.h) */
const CSS_NO_REF = 1 << 0, CSS_ONLINE = 1 << 1, CSS_VISIBLE = 1 << 3, CSS_DYING = 1 << 4;
/** KERNFS_DIR in kernfs_node->flags */
const KERNFS_DIR = 0x1;
/**
 * Without an "id", a cgroup gets the largest id so far plus this: kernfs numbers every node of the cgroup
 * filesystem, and a cgroup v2 directory with no controller enabled brings 18 control files (measured on 6.18:
 * ids of cgroups made one after another differ by 19).
 */
export const CGROUP_ID_STEP = 19;

export interface CgroupObject {
  path: string;
  name: string;
  id: bigint;
  level: number;
  dying: boolean;
  parent: CgroupObject | null;
  children: CgroupObject[];
  /** struct cgroup followed by ancestors[level + 1] */
  region: Region;
  kn: Region;
  /** the controllers enabled on it (its cgroup.controllers); the root has them all */
  controllers: ReadonlySet<string>;
}

function field(struct: string, path: string): { offset: number; size: number } {
  let offset = 0, size = 0, current = struct;
  for (const name of path.split('.')) {
    const f = kernelBtf[current]?.fields.find((x) => x.name === name);
    if (!f) throw new Error(`kernel BTF has no field ${current}.${name}`);
    offset += f.offset;
    size = f.size;
    current = f.typeName.replace(/^(const |volatile )*(struct |union )?/, '');
  }
  return { offset, size };
}

function put(r: Region, struct: string, path: string, value: number | bigint): void {
  const { offset, size } = field(struct, path);
  if (size === 8) r.view.setBigUint64(offset, BigInt.asUintN(64, BigInt(value)), true);
  else if (size === 2) r.view.setUint16(offset, Number(value) & 0xffff, true);
  else r.view.setUint32(offset, Number(BigInt.asUintN(32, BigInt(value))), true);
}

/** Normalises "/a/b/" and "a/b" to "/a/b"; the root is "/". */
export function normalizeCgroupPath(path: string): string {
  const parts = path.split('/').filter((p) => p !== '');
  return '/' + parts.join('/');
}

/**
 * The machine's cgroup hierarchy as kernel memory. Parents are created before children (a missing parent is made
 * on the way, as `mkdir -p` would); children stay in creation order (css_next_child() walks parent->children,
 * where cgroup_create() appends).
 */
export class SimulatedCgroups {
  readonly root: CgroupObject;
  private readonly byPath = new Map<string, CgroupObject>();
  private readonly byId = new Map<bigint, CgroupObject>();
  private nextId = 1n;
  private serial = 1;

  constructor(private readonly kernel: Kernel, specs: readonly SimCgroup[]) {
    const rootSpec = specs.find((s) => normalizeCgroupPath(s.path) === '/');
    this.root = this.create('/', null, rootSpec);
    for (const s of specs) this.ensure(normalizeCgroupPath(s.path), s);
    this.layout();
  }

  private ensure(path: string, spec?: SimCgroup): CgroupObject {
    const known = this.byPath.get(path);
    if (known) return known;
    const slash = path.lastIndexOf('/');
    const parent = this.ensure(slash <= 0 ? '/' : path.slice(0, slash));
    return this.create(path, parent, spec);
  }

  private create(path: string, parent: CgroupObject | null, spec?: SimCgroup): CgroupObject {
    const mem = this.kernel.memory;
    const level = parent ? parent.level + 1 : 0;
    const id = spec?.id !== undefined ? BigInt(spec.id) : parent ? this.nextId : 1n;
    if (id >= this.nextId) this.nextId = id + BigInt(CGROUP_ID_STEP);
    const name = parent ? path.slice(path.lastIndexOf('/') + 1) : '';
    const region = mem.alloc(kernelBtf.cgroup.size + 8 * (level + 1), `struct cgroup ${path}`, true);
    const kn = mem.alloc(kernelBtf.kernfs_node.size, `struct kernfs_node ${path}`, true);
    const o: CgroupObject = { path, name, id, level, dying: spec?.dying === true, parent, children: [], region, kn, controllers: new Set(parent ? spec?.controllers ?? [] : CGROUP_SUBSYS) };
    parent?.children.push(o);
    this.byPath.set(path, o);
    this.byId.set(id, o);
    return o;
  }

  /** Writes every field once all cgroups exist (list heads and ancestors point at other cgroups). */
  private layout(): void {
    const mem = this.kernel.memory;
    const sibling = field('cgroup_subsys_state', 'sibling').offset;
    const children = field('cgroup_subsys_state', 'children').offset;
    const ancestors = field('cgroup', 'ancestors').offset;
    const all: CgroupObject[] = [];
    const visit = (o: CgroupObject): void => { all.push(o); o.children.forEach(visit); };
    visit(this.root);
    let cssId = 1;
    for (const o of all) {
      const r = o.region;
      const nameBytes = new TextEncoder().encode(o.name);
      const name = mem.alloc(nameBytes.length + 1, `kernfs name "${o.name}"`, true);
      name.bytes.set(nameBytes);
      put(o.kn, 'kernfs_node', 'count', 1);
      put(o.kn, 'kernfs_node', '__parent', o.parent ? o.parent.kn.addr : 0n);
      put(o.kn, 'kernfs_node', 'name', name.addr);
      put(o.kn, 'kernfs_node', 'flags', KERNFS_DIR);
      put(o.kn, 'kernfs_node', 'mode', 0o40755);
      put(o.kn, 'kernfs_node', 'id', o.id);
      put(o.kn, 'kernfs_node', 'priv', r.addr);
      // the css embedded at offset 0 (cgrp->self): css->cgroup is the cgroup itself
      put(r, 'cgroup', 'self.cgroup', r.addr);
      put(r, 'cgroup', 'self.parent', o.parent ? o.parent.region.addr : 0n);
      put(r, 'cgroup', 'self.id', cssId++);
      put(r, 'cgroup', 'self.serial_nr', this.serial++);
      put(r, 'cgroup', 'self.online_cnt', o.dying ? 0 : 1);
      put(r, 'cgroup', 'self.flags', o.dying ? CSS_DYING : (o.parent ? 0 : CSS_NO_REF) | CSS_ONLINE | CSS_VISIBLE);
      // percpu_ref in percpu mode: the per-CPU counter's address (the root's css has no reference counting)
      // (percpu_count_ptr is the first member of struct percpu_ref)
      r.view.setBigUint64(field('cgroup', 'self.refcnt').offset, o.parent ? 0x607f00000000n + o.id * 8n : 0n, true);
      // list_head children: empty lists point at themselves
      const head = r.addr + BigInt(children);
      const first = o.children[0], last = o.children[o.children.length - 1];
      r.view.setBigUint64(children, first ? first.region.addr + BigInt(sibling) : head, true);
      r.view.setBigUint64(children + 8, last ? last.region.addr + BigInt(sibling) : head, true);
      const siblings = o.parent ? o.parent.children : [o];
      const i = siblings.indexOf(o);
      const parentHead = o.parent ? o.parent.region.addr + BigInt(children) : r.addr + BigInt(sibling);
      r.view.setBigUint64(sibling, i + 1 < siblings.length ? siblings[i + 1].region.addr + BigInt(sibling) : parentHead, true);
      r.view.setBigUint64(sibling + 8, i > 0 ? siblings[i - 1].region.addr + BigInt(sibling) : parentHead, true);
      put(r, 'cgroup', 'level', o.level);
      put(r, 'cgroup', 'max_depth', 0x7fffffff);
      put(r, 'cgroup', 'max_descendants', 0x7fffffff);
      put(r, 'cgroup', 'nr_descendants', countDescendants(o));
      put(r, 'cgroup', 'kn', o.kn.addr);
      put(r, 'cgroup', 'dom_cgrp', r.addr);
      // ancestors[0] is the root, ancestors[level] the cgroup itself
      for (let a: CgroupObject | null = o; a; a = a.parent) r.view.setBigUint64(ancestors + 8 * a.level, a.region.addr, true);
    }
  }

  byPathName(path: string): CgroupObject | undefined { return this.byPath.get(normalizeCgroupPath(path)); }

  private readonly subsysCss = new Map<string, Region>();
  /**
   * mirrors find_css_set()'s subsys[] (task_css_set()->subsys[ssid]): the css of controller `ssid` on the nearest
   * cgroup, from the task's up, where that controller is enabled (cgroup_e_css_by_mask()); the root has every one.
   * Each is a css of its own (css->cgroup the cgroup, css->parent the controller's css of the nearest ancestor that
   * has it), made once. Without controllers in the scenario, every slot is the root's css.
   */
  controllerCss(path: string, ssid: number): bigint {
    const name = CGROUP_SUBSYS[ssid];
    let o: CgroupObject | null = this.byPathName(path) ?? this.root;
    while (o.parent && !o.controllers.has(name)) o = o.parent;
    return this.cssOf(o, ssid).addr;
  }

  private cssOf(o: CgroupObject, ssid: number): Region {
    const key = `${o.path}\0${ssid}`;
    const known = this.subsysCss.get(key);
    if (known) return known;
    const css = this.kernel.memory.alloc(kernelBtf.cgroup_subsys_state.size, `struct cgroup_subsys_state ${CGROUP_SUBSYS[ssid]} of ${o.path}`, true);
    this.subsysCss.set(key, css);
    let up = o.parent;
    while (up && up.parent && !up.controllers.has(CGROUP_SUBSYS[ssid])) up = up.parent;
    put(css, 'cgroup_subsys_state', 'cgroup', o.region.addr);
    put(css, 'cgroup_subsys_state', 'parent', up ? this.cssOf(up, ssid).addr : 0n);
    put(css, 'cgroup_subsys_state', 'id', o.parent ? Number(o.id) : 1);
    put(css, 'cgroup_subsys_state', 'online_cnt', o.dying ? 0 : 1);
    put(css, 'cgroup_subsys_state', 'flags', o.dying ? CSS_DYING : (o.parent ? 0 : CSS_NO_REF) | CSS_ONLINE | CSS_VISIBLE);
    return css;
  }
  byCgroupId(id: bigint): CgroupObject | undefined { return this.byId.get(id); }
  /** the cgroup whose css (cgrp->self, at offset 0) is at `addr` */
  byCssAddr(addr: bigint): CgroupObject | undefined {
    for (const o of this.byId.values()) if (o.region.addr === addr) return o;
    return this.root.region.addr === addr ? this.root : undefined;
  }
}

function countDescendants(o: CgroupObject): number {
  return o.children.reduce((n, c) => n + 1 + countDescendants(c), 0);
}

// ------------------------------------------------------------------ the walks (kernel/cgroup/cgroup.c)

function nextSibling(o: CgroupObject): CgroupObject | null {
  if (!o.parent) return null;
  const s = o.parent.children;
  return s[s.indexOf(o) + 1] ?? null;
}

/** mirrors css_next_descendant_pre(): root first, then depth first, children in list order */
export function nextDescendantPre(pos: CgroupObject | null, root: CgroupObject): CgroupObject | null {
  if (!pos) return root;
  if (pos.children.length) return pos.children[0];
  for (let p: CgroupObject | null = pos; p && p !== root; p = p.parent) {
    const n = nextSibling(p);
    if (n) return n;
  }
  return null;
}

function leftmostDescendant(o: CgroupObject): CgroupObject {
  let p = o;
  while (p.children.length) p = p.children[0];
  return p;
}

/** mirrors css_next_descendant_post(): children before their parent, root last */
export function nextDescendantPost(pos: CgroupObject | null, root: CgroupObject): CgroupObject | null {
  if (!pos) return leftmostDescendant(root);
  if (pos === root) return null;
  const n = nextSibling(pos);
  if (n) return leftmostDescendant(n);
  return pos.parent;
}

// ------------------------------------------------------------------ attach: union bpf_iter_link_info.cgroup

export interface CgroupIterParams { start: CgroupObject; order: number }

export function cgroupsOf(kernel: Kernel): SimulatedCgroups {
  if (!kernel.cgroups) kernel.setCgroups([]);
  return kernel.cgroups!;
}

/**
 * mirrors bpf_iter_attach_cgroup(): { __u32 order; __u32 cgroup_fd; __u64 cgroup_id; }. The order must be one of
 * the four (0, "unspecified", is EINVAL), at most one of cgroup_fd and cgroup_id; neither means the root.
 */
export function attachCgroupParams(kernel: Kernel, info: DataView): CgroupIterParams {
  const order = info.getUint32(0, true), fd = info.getUint32(4, true), id = info.getBigUint64(8, true);
  if (!ORDER_NAMES[order]) {
    kernel.raise('EINVAL', order === 0
      ? 'link_info.cgroup.order is not set: a cgroup iterator needs an order (self_only, descendants_pre, descendants_post or ancestors_up)'
      : `link_info.cgroup.order ${order} is not a bpf_cgroup_iter_order`);
  }
  if (fd && id) kernel.raise('EINVAL', 'link_info.cgroup: give cgroup_fd or cgroup_id, not both');
  const cgroups = cgroupsOf(kernel);
  let start: CgroupObject | undefined;
  if (fd) {
    // cgroup_v1v2_get_from_fd(): an fd that is not an open cgroup directory is EBADF
    const path = kernel.cgroupPathOfFd(fd);
    start = path === undefined ? undefined : cgroups.byPathName(path);
    if (!start) kernel.raise('EBADF', `link_info.cgroup.cgroup_fd ${fd} is not a cgroup directory`);
  } else if (id) {
    start = cgroups.byCgroupId(id);
    if (!start) kernel.raise('ENOENT', `no cgroup has id ${id}`);
  } else start = cgroups.root; // cgroup_get_from_path("/")
  return { start, order };
}

function describeCgroupParams(p: unknown): { fdinfo: string; bpftool: string; linkInfo: Record<string, number>; bpftoolJson: Record<string, unknown> } {
  const params = p as CgroupIterParams;
  const order = ORDER_NAMES[params.order];
  return {
    // bpf_iter_cgroup_show_fdinfo(): the path in the reader's cgroup namespace, then the order (no tab after "order:")
    fdinfo: `cgroup_path:\t${params.start.path}\norder: ${order}\n`,
    // bpftool link.c show_iter_plain(): cgroup_id and cgroup_order_string()
    bpftool: `cgroup_id ${params.start.id}  order ${order}  `,
    // bpf_iter_cgroup_fill_link_info()
    linkInfo: { cgroup_id: Number(params.start.id), order: params.order },
    bpftoolJson: { cgroup_id: Number(params.start.id), order },
  };
}

/** A start() that stands for ERR_PTR(-EOPNOTSUPP): shown, it fails the read. */
const NOT_RESUMABLE = Symbol('cgroup walk cannot resume');

/** mirrors cgroup_iter_seq_ops: start/next per order, a program returning non-zero ends the walk, then show(NULL) */
export const cgroupTarget: IterTarget = {
  name: 'cgroup',
  resched: true,
  attachParams: attachCgroupParams,
  describeParams: describeCgroupParams,
  openSession(session: IterSession) {
    const params = session.params as CgroupIterParams;
    const root = params.start;
    let pos = 0; // seq_file's index: cgroup_iter_seq_start() refuses to resume past 0
    let visitedAll = false;
    let terminate = false;
    type P = CgroupObject | typeof NOT_RESUMABLE;
    const ops: IterSeqOps<P> = {
      start: () => {
        if (pos > 0) return visitedAll ? null : NOT_RESUMABLE;
        pos++;
        terminate = false;
        if (params.order === CGROUP_ITER_ORDER.descendants_pre) return nextDescendantPre(null, root);
        if (params.order === CGROUP_ITER_ORDER.descendants_post) return nextDescendantPost(null, root);
        return root;
      },
      next: (p) => {
        pos++;
        if (terminate || p === NOT_RESUMABLE) return null;
        if (params.order === CGROUP_ITER_ORDER.descendants_pre) return nextDescendantPre(p, root);
        if (params.order === CGROUP_ITER_ORDER.descendants_post) return nextDescendantPost(p, root);
        if (params.order === CGROUP_ITER_ORDER.ancestors_up) return p.parent;
        return null;
      },
      stop: (p) => {
        if (p === null) { ops.show(null, true); visitedAll = true; }
      },
      show: (p, inStop) => {
        if (p === NOT_RESUMABLE) return -ERRNO.EOPNOTSUPP;
        // __cgroup_iter_seq_show(): a dead cgroup is skipped without running the program
        if (p && p.dying) return 0;
        const ret = session.runFields([p ? { region: p.region, offset: 0 } : null], inStop);
        if (ret !== 0) terminate = true; // the program asked to stop after this cgroup
        return 0;
      },
      fini: () => undefined,
    };
    return ops as IterSeqOps<unknown>;
  },
};
