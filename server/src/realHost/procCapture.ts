/**
 * The live host's processes, threads, open files, memory areas and sockets, read from /proc (no root needed for
 * one's own processes; others' files and memory need the right to ptrace them, else they are left out with a note)
 * and written in the scenario's `processes` and `network` forms (exec/scenarioProcesses.ts, exec/scenarioNet.ts),
 * so the task and socket targets run on what the host has. Read-only: only files under the /proc root are read.
 * The /proc root is a parameter, so tests give a folder of fixture files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RLIMIT_NAMES, type ScenarioFileJson, type ScenarioProcessJson, type ScenarioVmaJson } from '../exec/scenarioProcesses';
import { DEFAULT_RLIMITS, RLIM_INFINITY } from '../kernel/simMachine';
import type { NetworkJson } from '../exec/scenarioNet';
import { TCP_STATE } from '../kernel/net/netns';

export interface WorldCaptureOptions {
  processes: boolean;
  sockets: boolean;
  /** Only these processes (with their threads); all when empty. */
  pids: number[];
  /** At most this many tasks (processes and threads, lowest pids first). */
  maxProcesses: number;
  /** The cgroup v2 hierarchy (realHost/kernelCapture.ts); absent: not captured. */
  cgroups?: boolean;
  /** Kernel symbols and slab caches (realHost/kernelCapture.ts); absent: not captured. */
  symbols?: boolean;
  /** At most this many kernel symbols (default DEFAULT_CAPTURE_MAX_SYMBOLS). */
  maxSymbols?: number;
}

export const DEFAULT_CAPTURE_MAX_PROCESSES = 2000;
/** Files and memory areas kept per process, sockets kept in all: bounds on the scenario's size. */
export const CAPTURE_MAX_FILES_PER_PROCESS = 1024;
export const CAPTURE_MAX_VMAS_PER_PROCESS = 1024;
export const CAPTURE_MAX_SOCKETS = 10000;

export interface WorldCapture {
  processes?: ScenarioProcessJson[];
  network?: NetworkJson;
  warnings: string[];
}

/** PF_KTHREAD in /proc/PID/stat's flags (include/linux/sched.h) */
const PF_KTHREAD = 0x00200000;
/** PF_SUPERPRIV in /proc/PID/stat's flags: the task used a capability since its fork */
const PF_SUPERPRIV = 0x00000100;
/** USER_HZ: /proc/PID/stat's starttime is in these ticks since boot */
const USER_HZ = 100;
/** __SO_ACCEPTCON in /proc/net/unix's Flags: a listening unix socket */
const SO_ACCEPTCON = 0x10000;
const TCP_STATE_NAME = new Map(Object.entries(TCP_STATE).map(([name, n]) => [n, name]));

function read(file: string): string | undefined {
  try { return fs.readFileSync(file, 'utf8'); } catch { return undefined; }
}

/** /proc/PID/stat: comm is in parentheses and may hold spaces and ')', so the fields after the last ')' are split. */
interface Stat { comm: string; state: string; ppid: number; flags: number; priority: number; starttime: number }
export function parseStat(text: string): Stat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const f = text.slice(close + 2).trim().split(/\s+/); // f[0] is field 3 (state)
  if (f.length < 20) return undefined;
  return { comm: text.slice(open + 1, close), state: f[0], ppid: Number(f[1]), flags: Number(f[6]), priority: Number(f[15]), starttime: Number(f[19]) };
}

/** The scenario's state letters (ps's): tracing stop is T, dead is Z, parked is I, wakekill/waking are D/R */
function stateOf(letter: string): ScenarioProcessJson['state'] {
  switch (letter) {
    case 'R': case 'S': case 'D': case 'T': case 'Z': case 'I': return letter;
    case 't': return 'T';
    case 'X': case 'x': return 'Z';
    case 'P': return 'I';
    case 'W': case 'K': return 'D';
    default: return 'S';
  }
}

function statusIds(status: string | undefined, key: 'Uid' | 'Gid'): [number, number] | undefined {
  const m = status && new RegExp(`^${key}:\\s+(\\d+)\\s+(\\d+)`, 'm').exec(status);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

function pidsIn(dir: string): number[] {
  let names: string[];
  try { names = fs.readdirSync(dir); } catch { return []; }
  return names.filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b);
}

