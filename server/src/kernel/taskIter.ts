/**
 * The task family of iterator targets (kernel/bpf/task_iter.c): task, task_file, task_vma, over a simulated
 * machine of processes and threads laid out as kernel memory from the 6.18 BTF (btfTable.ts). Fields a scenario
 * does not name are zero or derived as the kernel would: a thread shares its leader's mm and file table, a kernel
 * thread has no mm and PF_KTHREAD, real_parent/parent point at the parent's task_struct, cred at one cred per task.
 */
import { kernelBtf } from './btf';
import { PAGE_SIZE } from './mapTypes';
import type { Kernel } from './kernel';
import type { IterProgramSpec, IterSession, IterSeqOps, IterTarget } from './iter';
import type { Region, Resolved } from './memory';
import { DEFAULT_RLIMITS, PF_KTHREAD, type SimMachine, type SimTask, type SimVma } from './simMachine';

/** vm_flags bits vm_stat_account() classifies areas by (include/linux/mm.h; VM_STACK is VM_GROWSDOWN on x86) */
const VM_WRITE = 0x2n, VM_EXEC = 0x4n, VM_SHARED = 0x8n, VM_STACK = 0x100n;

/** PF_SUPERPRIV in task->flags: the task used a capability (ns_capable_common() sets it) */
const PF_SUPERPRIV = 0x00000100;

/** PF_RANDOMIZE in task->flags: the address space is randomized */
const PF_RANDOMIZE = 0x00400000;
const SIGCHLD = 17;
/** PF_IDLE... not modelled; PF_FORKNOEXEC set on kernel threads as the kernel does */
const PF_FORKNOEXEC = 0x00000040;
/** the inode number of the initial pid namespace (include/linux/proc_ns.h) */
const PROC_PID_INIT_INO = 0xeffffffc;
/**
 * The initial namespaces' inode numbers (include/linux/proc_ns.h; 6.18 fixes mnt and net too: measured
 * /proc/self/ns of the host): what `task->nsproxy->mnt_ns->ns.inum` reads, as `ls -l /proc/PID/ns` shows it.
 */
const INIT_NS_INUMS = { mnt_ns: 0xeffffff8, uts_ns: 0xeffffffe, ipc_ns: 0xefffffff, cgroup_ns: 0xeffffffb } as const;
const NS_STRUCTS = { mnt_ns: 'mnt_namespace', uts_ns: 'uts_namespace', ipc_ns: 'ipc_namespace', cgroup_ns: 'cgroup_namespace' } as const;
/** enum pid_type */
const PIDTYPE_TGID = 1;

interface TaskObject { sim: SimTask; task: Region; leader: TaskObject | null; files: FileObject[]; filesStruct: Region | null; mm: Region | null; vmas: Array<{ sim: SimVma; region: Region }> }
interface FileObject { fd: number; region: Region }

function offsetOf(struct: string, path: string): { offset: number; size: number } {
  let offset = 0;
  let current = struct;
  let size = 0;
  for (const name of path.split('.')) {
    const s = kernelBtf[current];
    const f = s?.fields.find((x) => x.name === name);
    if (!f) throw new Error(`kernel BTF has no field ${current}.${name}`);
    offset += f.offset;
    size = f.size;
    current = f.typeName.replace(/^(const |volatile )*(struct |union )?/, '');
  }
  return { offset, size };
}

function put(region: Region, struct: string, path: string, value: number | bigint): void {
  const { offset, size } = offsetOf(struct, path);
  const v = region.view;
  switch (size) {
    case 1: v.setUint8(offset, Number(value) & 0xff); break;
    case 2: v.setUint16(offset, Number(value) & 0xffff, true); break;
    case 4: v.setUint32(offset, Number(BigInt.asUintN(32, BigInt(value))), true); break;
    default: v.setBigUint64(offset, BigInt.asUintN(64, BigInt(value)), true);
  }
}
const ptr = (r: Region | null): bigint => (r ? r.addr : 0n);

/**
 * The machine's processes as kernel memory. Built once per kernel (addresses stay put for the kernel's life):
 * task_struct, cred, mm_struct, files_struct + fdtable + the fd array, file, path/dentry/qstr/inode, vm_area_struct.
 */
export class SimulatedTasks {
  /** by pid, ascending: the order find_ge_pid() walks */
  readonly byPid: TaskObject[] = [];
  /** init_task (swapper/0): where the tasks list starts and ends */
  readonly initTask: Region;
  /** init_task.tasks: the processes (thread-group leaders but pid 0) in fork order (start_time, then pid) */
  private readonly tasksList: TaskObject[];
  /** each process's signal->thread_head: its leader, then its threads in fork order */
  private readonly threadLists = new Map<TaskObject, TaskObject[]>();
  private readonly byAddr = new Map<bigint, TaskObject>();
  private readonly dentries = new Map<string, Region>();
  private readonly strings = new Map<string, Region>();
  private readonly mounts: ReadonlySet<string>;
  private nextIno = 100000;
  /** linkCgroups(): each cgroup's tasks (its css_set's tasks list) in the order they joined */
  private readonly cgroupTasks = new Map<bigint, Array<{ addr: bigint; leader: boolean }>>();

