/**
 * The simulated machine as the Run panel lists it beside the maps: the tasks the task targets walk and the sockets
 * of the reader's network namespace, read from the kernel after the run (a socket bpf_sock_destroy() closed shows
 * as closed). Kernel objects are read from what the kernel built (kernel/taskIter.ts, kernel/net/netns.ts), never
 * from the scenario text, so the panel shows what the program could see.
 */
import type { ProcessSummary, SocketSummary, WorldList, WorldSummary } from '../../../shared/src/protocol';
import { WORLD_ROWS_SHOWN } from '../../../shared/src/protocol';
import type { Kernel } from '../kernel/kernel';
import { AF_INET, AF_INET6, TCP_STATE, type SimSock } from '../kernel/net/netns';

/** /proc's state letter of task->__state (fs/proc/array.c task_state_array; TASK_IDLE shows as I) */
function stateLetter(state: number): string {
  if (state === 0) return 'R';
  if ((state & 0x402) === 0x402) return 'I';
  if (state & 0x1) return 'S';
  if (state & 0x2) return 'D';
  if (state & 0x4) return 'T';
  if (state & 0x80) return 'Z';
  return 'S';
}

const TCP_STATE_NAME = new Map(Object.entries(TCP_STATE).map(([name, n]) => [n, name]));

function list<T>(all: readonly T[]): WorldList<T> {
  return { rows: all.slice(0, WORLD_ROWS_SHOWN), total: all.length };
}

function processes(kernel: Kernel): ProcessSummary[] {
  return (kernel.tasks?.byPid ?? []).map(({ sim, files }) => ({
    pid: sim.pid, tgid: sim.tgid, ppid: sim.ppid, comm: sim.comm.slice(0, 15), state: stateLetter(sim.state), uid: sim.uid,
    kthread: sim.kthread, files: files.length,
  }));
}

function socketRow(s: SimSock, kernel: Kernel): SocketSummary {
  const spec = s.index >= 0 ? kernel.net.spec.sockets[s.index] : undefined;
  const state = TCP_STATE_NAME.get(s.state) ?? String(s.state);
  const inode = spec && 'inode' in spec && s.kind !== 'tcp_tw' && s.kind !== 'tcp_req' ? spec.inode : 0;
  switch (s.kind) {
    case 'tcp': case 'tcp_tw': case 'tcp_req': case 'udp': {
      const inet = spec && (spec.protocol === 'tcp' || spec.protocol === 'udp') ? spec : undefined;
      return { protocol: s.kind === 'udp' ? 'udp' : 'tcp', family: s.family === AF_INET6 ? 'inet6' : s.family === AF_INET ? 'inet' : 'inet6',
        state, local: inet?.local ?? '', remote: inet?.remote ?? '', uid: s.uid, inode };
    }
    case 'unix': {
      const unix = spec?.protocol === 'unix' ? spec : undefined;
      const peer = unix?.peer !== undefined ? kernel.net.spec.sockets[unix.peer] : undefined;
      // ss prints a connected unix socket's peer as "* <peer inode>"
      return { protocol: 'unix', family: 'unix', state, local: unix?.path ?? '', remote: peer && 'inode' in peer ? `* ${peer.inode}` : '',
        uid: s.uid, inode };
    }
    case 'netlink': {
      const portid = spec?.protocol === 'netlink' ? spec.portid : 0;
      return { protocol: 'netlink', family: 'netlink', state, local: `portid ${portid} protocol ${s.protocol}`, remote: '', uid: s.uid, inode };
    }
  }
}

/** The machine after the run: every task by pid, every socket in creation order (the kernel's own netlink sockets first). */
export function worldSummary(kernel: Kernel): WorldSummary {
  return {
    processes: list(processes(kernel)),
    sockets: list(kernel.net.sockets.map((s) => socketRow(s, kernel))),
  };
}