/**
 * /proc/PID/limits (fs/proc/base.c proc_pid_limits(): a header, then one line per RLIMIT_* in order, soft and hard
 * after the name in columns 26 and 47) as the scenario's rlimits, those INIT_RLIMITS does not have; undefined when none
 */
export function rlimitsOf(text: string | undefined): NonNullable<ScenarioProcessJson['rlimits']> | undefined {
  const lines = text?.split('\n').slice(1).filter((l) => l.trim() !== '');
  if (!lines || lines.length !== RLIMIT_NAMES.length) return undefined;
  const out: NonNullable<ScenarioProcessJson['rlimits']> = {};
  const value = (v: string): number | 'unlimited' | undefined => (v === 'unlimited' ? 'unlimited' : /^\d+$/.test(v) ? Number(v) : undefined);
  lines.forEach((l, i) => {
    const soft = value(l.slice(26, 47).trim()), hard = value(l.slice(47, 68).trim());
    const big = (v: number | 'unlimited'): bigint => (v === 'unlimited' ? RLIM_INFINITY : BigInt(v));
    // only what differs from INIT_RLIMITS, which a scenario assumes
    if (soft !== undefined && hard !== undefined && (big(soft) !== DEFAULT_RLIMITS[i][0] || big(hard) !== DEFAULT_RLIMITS[i][1])) out[RLIMIT_NAMES[i]] = [soft, hard];
  });
  return Object.keys(out).length ? out : undefined;
}

/** One task (a process's leader or a thread) from its /proc directory. */
function task(dir: string, pid: number, tgid: number): ScenarioProcessJson | undefined {
  const stat = parseStat(read(path.join(dir, 'stat')) ?? '');
  if (!stat) return undefined;
  const status = read(path.join(dir, 'status'));
  const kthread = (stat.flags & PF_KTHREAD) !== 0;
  const p: ScenarioProcessJson = { pid, comm: stat.comm.slice(0, 15) };
  if (tgid !== pid) p.tgid = tgid;
  p.ppid = stat.ppid;
  const uid = statusIds(status, 'Uid'), gid = statusIds(status, 'Gid');
  if (uid) { p.uid = uid[0]; if (uid[1] !== uid[0]) p.euid = uid[1]; }
  if (gid) { p.gid = gid[0]; if (gid[1] !== gid[0]) p.egid = gid[1]; }
  p.state = stateOf(stat.state);
  if (kthread) p.kthread = true;
  if (!kthread && (stat.flags & PF_SUPERPRIV) !== 0) p.used_privilege = true;
  // the audit login identity (pam_loginuid), when one is set: /proc/PID/loginuid and sessionid, 4294967295 when not
  const loginuid = Number(read(path.join(dir, 'loginuid'))?.trim());
  const sessionid = Number(read(path.join(dir, 'sessionid'))?.trim());
  if (tgid === pid && Number.isInteger(loginuid) && loginuid >= 0 && loginuid < 0xffffffff) p.loginuid = loginuid;
  if (tgid === pid && Number.isInteger(sessionid) && sessionid >= 0 && sessionid < 0xffffffff) p.sessionid = sessionid;
  // stat's priority is task->prio - MAX_RT_PRIO (fs/proc/array.c task_prio())
  if (Number.isFinite(stat.priority)) p.prio = Math.min(139, Math.max(0, stat.priority + 100));
  if (Number.isFinite(stat.starttime)) p.start_time_ns = stat.starttime * (1_000_000_000 / USER_HZ);
  // the cgroup v2 directory of a process (the 0:: line of /proc/PID/cgroup): task->cgroups->dfl_cgrp; threads share it
  const cgroup = tgid === pid ? /^0::(\/.*)$/m.exec(read(path.join(dir, 'cgroup')) ?? '')?.[1] : undefined;
  if (cgroup !== undefined && cgroup !== '/') p.cgroup = cgroup;
  const limits = tgid === pid ? rlimitsOf(read(path.join(dir, 'limits'))) : undefined;
  if (limits) p.rlimits = limits;
  return p;
}