  constructor(private readonly kernel: Kernel, machine: SimMachine) {
    const mem = kernel.memory;
    this.mounts = new Set(machine.mounts ?? []);
    const sims = [...machine.tasks].sort((a, b) => a.pid - b.pid);
    const byPid = new Map<number, TaskObject>();
    for (const sim of sims) {
      const task = mem.alloc(kernelBtf.task_struct.size, `struct task_struct (pid ${sim.pid}, ${sim.comm})`, true);
      const o: TaskObject = { sim, task, leader: null, files: [], filesStruct: null, mm: null, vmas: [] };
      byPid.set(sim.pid, o);
      this.byPid.push(o);
    }
    // init_task (swapper/0, pid 0): the parent of init and kthreadd; not in the pid table, so no walk shows it
    const swapper = byPid.get(0)?.task ?? mem.alloc(kernelBtf.task_struct.size, 'struct task_struct init_task (swapper/0)', true);
    this.initTask = swapper;
    if (!byPid.has(0)) {
      swapper.bytes.set(new TextEncoder().encode('swapper/0'), offsetOf('task_struct', 'comm').offset);
      put(swapper, 'task_struct', 'flags', PF_KTHREAD);
      for (const f of ['real_parent', 'parent', 'group_leader']) put(swapper, 'task_struct', f, swapper.addr);
    }
    for (const o of this.byPid) {
      const { sim, task } = o;
      o.leader = byPid.get(sim.tgid) ?? o;
      const parent = byPid.get(sim.ppid) ?? null;
      put(task, 'task_struct', 'pid', sim.pid);
      put(task, 'task_struct', 'tgid', sim.tgid);
      put(task, 'task_struct', '__state', sim.state);
      // mirrors load_elf_binary(): a process that exec'd an ELF binary with randomize_va_space on (the default 2) has
      // PF_RANDOMIZE (measured on 6.18: sh and cat 0x400000); ns_capable() adds PF_SUPERPRIV, which copy_process()
      // clears and an exec keeps (measured: the sh of `unshare --fork --pid --mount-proc` 0x400100, the cat it forks 0x400000)
      put(task, 'task_struct', 'flags', (sim.kthread ? PF_KTHREAD | PF_FORKNOEXEC : PF_RANDOMIZE) | (sim.usedPrivilege ? PF_SUPERPRIV : 0));
      // mirrors copy_process(): a thread (CLONE_THREAD) has exit_signal -1, a fork() child and every kernel thread
      // kthreadd starts (kernel_thread(..., SIGCHLD)) SIGCHLD; init and kthreadd, which the kernel starts itself
      // without a signal (user_mode_thread(kernel_init, NULL, CLONE_FS)), 0 (measured on 6.18: -1, 17, kthreadd 0)
      // (measured too: the first process of `unshare --fork --pid`, pid 1 in its namespace, has 17: the scenario says so)
      put(task, 'task_struct', 'exit_signal', sim.exitSignal ?? (sim.pid === 0 ? 0 : sim.tgid !== sim.pid ? -1 : sim.ppid === 0 ? 0 : SIGCHLD));
      put(task, 'task_struct', 'prio', sim.prio);
      put(task, 'task_struct', 'static_prio', sim.prio);
      put(task, 'task_struct', 'start_time', sim.startTimeNs);
      // mirrors copy_process(): the boot-based clock is the monotonic one plus the time suspended, none here
      put(task, 'task_struct', 'start_boottime', sim.startTimeNs);
      // mirrors audit_log_set_loginuid(): set when a login writes /proc/self/loginuid, inherited by fork; init_task's
      // INVALID_UID and AUDIT_SID_UNSET (both -1) otherwise
      put(task, 'task_struct', 'loginuid', sim.loginuid ?? 0xffffffff);
      put(task, 'task_struct', 'sessionid', sim.sessionid ?? 0xffffffff);
      put(task, 'task_struct', 'nr_cpus_allowed', kernel.cpus);
      const comm = new TextEncoder().encode(sim.comm).subarray(0, 15);
      task.bytes.set(comm, offsetOf('task_struct', 'comm').offset);
      put(task, 'task_struct', 'real_parent', ptr(parent?.task ?? swapper));
      put(task, 'task_struct', 'parent', ptr(parent?.task ?? swapper));
      put(task, 'task_struct', 'group_leader', ptr(o.leader.task));
      const cred = mem.alloc(kernelBtf.cred.size, `struct cred (pid ${sim.pid})`, true);
      for (const [f, v] of [['uid', sim.uid], ['suid', sim.uid], ['fsuid', sim.euid], ['euid', sim.euid], ['gid', sim.gid], ['sgid', sim.gid], ['egid', sim.egid], ['fsgid', sim.egid]] as const) {
        put(cred, 'cred', f, v);
      }
      put(task, 'task_struct', 'cred', cred.addr);
      put(task, 'task_struct', 'real_cred', cred.addr);
    }
    // fork order: copy_process() appends a process to init_task.tasks and a thread to its group's thread_head
    const forkOrder = (a: TaskObject, b: TaskObject): number => (a.sim.startTimeNs < b.sim.startTimeNs ? -1 : a.sim.startTimeNs > b.sim.startTimeNs ? 1 : a.sim.pid - b.sim.pid);
    this.tasksList = this.byPid.filter((o) => o.leader === o && o.sim.pid !== 0).sort(forkOrder);
    for (const o of this.byPid) {
      this.byAddr.set(o.task.addr, o);
      const list = this.threadLists.get(o.leader!) ?? [];
      list.push(o);
      this.threadLists.set(o.leader!, list);
    }
    for (const [leader, list] of this.threadLists) list.sort((a, b) => (a === leader ? -1 : b === leader ? 1 : forkOrder(a, b)));
    this.buildIdentities(swapper);
    // leaders first (ascending pid), so threads can share what their leader built
    for (const o of this.byPid) if (o.leader === o) this.buildProcess(o);
    for (const o of this.byPid) {
      if (o.leader !== o) { o.mm = o.leader!.mm; o.filesStruct = o.leader!.filesStruct; o.files = o.leader!.files; o.vmas = o.leader!.vmas; }
      put(o.task, 'task_struct', 'mm', ptr(o.mm));
      put(o.task, 'task_struct', 'active_mm', ptr(o.mm));
      put(o.task, 'task_struct', 'files', ptr(o.filesStruct));
    }
  }

