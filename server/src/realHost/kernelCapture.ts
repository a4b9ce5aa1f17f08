/**
 * The live host's cgroup v2 hierarchy (from the cgroup2 mount, /sys/fs/cgroup), kernel symbols (/proc/kallsyms) and
 * slab caches (/proc/slabinfo), written in the scenario's `cgroups` and `kernel_objects` forms
 * (exec/scenarioCgroups.ts, exec/scenarioObjects.ts) so iter/cgroup, iter/ksym and iter/kmem_cache run on what the
 * host has. Read-only; the roots are parameters, so tests give folders of fixture files.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ScenarioCgroupJson } from '../exec/scenarioCgroups';
import type { KernelObjectsJson } from '../exec/scenarioObjects';
import { CGROUP_SUBSYS } from '../kernel/cgroupIter';

export const CAPTURE_MAX_CGROUPS = 5000;
export const DEFAULT_CAPTURE_MAX_SYMBOLS = 20000;
/** module_get_kallsym()'s module name buffer is MODULE_NAME_LEN (56) with its NUL */
const MODULE_NAME_MAX = 55;

function read(file: string): string | undefined {
  try { return fs.readFileSync(file, 'utf8'); } catch { return undefined; }
}

/**
 * Every cgroup below the cgroup2 mount at `root` (or at root/unified, the hybrid layout's cgroup2 mount), parents
 * before children, siblings by inode number (kernfs numbers directories as they are made, so this is creation order,
 * the order the kernel links css->sibling). A cgroup's id is its directory's inode: cgroup_id() is kn->id, which a
 * cgroup2 directory shows as st_ino; the root's is 1.
 */
export function captureCgroups(root: string, warnings: string[], max = CAPTURE_MAX_CGROUPS): ScenarioCgroupJson[] | undefined {
  // the root of a cgroup2 hierarchy has cgroup.controllers; a cgroup v1 tmpfs of controllers has not
  const mount = [root, path.join(root, 'unified')].find((d) => fs.existsSync(path.join(d, 'cgroup.controllers')));
  if (!mount) { warnings.push(`${root}: no cgroup v2 hierarchy (no cgroup.controllers); cgroups not captured`); return undefined; }
  const out: ScenarioCgroupJson[] = [{ path: '/', id: 1 }];
  let cut = false;
  const walk = (dir: string, rel: string): void => {
    let children: Array<{ name: string; ino: number }>;
    try {
      children = fs.readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory())
        .map((e) => ({ name: e.name, ino: fs.statSync(path.join(dir, e.name)).ino }));
    } catch { return; } // removed while we read
    children.sort((a, b) => a.ino - b.ino);
    for (const c of children) {
      if (out.length >= max) { cut = true; return; }
      const p = `${rel}/${c.name}`;
      // the controllers enabled on it (a task's css_set->subsys[] points at their css there), as the kernel knows them
      let controllers: string[] = [];
      try { controllers = fs.readFileSync(path.join(dir, c.name, 'cgroup.controllers'), 'utf8').split(/\s+/).filter((n) => (CGROUP_SUBSYS as readonly string[]).includes(n)); } catch { /* gone */ }
      out.push({ path: p, id: c.ino, ...(controllers.length ? { controllers } : {}) });
      walk(path.join(dir, c.name), p);
    }
  };
  walk(mount, '');
  if (cut) warnings.push(`more than ${max} cgroups: the first ${max} captured`);
  return out;
}

