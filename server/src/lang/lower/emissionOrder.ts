/**
 * The order in which clang creates a translation unit's global variables, which is their order in the object file:
 * it decides the order of the `.maps` (so of the maps libbpf creates, and of their ids), the order of the data
 * sections (.data/.rodata/.bss, so of the internal maps) and each variable's offset in its section.
 *
 * Mirrors clang's CodeGenModule at -O2: top-level declarations are handled in order; a variable defined with an
 * initializer (not `static`) is created when its definition is met, after what its initializer names; a function
 * that must be emitted (not `static`) has its body generated there, creating every file-scope variable it names
 * first and its own `static` locals where they are declared; a `static` function is emitted after the top-level
 * declaration that first named it (EmitDeferred); tentative definitions (`struct {...} m SEC(".maps");`, `__u64 x;`)
 * that nothing named come at the end of the unit, in declaration order.
 */
import * as ast from '../ast';
import type { Compilation, ProgramFunction } from '../compile';
import type { CSymbol } from '../sema/analyzer';
import type { BodyDigests } from './bodyDigest';

/** Each global variable (file scope or function-local static) by its rank in clang's emission order. */
export function globalEmissionOrder(c: Compilation, mainFile: number, digests: BodyDigests): Map<CSymbol, number> {
  const rank = new Map<CSymbol, number>();
  const place = (symbol: CSymbol): void => { if (!rank.has(symbol)) rank.set(symbol, rank.size); };
  const functionsByName = new Map(c.program.functions.map((f) => [f.name, f]));
  const emitted = new Set<ProgramFunction>();
  const deferred: ProgramFunction[] = [];

  const symbolOf = (identifier: ast.Identifier): CSymbol | undefined => c.model.referenceOf(identifier)?.symbol;
  const isDefinedVariable = (symbol: CSymbol): boolean => symbol.kind === 'variable' && !symbol.storage.includes('extern');
  /** A file-scope name reached by code generation: a variable is created there, a function emitted later. */
  const named = (symbol: CSymbol): void => {
    if (isDefinedVariable(symbol)) place(symbol);
    else if (symbol.kind === 'function') {
      const callee = functionsByName.get(symbol.name);
      if (callee && !emitted.has(callee)) deferred.push(callee);
    }
  };
  /** Code generation of an initializer: the globals it names are created as it reaches them. */
  const generate = (node: ast.Node): void => {
    ast.walk(node, (n) => {
      if (n.kind !== 'Identifier') return;
      const symbol = symbolOf(n);
      if (symbol?.fileScope) named(symbol);
    });
  };
  const emit = (f: ProgramFunction): void => {
    if (emitted.has(f)) return;
    emitted.add(f);
    for (const event of digests.of(f).events) {
      if (event.kind === 'name') named(event.symbol);
      else {
        // a function's `static` local (BPF_SEQ_PRINTF's ___fmt) is created where it is declared, after its initializer
        for (const d of event.declaration.declarators) {
          if (d.initializer) generate(d.initializer);
          const local = d.declarator.name ? symbolOf(d.declarator.name) : undefined;
          if (local) place(local);
        }
      }
    }
  };
  const emitDeferred = (): void => {
    for (let f = deferred.shift(); f; f = deferred.shift()) emit(f);
  };

  // the top-level declarations in order: the headers' (they come first), then the file's by position
  type Item = { variable: CSymbol } | { function: ProgramFunction };
  // a declarator's place: a definition's first token may come from a header's macro (`SEC("iter/bpf_map") int f(...)`)
  const placeOf = (item: Item): ast.Node => ('variable' in item ? item.variable : item.function.symbol).declaration;
  const positionOf = (item: Item): number => placeOf(item).pos;
  const inMain = (item: Item): boolean => placeOf(item).file === mainFile;
  const items: Item[] = [
    ...c.program.globals.filter(isDefinedVariable).map((variable) => ({ variable })),
    ...c.program.functions.map((f) => ({ function: f })),
  ];
  const ordered = [...items.filter((i) => !inMain(i)), ...items.filter(inMain).sort((a, b) => positionOf(a) - positionOf(b))];
  for (const item of ordered) {
    if ('function' in item) {
      if (!item.function.symbol.storage.includes('static')) emit(item.function);
    } else if (item.variable.initializer && !item.variable.storage.includes('static')) {
      generate(item.variable.initializer);
      place(item.variable);
    }
    emitDeferred();
  }
  // tentative definitions nothing named, in declaration order
  for (const item of ordered) if ('variable' in item) place(item.variable);
  return rank;
}
