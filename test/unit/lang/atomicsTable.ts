/** The recorded table of what clang 14 compiles of the atomic builtins for BPF, and our verdict per row (shared by the unit and oracle tests). */
import * as path from 'path';
import { atomicBuiltin, BpfCpu, clangRejectsAtomic } from '../../../server/src/lang/atomics';

export interface AtomicsTable { cpus: Record<'v1' | 'v2' | 'v3', Record<string, string>> }
export const ATOMICS_TABLE = path.join(__dirname, '../../../../test/fixtures/atomics/clang14-bpf-atomics.json');

/** clang's refusal as the table's class: ok, xadd, nosmall, only64 or cannotSelect. */
export function refusalClass(message: string | undefined): string {
  if (message === undefined) return 'ok';
  if (/XADD/.test(message)) return 'xadd';
  if (/32\/64 bit version/.test(message)) return 'nosmall';
  if (/64 bit version/.test(message)) return 'only64';
  if (/Cannot select/.test(message)) return 'cannotSelect';
  return message;
}

/** Our verdict for one row of the table (`name/size/used|discarded`, on a global). */
export function ourClass(row: string, cpu: BpfCpu): string {
  const [name, size, used] = row.split('/');
  return refusalClass(clangRejectsAtomic(atomicBuiltin(name)!, Number(size), used === 'used', false, cpu));
}