  /**
   * The pid side of each task, all in the initial pid namespace (the scenario's pids are the host's): init_pid_ns
   * (level 0, PROC_PID_INIT_INO, its child_reaper pid 1) reached through init_nsproxy.pid_ns_for_children, a struct pid
   * per task (alloc_pid(): level 0, numbers[0] = { pid, &init_pid_ns }), one signal_struct per thread group
   * (copy_signal(): nr_threads and live count its threads, pids[PIDTYPE_TGID] is the leader's pid) and normal_prio
   * (normal_prio(): the prio of a task nothing boosts).
   */
  private buildIdentities(swapper: Region): void {
    const mem = this.kernel.memory;
    const pidNs = mem.alloc(kernelBtf.pid_namespace.size, 'struct pid_namespace init_pid_ns', true);
    put(pidNs, 'pid_namespace', 'ns.inum', PROC_PID_INIT_INO);
    const nsproxy = mem.alloc(kernelBtf.nsproxy.size, 'struct nsproxy init_nsproxy', true);
    put(nsproxy, 'nsproxy', 'count', 1);
    put(nsproxy, 'nsproxy', 'pid_ns_for_children', pidNs.addr);
    // init_nsproxy's other namespaces (the initial ones, where the scenario's processes live) and the reader's network
    // namespace, the struct net the socket iterators walk, so a task's net_ns is its sockets' skc_net
    for (const [field, inum] of Object.entries(INIT_NS_INUMS) as Array<[keyof typeof NS_STRUCTS, number]>) {
      const struct = NS_STRUCTS[field];
      const ns = mem.alloc(kernelBtf[struct].size, `struct ${struct} (initial)`, true);
      put(ns, struct, 'ns.inum', inum);
      put(nsproxy, 'nsproxy', field, ns.addr);
    }
    put(nsproxy, 'nsproxy', 'net_ns', this.kernel.net.net.addr);
    const numbers = offsetOf('pid', 'numbers').offset;
    const structPid = (nr: number, label: string): Region => {
      const r = mem.alloc(kernelBtf.pid.size + kernelBtf.upid.size, `struct pid ${label}`, true);
      put(r, 'pid', 'count', 1);
      r.view.setUint32(numbers + offsetOf('upid', 'nr').offset, nr, true);
      r.view.setBigUint64(numbers + offsetOf('upid', 'ns').offset, pidNs.addr, true);
      return r;
    };
    const tasks: Array<[Region, number, TaskObject | null]> = [[swapper, 0, null], ...this.byPid.map((o): [Region, number, TaskObject] => [o.task, o.sim.pid, o])];
    for (const [task, pid, o] of tasks) {
      if (o?.sim.pid === 0) continue; // a scenario's own pid 0 is swapper, done first
      put(task, 'task_struct', 'thread_pid', structPid(pid, `${pid}`).addr);
      put(task, 'task_struct', 'nsproxy', nsproxy.addr);
      if (o) put(task, 'task_struct', 'normal_prio', o.sim.prio);
    }
    const init = this.byPid.find((o) => o.sim.pid === 1);
    put(pidNs, 'pid_namespace', 'child_reaper', init ? init.task.addr : 0n);
    for (const [leader, list] of this.threadLists) {
      const signal = mem.alloc(kernelBtf.signal_struct.size, `struct signal_struct (pid ${leader.sim.pid})`, true);
      put(signal, 'signal_struct', 'nr_threads', list.length);
      put(signal, 'signal_struct', 'live', list.length);
      signal.view.setBigUint64(offsetOf('signal_struct', 'pids').offset + 8 * PIDTYPE_TGID,
        BigInt(leader.task.view.getBigUint64(offsetOf('task_struct', 'thread_pid').offset, true)), true);
      // signal->rlim[]: the process's resource limits (the scenario's, else INIT_RLIMITS), { rlim_cur, rlim_max } each
      const rlim = offsetOf('signal_struct', 'rlim').offset;
      (leader.sim.rlimits ?? DEFAULT_RLIMITS).forEach(([cur, max], i) => {
        signal.view.setBigUint64(rlim + 16 * i, cur, true);
        signal.view.setBigUint64(rlim + 16 * i + 8, max, true);
      });
      for (const t of list) put(t.task, 'task_struct', 'signal', signal.addr);
    }
  }