/** fd -> path, flags and pos from /proc/PID/fd and fdinfo; undefined when the directory cannot be read. */
function files(dir: string, socketProtocols: Map<number, string>, warnings: string[], pid: number): ScenarioFileJson[] | undefined {
  let fds: number[];
  try { fds = fs.readdirSync(path.join(dir, 'fd')).filter((n) => /^\d+$/.test(n)).map(Number).sort((a, b) => a - b); } catch { return undefined; }
  if (fds.length > CAPTURE_MAX_FILES_PER_PROCESS) {
    warnings.push(`pid ${pid}: ${fds.length} open files, the first ${CAPTURE_MAX_FILES_PER_PROCESS} captured`);
    fds = fds.slice(0, CAPTURE_MAX_FILES_PER_PROCESS);
  }
  const out: ScenarioFileJson[] = [];
  for (const fd of fds) {
    let target: string;
    try { target = fs.readlinkSync(path.join(dir, 'fd', String(fd))); } catch { continue; } // closed meanwhile
    const f: ScenarioFileJson = { fd, path: target };
    const info = read(path.join(dir, 'fdinfo', String(fd)));
    const field = (name: string): string | undefined => (info ? new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(info)?.[1] : undefined);
    const flags = field('flags');
    if (flags !== undefined && /^[0-7]+$/.test(flags)) f.flags = parseInt(flags, 8);
    const pos = field('pos');
    if (pos !== undefined && /^\d+$/.test(pos) && Number(pos) > 0) f.pos = Number(pos);
    const ino = field('ino');
    if (ino !== undefined && /^\d+$/.test(ino)) f.ino = Number(ino);
    const socket = /^socket:\[(\d+)\]$/.exec(target);
    if (socket) {
      if (f.ino === undefined) f.ino = Number(socket[1]);
      const proto = socketProtocols.get(Number(socket[1]));
      if (proto) f.dname = proto; // alloc_file_pseudo()'s name: the protocol's
    } else if (target.startsWith('/')) {
      try {
        const st = fs.statSync(path.join(dir, 'fd', String(fd)));
        if (st.isFile() && st.size > 0) f.size = st.size;
        if (f.ino === undefined) f.ino = st.ino;
      } catch { /* gone, or not ours to stat */ }
    }
    out.push(f);
  }
  return out;
}

/** /proc/PID/maps lines as scenario VMAs: addresses as "0x..." strings, the offset in pages. */
export function parseMaps(text: string): ScenarioVmaJson[] {
  const out: ScenarioVmaJson[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+([r-][w-][x-][ps])\s+([0-9a-f]+)\s+\S+\s+(\d+)\s*(.*)$/.exec(line);
    if (!m) continue;
    const v: ScenarioVmaJson = { start: `0x${m[1]}`, end: `0x${m[2]}`, perms: m[3] };
    const pgoff = BigInt(`0x${m[4]}`) / 4096n;
    if (pgoff !== 0n) v.pgoff = pgoff <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(pgoff) : `0x${pgoff.toString(16)}`;
    if (m[6]) v.path = m[6];
    if (m[5] !== '0') v.ino = Number(m[5]);
    out.push(v);
  }
  return out;
}

// ------------------------------------------------------------------ sockets (/proc/net)

/** The bytes of an address /proc/net/{tcp,udp}[6] prints: each 32-bit word as %08X of its in-memory value. */
function addressBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let w = 0; w < hex.length / 8; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    const bytes = [0, 1, 2, 3].map((i) => parseInt(word.slice(i * 2, i * 2 + 2), 16));
    if (os.endianness() === 'LE') bytes.reverse();
    out.set(bytes, w * 4);
  }
  return out;
}

