/**
 * Access sizes through the iterator's key and value buffers. Mirrors check_buffer_access() (negative and
 * variable offsets, then prog->aux->max_rdonly_access / max_rdwr_access) and the limits bpf_iter_attach_map()
 * enforces with -EACCES when the link is created.
 */
import type { Loc } from '../ir';
import type { DiagnosticMessage } from '../diagnostics';
import { Diagnostics } from '../diagnostics';
import { PtrValue, formatTnum, offsetRange } from './domain';

export interface AttachMapInfo {
  key_size: number; value_size: number; percpu: boolean; cpus: number; name: string; loc?: Loc;
  /**
   * Not named by a scenario or the command line: the file's only map, which the program itself passes to helpers, so
   * more likely its output than the map it iterates. What attaching to it would refuse is then a warning.
   */
  guessed?: boolean;
}

export interface AccessMax { size: number; loc?: Loc }

export interface AccessIssue { message: DiagnosticMessage; args: Array<string | number>; related?: Array<{ file: number; pos: number; end: number; message: string }> }

/** bpf_iter_attach_map(): value_size, or round_up(value_size, 8) * num_possible_cpus() for per-CPU maps. */
export function valueAccessLimit(m: AttachMapInfo): number {
  return m.percpu ? Math.ceil(m.value_size / 8) * 8 * m.cpus : m.value_size;
}

export class AccessTracker {
  readonly rdonly: AccessMax = { size: 0 };
  readonly rdwr: AccessMax = { size: 0 };

  constructor(private readonly attachMap?: AttachMapInfo) {}

  /**
   * Checks one access of `size` bytes at insnOff through a non-NULL key/value pointer; records the maximum
   * when `record` (the reporting pass) and returns what is wrong with it.
   */
  check(p: PtrValue, insnOff: number, size: number, kind: 'read' | 'write', loc: Loc, record: boolean): AccessIssue[] {
    const isKey = p.region.kind === 'key';
    if (isKey && kind === 'write') return [{ message: Diagnostics.WriteIntoRdonlyBuf, args: ['write through a copy on the stack instead', 'R? cannot write into rdonly_buf'] }];
    if (p.varOff && !p.varOff.pathConst) {
      const off = p.off + BigInt(insnOff);
      return [{ message: Diagnostics.VariableBufferOffset, args: [p.desc, `R? invalid variable buffer offset: off=${off}, var_off=${formatTnum(p.varOff)}`] }];
    }
    const r = offsetRange(p);
    const lo = r.min + BigInt(insnOff);
    if (lo < 0n) {
      const word = isKey ? 'rdonly' : 'rdwr';
      return [{ message: Diagnostics.NegativeBufferOffset, args: [p.desc, `R? invalid ${word} buffer access: off=${lo}, size=${size}`] }];
    }
    const total = Number(r.max + BigInt(insnOff) + BigInt(size));
    if (!record) return [];
    const max = isKey ? this.rdonly : this.rdwr;
    if (total > max.size) { max.size = total; max.loc = loc; }
    const m = this.attachMap;
    if (!m) return [];
    const related = m.loc ? [{ file: m.loc.file, pos: m.loc.pos, end: m.loc.end, message: `map ${m.name} is defined here` }] : undefined;
    if (isKey && total > m.key_size) return [{ message: m.guessed ? Diagnostics.GuessedAttachKeyAccessTooLarge : Diagnostics.AttachKeyAccessTooLarge, args: [total, m.name, m.key_size], related }];
    if (!isKey && total > valueAccessLimit(m)) {
      const how = m.percpu ? `round_up(${m.value_size}, 8) * ${m.cpus} CPUs` : 'value_size';
      return [{ message: m.guessed ? Diagnostics.GuessedAttachValueAccessTooLarge : Diagnostics.AttachValueAccessTooLarge, args: [total, m.name, valueAccessLimit(m), how], related }];
    }
    return [];
  }
}
