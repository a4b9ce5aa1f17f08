/**
 * Incremental checking (issue 18 point 2): a program (one SEC function) is checked again only when something its
 * check reads changed. The check reads the IR functions the program may call (itself, its callees, its
 * callbacks), the program's globals, data sections, maps and entries, and the check's options (target, CPUs,
 * license, attach map, the format calls inside the function). Unchanged functions are the same objects from one
 * lowering to the next (lower/reuse.ts), so they are compared by identity; the rest by value.
 */
import type { IrFunction, IrProgram } from '../ir';
import { checkIterProgram, CheckOptions, CheckResult } from './index';
import { reachableFunctions } from './stack';

interface CheckRecord { functions: IrFunction[]; inputs: string; result: CheckResult }

/** One file's checks by program, kept from one analysis to the next. */
export class CheckMemo {
  /** By program name, the most recent first: two, as the service checks a bpf_map_elem program with and without its attach map. */
  private records = new Map<string, CheckRecord[]>();
  private programKey?: { program: IrProgram; key: string };
  /** Programs taken from the memo so far (tests and benches read it). */
  reused = 0;

  /** The check of program `entry`, from the memo when its inputs are unchanged. */
  check(program: IrProgram, entry: number, options: CheckOptions): CheckResult {
    const functions = reachableFunctions(program, entry).map((index) => program.functions[index]);
    const inputs = `${entry}\u0001${this.keyOf(program)}\u0001${JSON.stringify(options, bigintsAsText)}`;
    const name = program.functions[entry]?.name ?? String(entry);
    const kept = this.records.get(name) ?? [];
    const before = kept.find((r) => r.inputs === inputs && r.functions.length === functions.length && r.functions.every((f, i) => f === functions[i]));
    if (before) {
      this.reused++;
      return before.result;
    }
    const result = checkIterProgram(program, entry, options);
    this.records.set(name, [{ functions, inputs, result }, ...kept.slice(0, 1)]);
    return result;
  }

  /** Forgets the programs that are not in `names` (removed from the file). */
  keepOnly(names: ReadonlySet<string>): void {
    for (const name of [...this.records.keys()]) if (!names.has(name)) this.records.delete(name);
  }

  private keyOf(program: IrProgram): string {
    if (this.programKey?.program !== program) {
      // the places of globals and maps are left out: the check names them, never points at them
      const globals = program.globals.map(({ loc: _loc, ...g }) => ({ ...g, init: g.init ? [...g.init].join(',') : null }));
      const maps = program.maps.map(({ loc: _loc, ...m }) => m);
      this.programKey = { program, key: JSON.stringify([program.entries, globals, program.sections, maps], bigintsAsText) };
    }
    return this.programKey.key;
  }
}

function bigintsAsText(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? `${value}n` : value;
}