/** An IPv6 address in RFC 5952 text: the longest run of zero words as ::, a v4-mapped address as ::ffff:a.b.c.d */
export function ipv6Text(b: Uint8Array): string {
  if (b.slice(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  const words = Array.from({ length: 8 }, (_, i) => (b[i * 2] << 8) | b[i * 2 + 1]);
  let best = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { best = i; bestLen = j - i; }
    i = j;
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(':');
  if (best < 0) return hex(words);
  return `${hex(words.slice(0, best))}::${hex(words.slice(best + bestLen))}`;
}

function endpoint(text: string): { text: string; zero: boolean } {
  const [addr, port] = text.split(':');
  const bytes = addressBytes(addr);
  const p = parseInt(port, 16);
  const zero = bytes.every((x) => x === 0) && p === 0;
  const host = bytes.length === 4 ? Array.from(bytes).join('.') : `[${ipv6Text(bytes)}]`;
  return { text: `${host}:${p}`, zero };
}

type SocketJson = Record<string, unknown>;

/** /proc/net/tcp and tcp6 (tcp4_seq_show()): sl local rem st tx:rx tr:when retrnsmt uid timeout inode */
export function parseProcNetInet(text: string, protocol: 'tcp' | 'udp'): SocketJson[] {
  const out: SocketJson[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^\d+:$/.test(f[0])) continue;
    const local = endpoint(f[1]);
    const remote = endpoint(f[2]);
    const stateNo = parseInt(f[3], 16);
    let state = TCP_STATE_NAME.get(stateNo) ?? 'close';
    if (protocol === 'udp') state = stateNo === TCP_STATE.established ? 'established' : 'close';
    const s: SocketJson = { protocol, state, local: local.text };
    if (!remote.zero && state !== 'listen') s.remote = remote.text;
    if (protocol === 'tcp' && !s.remote && state !== 'listen' && state !== 'close') continue; // a peerless connection: nothing to write
    const [tx, rx] = f[4].split(':').map((h) => parseInt(h, 16));
    const uid = Number(f[7]), inode = Number(f[9]);
    if (uid) s.uid = uid;
    if (inode) s.inode = inode;
    if (protocol === 'tcp') {
      if (rx) s.rx_queue = rx;
      if (tx) s.tx_queue = tx;
      const retrans = parseInt(f[6], 16);
      if (retrans) s.retransmits = Math.min(255, retrans);
    }
    out.push(s);
  }
  return out;
}

/** /proc/net/unix (unix_seq_show()): Num RefCount Protocol Flags Type St Inode [Path] */
export function parseProcNetUnix(text: string): SocketJson[] {
  const out: SocketJson[] = [];
  const TYPES: Record<number, string> = { 1: 'stream', 2: 'dgram', 5: 'seqpacket' };
  for (const line of text.split('\n').slice(1)) {
    const m = /^\s*[0-9a-f]+:\s+[0-9A-F]+\s+[0-9A-F]+\s+([0-9A-F]+)\s+([0-9A-F]+)\s+([0-9A-F]+)\s+(\d+)(?: (.*))?$/.exec(line);
    if (!m) continue;
    const type = TYPES[parseInt(m[2], 16)];
    if (!type) continue;
    const flags = parseInt(m[1], 16), st = parseInt(m[3], 16);
    const s: SocketJson = { protocol: 'unix', type, state: flags & SO_ACCEPTCON ? 'listen' : st === 3 ? 'established' : 'close' };
    if (m[5]) s.path = m[5];
    if (Number(m[4])) s.inode = Number(m[4]);
    out.push(s);
  }
  return out;
}

/** /proc/net/netlink: sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode; the kernel's own (portid 0) exist already */
export function parseProcNetNetlink(text: string): SocketJson[] {
  const out: SocketJson[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || !/^[0-9a-f]+$/.test(f[0])) continue;
    const family = Number(f[1]), portid = Number(f[2]), groups = parseInt(f[3], 16), inode = Number(f[9]);
    if (portid === 0 || family > 31) continue;
    const s: SocketJson = { protocol: 'netlink', family, portid };
    if (groups) s.groups = groups;
    if (inode) s.inode = inode;
    out.push(s);
  }
  return out;
}

/** The socket protocol names a socket file's dentry carries (sk_prot->name), by inode */
function socketNames(root: string): Map<number, string> {
  const names = new Map<number, string>();
  const add = (file: string, name: string, parse: (t: string) => SocketJson[]) => {
    for (const s of parse(read(path.join(root, 'net', file)) ?? '')) if (typeof s.inode === 'number') names.set(s.inode, name);
  };
  add('tcp', 'TCP', (t) => parseProcNetInet(t, 'tcp'));
  add('tcp6', 'TCPv6', (t) => parseProcNetInet(t, 'tcp'));
  add('udp', 'UDP', (t) => parseProcNetInet(t, 'udp'));
  add('udp6', 'UDPv6', (t) => parseProcNetInet(t, 'udp'));
  add('unix', 'UNIX', parseProcNetUnix);
  add('netlink', 'NETLINK', parseProcNetNetlink);
  return names;
}