  private buildProcess(o: TaskObject): void {
    const mem = this.kernel.memory;
    const { sim } = o;
    // every task has a file table (kernel threads share init's, with nothing open)
    const fs = mem.alloc(kernelBtf.files_struct.size, `struct files_struct (pid ${sim.pid})`, true);
    const files = [...sim.files].sort((a, b) => a.fd - b.fd);
    const maxFds = Math.max(64, ...files.map((f) => f.fd + 1));
    const fdArray = mem.alloc(maxFds * 8, `struct file *[${maxFds}] (pid ${sim.pid})`, true);
    const fdtab = offsetOf('files_struct', 'fdtab').offset;
    put(fs, 'files_struct', 'fdt', fs.addr + BigInt(fdtab));
    put(fs, 'files_struct', 'count', 1);
    put(fs, 'files_struct', 'fdtab.max_fds', maxFds);
    put(fs, 'files_struct', 'fdtab.fd', fdArray.addr);
    for (const f of files) {
      // mirrors sock_alloc_file(): a socket's dentry is named after its proto (TCP, UDPv6, UNIX-STREAM...)
      const socketIno = /^socket:\[(\d+)\]$/.exec(f.path);
      const dname = f.dname ?? (socketIno ? this.kernel.net.protocolNameByInode(Number(socketIno[1])) : undefined);
      const file = this.buildFile(f.path, f.ino, f.inodeMode, f.size, `pid ${sim.pid} fd ${f.fd}`, dname);
      put(file, 'file', 'f_flags', f.flags);
      put(file, 'file', 'f_mode', f.mode);
      put(file, 'file', 'f_pos', BigInt(f.pos));
      fdArray.view.setBigUint64(f.fd * 8, file.addr, true);
      o.files.push({ fd: f.fd, region: file });
    }
    o.filesStruct = fs;
    if (sim.kthread) return;
    const mm = mem.alloc(kernelBtf.mm_struct.size, `struct mm_struct (pid ${sim.pid})`, true);
    o.mm = mm;
    // argv and the environment as user memory: mm->arg_start..arg_end and env_start..env_end, each string NUL
    // terminated, the environment right after argv, as create_elf_tables() lays them out on the stack. The executable's
    // path follows them there: a read that runs past env_end (bpf_copy_from_user_task() of a fixed-size buffer)
    // succeeds. The scenario does not describe it, so a page after them reads as zeros instead of faulting.
    const enc = new TextEncoder();
    const argv = enc.encode(sim.cmdline.length ? sim.cmdline + '\0' : '');
    const env = enc.encode((sim.environ ?? []).map((e) => e + '\0').join(''));
    const args = mem.alloc(argv.length + env.length + PAGE_SIZE, `argv and environment of pid ${sim.pid} (and the stack above them)`, true);
    args.bytes.set(argv);
    args.bytes.set(env, argv.length);
    put(mm, 'mm_struct', 'arg_start', args.addr);
    put(mm, 'mm_struct', 'arg_end', args.addr + BigInt(argv.length));
    put(mm, 'mm_struct', 'env_start', args.addr + BigInt(argv.length));
    put(mm, 'mm_struct', 'env_end', args.addr + BigInt(argv.length + env.length));
    put(mm, 'mm_struct', 'owner', o.task.addr);
    put(mm, 'mm_struct', 'map_count', sim.vmas.length);
    let total = 0n;
    const vmas = [...sim.vmas].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    // one struct file per mapped file of the process: the ELF loader (elf_map()) and ld.so map every segment of a
    // binary from one open file, so its areas share vm_file (get_file() in mmap_region()); measured on 6.18: dash,
    // libc and ld.so each have five areas and one struct file
    const mapped = new Map<string, Region>();
    for (const v of vmas) {
      total += (v.end - v.start) / 4096n;
      const r = mem.alloc(kernelBtf.vm_area_struct.size, `struct vm_area_struct ${v.start.toString(16)}-${v.end.toString(16)} (pid ${sim.pid})`, true);
      put(r, 'vm_area_struct', 'vm_start', v.start);
      put(r, 'vm_area_struct', 'vm_end', v.end);
      put(r, 'vm_area_struct', 'vm_mm', mm.addr);
      put(r, 'vm_area_struct', 'vm_flags', v.flags);
      put(r, 'vm_area_struct', 'vm_pgoff', v.pgoff);
      if (v.path) {
        const key = `${v.path}\0${v.ino}`;
        let file = mapped.get(key);
        if (!file) {
          file = this.buildFile(v.path, v.ino, 0o100755, 0, `mapping of pid ${sim.pid}`);
          put(file, 'file', 'f_mode', 0x1d); // FMODE_READ | FMODE_LSEEK | FMODE_PREAD | FMODE_EXEC
          mapped.set(key, file);
        }
        put(r, 'vm_area_struct', 'vm_file', file.addr);
      }
      o.vmas.push({ sim: v, region: r });
    }
    put(mm, 'mm_struct', 'total_vm', total);
    // mirrors vm_stat_account(): pages of executable areas (not writable, not stack), of writable private ones and
    // of the stack (VM_STACK is VM_GROWSDOWN on x86); special mappings count too (__install_special_mapping())
    let exec = 0n, data = 0n, stackPages = 0n;
    for (const v of vmas) {
      const pages = (v.end - v.start) / 4096n;
      if ((v.flags & (VM_EXEC | VM_WRITE | VM_STACK)) === VM_EXEC) exec += pages;
      else if ((v.flags & VM_STACK) === VM_STACK) stackPages += pages;
      else if ((v.flags & (VM_WRITE | VM_SHARED | VM_STACK)) === VM_WRITE) data += pages;
    }
    put(mm, 'mm_struct', 'exec_vm', exec);
    put(mm, 'mm_struct', 'data_vm', data);
    put(mm, 'mm_struct', 'stack_vm', stackPages);
    const code = vmas.find((v) => v.path && (v.flags & 4n) !== 0n);
    if (code) { put(mm, 'mm_struct', 'start_code', code.start); put(mm, 'mm_struct', 'end_code', code.end); }
    // the stack is the VM_GROWSDOWN area (setup_arg_pages()), else the highest; start_stack a page below its top
    const stack = vmas.find((v) => (v.flags & 0x100n) !== 0n) ?? vmas[vmas.length - 1];
    if (stack) put(mm, 'mm_struct', 'start_stack', stack.end - 4096n);
    // the heap: mm->start_brk is where [heap] starts (arch_randomize_brk() in load_elf_binary()), mm->brk the break
    // inside its last page; /proc/PID/maps shows only the page-rounded end, which stands for it here
    const heap = sim.vmas.find((v) => v.heap);
    if (heap) { put(mm, 'mm_struct', 'start_brk', heap.start); put(mm, 'mm_struct', 'brk', heap.end); }
    // mm_users: one per task using the mm (copy_mm() with CLONE_VM takes one per thread; measured 1 for a process
    // of one thread on 6.18)
    put(mm, 'mm_struct', 'mm_users', this.byPid.filter((t) => t.leader === o).length);
    const exe = o.vmas.find((v) => v.sim.path);
    if (exe) put(mm, 'mm_struct', 'exe_file', exe.region.view.getBigUint64(offsetOf('vm_area_struct', 'vm_file').offset, true));
  }