/** /proc/kallsyms lines (s_show(): "%px %c %s\t[%s]") as the scenario's core, module and ftrace symbol lists. */
export function parseKallsyms(text: string, warnings: string[], maxSymbols = DEFAULT_CAPTURE_MAX_SYMBOLS): KernelObjectsJson['kallsyms'] {
  const core: string[] = [];
  const ftrace: string[] = [];
  const modules: Array<{ name: string; symbols: string[] }> = [];
  let total = 0, kept = 0, bpf = 0;
  for (const line of text.split('\n')) {
    const m = /^([0-9a-fA-F]{1,16})\s+([A-Za-z?])\s+(\S+)(?:\s+\[([^\]]+)\])?\s*$/.exec(line);
    if (!m) continue;
    const [, addr, type, name, module] = m;
    // BPF program symbols are the scenario's programs' (kernel_objects.programs), not lines of their own
    if (module === 'bpf') { bpf++; continue; }
    total++;
    if (kept >= maxSymbols) continue;
    kept++;
    const entry = `${addr} ${type} ${name}`;
    if (module === undefined) core.push(entry);
    else if (module === '__builtin__ftrace') ftrace.push(entry);
    else {
      const modName = module.slice(0, MODULE_NAME_MAX);
      let mod = modules[modules.length - 1];
      if (!mod || mod.name !== modName) modules.push(mod = { name: modName, symbols: [] });
      mod.symbols.push(entry);
    }
  }
  if (total > maxSymbols) warnings.push(`${total} kernel symbols, the first ${maxSymbols} captured (--max-symbols)`);
  if (bpf) warnings.push(`${bpf} BPF program symbols left out: a scenario names BPF programs in kernel_objects.programs`);
  return { core, ...(modules.length ? { modules } : {}), ...(ftrace.length ? { ftrace } : {}) };
}

/** /proc/slabinfo 2.1 (cache_show()): name active_objs num_objs objsize objperslab pagesperslab : tunables ... */
export function parseSlabinfo(text: string): NonNullable<KernelObjectsJson['slab_caches']> {
  const out: NonNullable<KernelObjectsJson['slab_caches']> = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+\d+\s+\d+\s+(\d+)\s+\d+\s+(\d+)\s+:/.exec(line);
    if (!m || line.startsWith('#')) continue;
    const size = Number(m[2]), pages = Number(m[3]);
    if (size < 1) continue;
    // slabinfo prints s->size (the slot); the object size itself is not shown, so the slot stands for it unless
    // /sys/kernel/slab says (captureKernelObjects())
    const c: NonNullable<KernelObjectsJson['slab_caches']>[number] = { name: m[1], object_size: size, size };
    const order = Math.log2(pages);
    if (Number.isInteger(order) && order <= 10) c.order = order;
    // create_boot_cache() gives the two boot caches refcount -1 (never merged, never destroyed)
    if (m[1] === 'kmem_cache' || m[1] === 'kmem_cache_node') c.refcount = -1;
    out.push(c);
  }
  return out;
}

/**
 * Kernel symbols and slab caches under procRoot ("/proc" on a live host); with slabRoot ("/sys/kernel/slab"), each
 * cache's object_size and align from its sysfs files (slabinfo shows only the slot size).
 */
export function captureKernelObjects(procRoot: string, warnings: string[], maxSymbols = DEFAULT_CAPTURE_MAX_SYMBOLS, slabRoot?: string): KernelObjectsJson | undefined {
  const result: KernelObjectsJson = {};
  const kallsyms = read(path.join(procRoot, 'kallsyms'));
  if (kallsyms === undefined) warnings.push(`${path.join(procRoot, 'kallsyms')}: not readable; kernel symbols not captured`);
  else result.kallsyms = parseKallsyms(kallsyms, warnings, maxSymbols);
  const slabinfo = read(path.join(procRoot, 'slabinfo'));
  if (slabinfo === undefined) warnings.push(`${path.join(procRoot, 'slabinfo')}: not readable (it needs root); slab caches not captured`);
  else {
    const caches = parseSlabinfo(slabinfo);
    if (slabRoot !== undefined) {
      for (const c of caches) {
        const number = (file: string): number | undefined => {
          const t = read(path.join(slabRoot, c.name, file))?.trim();
          return t !== undefined && /^\d+$/.test(t) && Number(t) >= 1 ? Number(t) : undefined;
        };
        const objectSize = number('object_size'), align = number('align');
        if (objectSize !== undefined && objectSize <= c.object_size) c.object_size = objectSize;
        if (align !== undefined) c.align = align;
      }
    }
    if (caches.length) result.slab_caches = caches;
  }
  return Object.keys(result).length ? result : undefined;
}
