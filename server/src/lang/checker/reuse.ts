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
import { identityOf, relocated, relocatedBy, relocationOf } from '../lower/reuse';

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
    const inputs = `${entry}\u0001${this.keyOf(program)}\u0001${JSON.stringify(placeFree(options, program.functions[entry]), bigintsAsText)}`;
    const name = program.functions[entry]?.name ?? String(entry);
    const kept = this.records.get(name) ?? [];
    const before = kept.find((r) => r.inputs === inputs && r.functions.length === functions.length && r.functions.every((f, i) => f === functions[i]));
    if (before) {
      this.reused++;
      return before.result;
    }
    // the same functions moved in the text (an edit above them changed its length): the check moved with them
    for (const record of kept) {
      if (record.inputs !== inputs || record.functions.length !== functions.length) continue;
      const result = movedResult(record, functions);
      if (!result) continue;
      this.reused++;
      this.records.set(name, [{ functions, inputs, result }, ...kept.filter((r) => r !== record).slice(0, 1)]);
      return result;
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

/**
 * The options with their places made relative to the program's function (the format calls are inside it) and the
 * attach map's place left out: what the check reads is the same when only the text's offsets moved.
 */
function placeFree(options: CheckOptions, fn: IrFunction | undefined): unknown {
  const { attachMap, formats, ...rest } = options;
  const attach = attachMap ? (({ loc: _loc, ...m }) => m)(attachMap) : undefined;
  return { ...rest, attach, formats: fn && formats ? relocated(formats, fn.loc.file, -fn.loc.pos) : formats };
}

/**
 * The record's result for `functions`, each the record's function or a relocation of it (lower/reuse.ts): every place
 * of the result moved as the function it lies in moved; undefined when a function is another one, or when a place of
 * the result lies in none of them (a map's declaration, which may have moved otherwise).
 */
function movedResult(record: CheckRecord, functions: readonly IrFunction[]): CheckResult | undefined {
  const ranges: Array<{ file: number; pos: number; end: number; delta: number }> = [];
  for (let i = 0; i < functions.length; i++) {
    const old = record.functions[i];
    if (functions[i] === old) { ranges.push({ ...old.loc, delta: 0 }); continue; }
    const moved = relocationOf(functions[i]);
    if (!moved || moved.from !== identityOf(old) || moved.file !== old.loc.file) return undefined;
    ranges.push({ ...old.loc, delta: moved.delta });
  }
  return relocatedBy(record.result, (file, pos, end) => ranges.find((r) => r.file === file && r.pos <= pos && end <= r.end)?.delta);
}