  private string(s: string): Region {
    let r = this.strings.get(s);
    if (!r) {
      const bytes = new TextEncoder().encode(s);
      r = this.kernel.memory.alloc(bytes.length + 1, `name "${s}"`, true);
      r.bytes.set(bytes);
      this.strings.set(s, r);
    }
    return r;
  }

  /** The dentry of a path, its parents first (d_parent of "/" is itself); names that are not paths hang off "/". */
  private dentry(path: string, inode: Region | null, dname?: string): Region {
    const known = this.dentries.get(path);
    if (known) return known;
    const mem = this.kernel.memory;
    const d = mem.alloc(kernelBtf.dentry.size, `struct dentry ${path}`, true);
    this.dentries.set(path, d);
    // a pseudo file (socket:[N], pipe:[N], anon_inode:[x]) hangs off its pseudo filesystem's root, here itself; so does
    // the root of a mounted file system, named "/" (d_make_root()): what a path names at a mount point (/dev) is that
    // root, and a file directly under it (/dev/null) has it as d_parent, not the directory of the file system below
    // (measured on 6.18: f_path.dentry->d_parent->d_name.name of /dev/null and of a /sys/fs/bpf pin is "/")
    const pseudo = !path.startsWith('/');
    const mountRoot = this.mounts.has(path);
    const slash = path.lastIndexOf('/');
    const name = dname ?? (path === '/' || mountRoot ? '/' : pseudo ? pseudoName(path) : path.slice(slash + 1));
    const parentPath = path === '/' || pseudo || mountRoot ? null : slash > 0 ? path.slice(0, slash) : '/';
    const parent = parentPath === null ? d : this.dentry(parentPath, null);
    const nameBytes = new TextEncoder().encode(name);
    put(d, 'dentry', 'd_parent', parent.addr);
    put(d, 'dentry', 'd_name.len', nameBytes.length);
    put(d, 'dentry', 'd_name.hash', fullNameHash(nameBytes));
    put(d, 'dentry', 'd_name.name', this.string(name).addr);
    if (!inode) {
      inode = mem.alloc(kernelBtf.inode.size, `struct inode ${path}`, true);
      put(inode, 'inode', 'i_mode', 0o40755);
      put(inode, 'inode', 'i_ino', this.nextIno++);
      put(inode, 'inode', 'i_nlink', 2);
    }
    put(d, 'dentry', 'd_inode', inode.addr);
    return d;
  }

  private buildFile(path: string, ino: number, inodeMode: number, size: number, label: string, dname?: string): Region {
    const mem = this.kernel.memory;
    const known = this.dentries.get(path);
    let inode: Region;
    if (known) {
      inode = this.kernel.memory.find(known.view.getBigUint64(offsetOf('dentry', 'd_inode').offset, true))!.region;
    } else {
      inode = mem.alloc(kernelBtf.inode.size, `struct inode ${path}`, true);
      put(inode, 'inode', 'i_mode', inodeMode);
      put(inode, 'inode', 'i_ino', ino || this.nextIno++);
      put(inode, 'inode', 'i_nlink', 1);
      put(inode, 'inode', 'i_size', BigInt(size));
    }
    const dentry = this.dentry(path, inode, dname);
    const file = mem.alloc(kernelBtf.file.size, `struct file ${path} (${label})`, true);
    put(file, 'file', 'f_path.dentry', dentry.addr);
    put(file, 'file', 'f_inode', inode.addr);
    put(file, 'file', 'f_ref', 1);
    this.paths.set(file.addr + BigInt(offsetOf('file', 'f_path').offset), path);
    return file;
  }