/** Reads processes and sockets under procRoot ("/proc" on a live host). */
export function captureWorld(procRoot: string, options: WorldCaptureOptions): WorldCapture {
  const warnings: string[] = [];
  const result: WorldCapture = { warnings };
  if (options.processes) {
    const protocols = socketNames(procRoot);
    let pids = pidsIn(procRoot);
    if (pids.length === 0) warnings.push(`${procRoot}: no process directories (is /proc mounted?)`);
    if (options.pids.length) {
      const missing = options.pids.filter((p) => !pids.includes(p));
      for (const p of missing) warnings.push(`--pid ${p}: no such process`);
      pids = pids.filter((p) => options.pids.includes(p));
    }
    const processes: ScenarioProcessJson[] = [];
    let unreadable = 0;
    let cut = false;
    for (const pid of pids) {
      if (processes.length >= options.maxProcesses) { cut = true; break; }
      const dir = path.join(procRoot, String(pid));
      const leader = task(dir, pid, pid);
      if (!leader) continue; // exited while we read
      if (!leader.kthread) {
        leader.cmdline = (read(path.join(dir, 'cmdline')) ?? '').split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
        if (leader.cmdline.length === 0) delete leader.cmdline;
        const fileList = files(dir, protocols, warnings, pid);
        const maps = read(path.join(dir, 'maps'));
        if (fileList === undefined || maps === undefined) unreadable++;
        if (fileList?.length) leader.files = fileList;
        let vmas = maps !== undefined ? parseMaps(maps) : [];
        if (vmas.length > CAPTURE_MAX_VMAS_PER_PROCESS) {
          warnings.push(`pid ${pid}: ${vmas.length} memory areas, the first ${CAPTURE_MAX_VMAS_PER_PROCESS} captured`);
          vmas = vmas.slice(0, CAPTURE_MAX_VMAS_PER_PROCESS);
        }
        if (vmas.length) leader.vmas = vmas;
      }
      processes.push(leader);
      for (const tid of pidsIn(path.join(dir, 'task'))) {
        if (tid === pid) continue;
        if (processes.length >= options.maxProcesses) { cut = true; break; }
        const thread = task(path.join(dir, 'task', String(tid)), tid, pid);
        if (thread) processes.push(thread);
      }
    }
    // tasks by pid, as the scenario lists them and the kernel walks them
    processes.sort((a, b) => a.pid - b.pid);
    if (cut) warnings.push(`more than ${options.maxProcesses} tasks: the first ${options.maxProcesses} by pid captured (--max-processes)`);
    if (unreadable) warnings.push(`${unreadable} process${unreadable === 1 ? '' : 'es'} of other users: open files or memory areas not readable without root (captured without them)`);
    result.processes = processes;
  }
  if (options.sockets) {
    const sockets: SocketJson[] = [];
    const devices = ['lo'];
    for (const [file, parse] of [
      ['tcp', (t: string) => parseProcNetInet(t, 'tcp')], ['tcp6', (t: string) => parseProcNetInet(t, 'tcp')],
      ['udp', (t: string) => parseProcNetInet(t, 'udp')], ['udp6', (t: string) => parseProcNetInet(t, 'udp')],
      ['unix', parseProcNetUnix], ['netlink', parseProcNetNetlink],
    ] as const) {
      const text = read(path.join(procRoot, 'net', file));
      if (text === undefined) { if (file !== 'netlink') warnings.push(`${path.join(procRoot, 'net', file)}: not readable; its sockets are not captured`); continue; }
      sockets.push(...parse(text));
    }
    for (const line of (read(path.join(procRoot, 'net', 'dev')) ?? '').split('\n').slice(2)) {
      const name = /^\s*([^:\s]+):/.exec(line)?.[1];
      if (name && !devices.includes(name) && name.length <= 15) devices.push(name);
    }
    if (sockets.length > CAPTURE_MAX_SOCKETS) {
      warnings.push(`${sockets.length} sockets, the first ${CAPTURE_MAX_SOCKETS} captured`);
      sockets.length = CAPTURE_MAX_SOCKETS;
    }
    result.network = { devices, sockets };
  }
  return result;
}
