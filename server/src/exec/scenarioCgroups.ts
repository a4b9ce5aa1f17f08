/**
 * The scenario's `cgroups` section (the cgroup v2 hierarchy iter/cgroup walks) and the cgroup part of `attach`
 * (link_info.cgroup: a directory to open as cgroup_fd, or a cgroup_id, and the walk order). Turned into the
 * kernel's SimCgroup list (kernel/cgroupIter.ts).
 */
import { CGROUP_ITER_ORDER, normalizeCgroupPath, type CgroupIterOrderName, type SimCgroup } from '../kernel/cgroupIter';

export interface ScenarioCgroupJson { path: string; id?: number; dying?: boolean; controllers?: string[]; description?: string }
export interface CgroupAttachJson { cgroup?: string; cgroup_id?: number; order?: CgroupIterOrderName }

/* eslint-disable */
export const cgroupsSchema = {
  "type": "array",
  "description": "The cgroup v2 hierarchy iter/cgroup walks: each cgroup by its path (\"/\" is the root, which always exists; a missing parent is made on the way). Children keep the order they are listed in, which is the walk order of their siblings. Without this section the default system's cgroups are used.",
  "items": { "$ref": "#/definitions/cgroup" },
  "examples": [[
    { "path": "/", "id": 1 },
    { "path": "/system.slice", "id": 63 },
    { "path": "/system.slice/sshd.service", "id": 1290 },
    { "path": "/user.slice/user-1000.slice/session-2.scope" }
  ]]
};

export const cgroupDefinitions = {
  "cgroup": {
    "type": "object",
    "additionalProperties": false,
    "required": ["path"],
    "properties": {
      "path": { "type": "string", "pattern": "^/", "description": "The cgroup's path below the cgroup2 mount, \"/system.slice/sshd.service\"; kn->name is its last component (\"\" for the root)." },
      "id": { "type": "integer", "minimum": 1, "description": "cgroup_id(): kn->id, the inode number of the cgroup's directory. The root's is 1; without it, a cgroup gets the largest id so far + 19 (the directory and its 18 control files each take one)." },
      "controllers": { "type": "array", "items": { "enum": ["cpuset", "cpu", "cpuacct", "io", "memory", "devices", "freezer", "net_cls", "perf_event", "net_prio", "hugetlb", "pids"] }, "description": "The controllers enabled on this cgroup, as its cgroup.controllers lists them (its parent's subtree_control). A task's css_set->subsys[] points at each controller's css on the nearest cgroup, from the task's up, that has it; the root has every one. Default none: every slot is the root's css." },
      "dying": { "type": "boolean", "description": "Removed but still referenced (CSS_ONLINE cleared): the walk passes it without running the program, as cgroup_is_dead() does." },
      "description": { "type": "string" }
    }
  }
};

export const cgroupAttachProperties = {
  "cgroup": { "type": "string", "pattern": "^/", "description": "iter/cgroup: the cgroup directory opened as link_info.cgroup.cgroup_fd (a path of the cgroups section). Not together with cgroup_id (EINVAL); neither: the root." },
  "cgroup_id": { "type": "integer", "minimum": 1, "description": "iter/cgroup: link_info.cgroup.cgroup_id (an unknown id is ENOENT)." },
  "order": { "enum": ["self_only", "descendants_pre", "descendants_post", "ancestors_up"], "description": "iter/cgroup: link_info.cgroup.order. Required by the kernel: without it attach fails with EINVAL (so `bpftool iter pin`, which cannot pass an order, fails too)." }
};
/* eslint-enable */

/** The kernel's cgroup list of a schema-valid section. */
export function cgroupsFromJson(list: readonly ScenarioCgroupJson[]): SimCgroup[] {
  return list.map((c) => ({ path: normalizeCgroupPath(c.path), ...(c.id !== undefined ? { id: c.id } : {}), ...(c.dying ? { dying: true } : {}), ...(c.controllers ? { controllers: c.controllers } : {}) }));
}

/** What a schema cannot check: a path listed twice, an id used twice, an attach cgroup that is not listed. */
export function cgroupProblems(list: readonly ScenarioCgroupJson[] | undefined, attach: CgroupAttachJson | undefined): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  const paths = new Map<string, number>();
  const ids = new Map<number, number>();
  (list ?? []).forEach((c, i) => {
    const p = normalizeCgroupPath(c.path);
    if (paths.has(p)) out.push({ path: `/cgroups/${i}/path`, message: `cgroup ${p} is already /cgroups/${paths.get(p)}` });
    paths.set(p, i);
    if (c.id !== undefined) {
      if (ids.has(c.id)) out.push({ path: `/cgroups/${i}/id`, message: `cgroup id ${c.id} is already used by /cgroups/${ids.get(c.id)}` });
      if (p === '/' && c.id !== 1) out.push({ path: `/cgroups/${i}/id`, message: 'the root cgroup\'s id is 1' });
      ids.set(c.id, i);
    }
  });
  if (attach?.cgroup !== undefined && list && normalizeCgroupPath(attach.cgroup) !== '/' && !paths.has(normalizeCgroupPath(attach.cgroup))) {
    // a path below a listed one exists too (made on the way)
    const wanted = normalizeCgroupPath(attach.cgroup);
    if (![...paths.keys()].some((p) => p.startsWith(wanted + '/'))) out.push({ path: '/attach/cgroup', message: `no cgroup ${wanted} in the cgroups section` });
  }
  return out;
}

/** union bpf_iter_link_info.cgroup bytes: { __u32 order; __u32 cgroup_fd; __u64 cgroup_id; } */
export function encodeCgroupLinkInfo(order: CgroupIterOrderName | undefined, cgroupFd: number, cgroupId: number): Uint8Array {
  const info = new Uint8Array(16);
  const v = new DataView(info.buffer);
  v.setUint32(0, order ? CGROUP_ITER_ORDER[order] : 0, true);
  v.setUint32(4, cgroupFd, true);
  v.setBigUint64(8, BigInt(cgroupId), true);
  return info;
}