  /**
   * Puts each task in its cgroup of the default hierarchy: one css_set per cgroup the tasks are in (find_css_set():
   * dfl_cgrp the cgroup, dom_cset itself, nr_tasks its tasks, refcount one per task), task->cgroups pointing at it, and
   * the css_set's tasks in the order they joined, here fork order (cgroup_post_fork() appends a new task to its
   * css_set's tasks list; a migrated process's leader comes before its threads). subsys[] holds each controller's
   * css the cgroup uses (`controllerCss`: its own where the controller is enabled, else an ancestor's, the root's
   * at last; measured on 6.18: no slot is NULL).
   */
  linkCgroups(cgroupAddr: (path: string) => bigint | undefined, controllerCss: (path: string, ssid: number) => bigint): void {
    const mem = this.kernel.memory;
    const sets = new Map<bigint, { region: Region; tasks: TaskObject[] }>();
    const forkOrder = (a: TaskObject, b: TaskObject): number => (a.sim.startTimeNs < b.sim.startTimeNs ? -1 : a.sim.startTimeNs > b.sim.startTimeNs ? 1 : a.sim.pid - b.sim.pid);
    for (const o of [...this.byPid].sort(forkOrder)) {
      if (o.sim.pid === 0) continue;
      const cg = cgroupAddr(o.leader!.sim.cgroup ?? '/') ?? cgroupAddr('/');
      if (cg === undefined) continue;
      let set = sets.get(cg);
      if (!set) {
        const region = mem.alloc(kernelBtf.css_set.size, `struct css_set (${o.leader!.sim.cgroup ?? '/'})`, true);
        put(region, 'css_set', 'dfl_cgrp', cg);
        put(region, 'css_set', 'dom_cset', region.addr);
        const subsys = offsetOf('css_set', 'subsys');
        for (let ssid = 0; ssid < subsys.size / 8; ssid++) region.view.setBigUint64(subsys.offset + 8 * ssid, controllerCss(o.leader!.sim.cgroup ?? '/', ssid), true);
        set = { region, tasks: [] };
        sets.set(cg, set);
      }
      set.tasks.push(o);
      put(o.task, 'task_struct', 'cgroups', set.region.addr);
    }
    this.cgroupTasks.clear();
    for (const [cg, set] of sets) {
      put(set.region, 'css_set', 'nr_tasks', set.tasks.length);
      put(set.region, 'css_set', 'refcount', set.tasks.length);
      this.cgroupTasks.set(cg, set.tasks.map((t) => ({ addr: t.task.addr, leader: t.leader === t })));
    }
  }

  /**
   * mirrors css_task_iter_advance() over the css_sets of a cgroup's own css (&cgrp->self): the tasks of that cgroup,
   * not of its children, in the order they joined; `procs` (CSS_TASK_ITER_PROCS) the thread-group leaders only
   */
  cgroupTaskList(cgroup: bigint, procs: boolean): bigint[] {
    return (this.cgroupTasks.get(cgroup) ?? []).filter((t) => !procs || t.leader).map((t) => t.addr);
  }

  taskByPid(pid: number): TaskObject | undefined { return this.byPid.find((o) => o.sim.pid === pid); }

  /** mirrors next_task(): the process after the task at `addr` in init_task.tasks; after the last, init_task */
  nextTask(addr: bigint): bigint {
    const o = this.byAddr.get(addr);
    const leader = o?.leader ?? o;
    const at = addr === this.initTask.addr || !leader ? -1 : this.tasksList.indexOf(leader);
    return this.tasksList[at + 1]?.task.addr ?? this.initTask.addr;
  }

  /** mirrors find_task_by_pid_ns(pid, &init_pid_ns): the task with that (global) pid, or 0; pid 0 (the idle task) has none */
  taskAddrByPid(pid: number): bigint {
    return pid === 0 ? 0n : this.taskByPid(pid)?.task.addr ?? 0n;
  }

  /** mirrors __next_thread(): the thread after the task at `addr` in its group's thread list, or 0 after the last */
  nextThread(addr: bigint): bigint {
    const o = this.byAddr.get(addr);
    const list = o ? this.threadLists.get(o.leader!) : undefined;
    if (!o || !list) return 0n;
    return list[list.indexOf(o) + 1]?.task.addr ?? 0n;
  }

  /**
   * mirrors find_vma() + the range check of bpf_find_vma(): the vm_area_struct of the task at `taskAddr` that contains
   * `addr`. `mm` false: the task has no mm (a kernel thread), or is not one of the machine's.
   */
  vmaAt(taskAddr: bigint, addr: bigint): { mm: boolean; vma?: bigint } {
    const o = this.byPid.find((t) => t.task.addr === taskAddr);
    if (!o || !o.mm) return { mm: false };
    const v = o.vmas.find((x) => x.sim.start <= addr && addr < x.sim.end);
    return { mm: true, vma: v?.region.addr };
  }

  /**
   * mirrors access_process_vm() (gup flags 0, as bpf_copy_from_user_task() calls it): `size` bytes of the task's user
   * memory at `addr`, or null when a byte is outside its areas, in one without VM_READ or in a VM_IO | VM_PFNMAP one
   * such as [vvar] (check_vma_flags() refuses them; measured on 6.18: -EFAULT there). An area's bytes are the
   * scenario's `data`, then zeros.
   */
  readUser(taskAddr: bigint, addr: bigint, size: number): Uint8Array | null {
    const o = this.byAddr.get(taskAddr);
    if (!o || !o.mm) return null;
    const out = new Uint8Array(size);
    for (let i = 0; i < size; i++) {
      const at = addr + BigInt(i);
      const v = o.vmas.find((x) => x.sim.start <= at && at < x.sim.end);
      if (!v || (v.sim.flags & 1n) === 0n || (v.sim.flags & 0x4400n) !== 0n) return null;
      const off = Number(at - v.sim.start);
      out[i] = v.sim.data && off < v.sim.data.length ? v.sim.data[off] : 0;
    }
    return out;
  }

  /**
   * mirrors vma_iter_init(&vmi, mm, addr) + vma_next(): the task's first VMA that ends after `addr`; `mm` false for a
   * task without an mm (a kernel thread) or not one of the machine's
   */
  vmaAfter(taskAddr: bigint, addr: bigint): { mm: boolean; vma?: { addr: bigint; end: bigint } } {
    const o = this.byAddr.get(taskAddr);
    if (!o || !o.mm) return { mm: false };
    const v = o.vmas.find((x) => x.sim.end > addr);
    return { mm: true, vma: v && { addr: v.region.addr, end: v.sim.end } };
  }

  /** d_path() of a `struct path` inside one of the machine's files (bpf_d_path), or undefined */
  pathAt(addr: bigint): string | undefined { return this.paths.get(addr); }
  private readonly paths = new Map<bigint, string>();
}

/** alloc_file_pseudo()'s names: anon_inode_getfile("[eventpoll]") keeps its name; pipes and sockets without a protocol get "" */
function pseudoName(path: string): string {
  const anon = /^anon_inode:(.*)$/.exec(path);
  return anon ? anon[1] : '';
}

/** full_name_hash() is salted per boot; a stable stand-in so d_name.hash is not zero. */
function fullNameHash(bytes: Uint8Array): number {
  let h = 0;
  for (const b of bytes) h = (Math.imul(h, 31) + b) >>> 0;
  return h;
}

// ------------------------------------------------------------------ attach: union bpf_iter_link_info.task

/** enum bpf_iter_task_type */
export type TaskIterType = 'all' | 'tid' | 'tgid';
export interface TaskIterParams { type: TaskIterType; pid: number }

/** mirrors bpf_iter_attach_task(): at most one of tid, pid, pid_fd; a pid_fd must be an open pidfd */
export function attachTaskParams(kernel: Kernel, info: DataView): TaskIterParams {
  const tid = info.getUint32(0, true), pid = info.getUint32(4, true), pidFd = info.getUint32(8, true);
  if ((tid ? 1 : 0) + (pid ? 1 : 0) + (pidFd ? 1 : 0) > 1) kernel.raise('EINVAL', 'link_info.task: give at most one of tid, pid and pid_fd');
  if (tid) return { type: 'tid', pid: tid };
  if (pid) return { type: 'tgid', pid };
  if (pidFd) {
    // pidfd_get_pid(): the simulated kernel's fds are BPF objects only, so no fd is a pidfd
    kernel.raise(kernel.hasFd(pidFd) ? 'EINVAL' : 'EBADF', `link_info.task.pid_fd ${pidFd} is not a pidfd`);
  }
  return { type: 'all', pid: 0 };
}

/** mirrors bpf_iter_task_show_fdinfo() */
export function taskParamsFdinfo(p: TaskIterParams): string {
  if (p.type === 'all') return 'task_type:\tall\n';
  return p.type === 'tid' ? `task_type:\ttid\ntid:\t${p.pid}\n` : `task_type:\ttgid\npid:\t${p.pid}\n`;
}

/** bpftool link.c show_iter_plain() for task targets: "tid N" or "pid N" */
export function taskParamsBpftool(p: TaskIterParams): string {
  return p.type === 'tid' ? `tid ${p.pid} ` : p.type === 'tgid' ? `pid ${p.pid} ` : '';
}

/** mirrors bpf_iter_fill_link_info(): info.iter.task.tid / pid */
export function taskParamsLinkInfo(p: TaskIterParams): { tid?: number; pid?: number } {
  return p.type === 'tid' ? { tid: p.pid } : p.type === 'tgid' ? { pid: p.pid } : {};
}

function describeTaskParams(p: unknown): { fdinfo: string; bpftool: string; linkInfo: Record<string, number> } {
  const params = p as TaskIterParams;
  return { fdinfo: taskParamsFdinfo(params), bpftool: taskParamsBpftool(params), linkInfo: taskParamsLinkInfo(params) as Record<string, number> };
}

// ------------------------------------------------------------------ the walk (task_seq_get_next)

function machineOf(kernel: Kernel): SimulatedTasks {
  const m = kernel.tasks;
  if (!m) kernel.raise('ENOENT', 'the simulated machine has no processes');
  return m;
}

/**
 * mirrors task_seq_get_next(): the next task at or after *tid; with skipDupFiles (task_file, task_vma) a thread
 * whose file table is its leader's is skipped. For one process (tgid) the walk is its threads; for one thread, it.
 */
function nextTask(tasks: SimulatedTasks, params: TaskIterParams, fromPid: number, skipDupFiles: boolean): TaskObject | null {
  for (const o of tasks.byPid) {
    if (o.sim.pid < fromPid) continue;
    if (params.type === 'tid' && o.sim.pid !== params.pid) continue;
    if (params.type === 'tgid' && o.sim.tgid !== params.pid) continue;
    if (skipDupFiles && o.leader !== o && o.filesStruct === o.leader!.filesStruct) continue;
    return o;
  }
  return null;
}

const resolved = (r: Region): Resolved => ({ region: r, offset: 0 });

/** mirrors task_seq_ops: every task by pid, then the final show(NULL) */
export const taskTarget: IterTarget = {
  name: 'task',
  resched: true,
  attachParams: attachTaskParams,
  describeParams: describeTaskParams,
  openSession(session: IterSession) {
    const tasks = machineOf(session.kernel);
    const params = (session.params as TaskIterParams | null) ?? { type: 'all', pid: 0 };
    let tid = 0;
    const ops: IterSeqOps<TaskObject> = {
      start: () => { const t = nextTask(tasks, params, tid, false); if (t) tid = t.sim.pid; return t; },
      next: () => { tid++; const t = nextTask(tasks, params, tid, false); if (t) tid = t.sim.pid; return t; },
      stop: (p) => { if (p === null) session.runFields([null], true); },
      show: (p, inStop) => session.runFields([p ? resolved(p.task) : null], inStop),
      fini: () => undefined,
    };
    return ops as IterSeqOps<unknown>;
  },
};

/**
 * The walk task_file and task_vma share: per process (threads sharing their leader's tables skipped) the first item
 * at or after a cursor, else the next process with the cursor back at 0. `itemAt` finds the item at or after the
 * cursor in one task; `cursorOf` says where the shown item stands, so that next() resumes one past it.
 */
function perProcessWalk<P>(tasks: SimulatedTasks, params: TaskIterParams, itemAt: (task: TaskObject, cursor: number) => P | null, cursorOf: (item: P) => number): { start: () => P | null; next: () => P | null } {
  let tid = 0;
  let cursor = 0;
  const find = (): P | null => {
    for (;;) {
      const t = nextTask(tasks, params, tid, true);
      if (!t) return null;
      tid = t.sim.pid;
      const item = itemAt(t, cursor);
      if (item) { cursor = cursorOf(item); return item; }
      tid++;
      cursor = 0;
    }
  };
  return { start: find, next: () => { cursor++; return find(); } };
}

/** mirrors task_file_seq_ops: every process (threads sharing files skipped) by pid, its files by fd */
export const taskFileTarget: IterTarget = {
  name: 'task_file',
  resched: true,
  attachParams: attachTaskParams,
  describeParams: describeTaskParams,
  openSession(session: IterSession) {
    const tasks = machineOf(session.kernel);
    const params = (session.params as TaskIterParams | null) ?? { type: 'all', pid: 0 };
    type Pos = { task: TaskObject; file: FileObject };
    // mirrors task_file_seq_get_next(): the next open fd at or after info->fd, else the next task from fd 0
    const walk = perProcessWalk(tasks, params, (t, fd): Pos | null => {
      const file = t.files.find((x) => x.fd >= fd);
      return file ? { task: t, file } : null;
    }, (p) => p.file.fd);
    const ops: IterSeqOps<Pos> = {
      start: walk.start,
      next: walk.next,
      stop: (p) => { if (p === null) session.runFields([null, 0, null], true); },
      show: (p, inStop) => session.runFields(p ? [resolved(p.task.task), p.file.fd, resolved(p.file.region)] : [null, 0, null], inStop),
      fini: () => undefined,
    };
    return ops as IterSeqOps<unknown>;
  },
};

/** mirrors task_vma_seq_ops: every process with an mm by pid, its VMAs by address */
export const taskVmaTarget: IterTarget = {
  name: 'task_vma',
  resched: true,
  attachParams: attachTaskParams,
  describeParams: describeTaskParams,
  openSession(session: IterSession) {
    const tasks = machineOf(session.kernel);
    const params = (session.params as TaskIterParams | null) ?? { type: 'all', pid: 0 };
    type Pos = { task: TaskObject; index: number };
    // mirrors task_vma_seq_get_next(): the VMA after the last one shown, else the next task with an mm
    const walk = perProcessWalk(tasks, params, (t, index): Pos | null => (t.mm && index < t.vmas.length ? { task: t, index } : null), (p) => p.index);
    const ops: IterSeqOps<Pos> = {
      start: walk.start,
      next: walk.next,
      stop: (p) => { if (p === null) session.runFields([null, null], true); },
      show: (p, inStop) => session.runFields(p ? [resolved(p.task.task), resolved(p.task.vmas[p.index].region)] : [null, null], inStop),
      fini: () => undefined,
    };
    return ops as IterSeqOps<unknown>;
  },
};

export const TASK_TARGETS: readonly IterTarget[] = [taskTarget, taskFileTarget, taskVmaTarget];
export type { IterProgramSpec };
