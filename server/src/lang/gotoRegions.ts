/**
 * How `goto` becomes structured control flow. The IR (and the JIT's JavaScript) has no goto, so each label that a
 * goto in the same block jumps to becomes a region of that block's statements:
 * - a forward goto (the goto comes before its label) leaves a region that ends just before the label: the region
 *   is `do { ... } while (0)` and the goto is a labeled `break` of it;
 * - a backward goto (the goto is at or after its label) restarts a region that starts at the label: the region is
 *   `for (;;) { ...; break; }` and the goto is a labeled `continue` of it. It is a loop, and the checker holds it to
 *   the loop rules, as the verifier does with any back edge (check_cfg()).
 * Regions must nest. A forward region may start earlier and a backward region may end later without changing what
 * the program does, which resolves most overlaps; what remains (a jump into a loop from outside, i.e. irreducible
 * control flow) and gotos into a nested block are left out, and their goto is reported as not simulated.
 */
import * as ast from './ast';

export type BlockItem = ast.Statement | ast.Declaration | ast.StaticAssert;

export interface GotoRegion {
  kind: 'forward' | 'backward';
  /** The C label the region's gotos name. */
  label: string;
  /** Indexes of the block's first and last item inside the region. */
  first: number;
  last: number;
}

/** The labels that a block item carries at its top (`a: b: stmt` carries a and b). */
function labelsOf(item: BlockItem): string[] {
  const names: string[] = [];
  let s: BlockItem = item;
  while (s.kind === 'Labeled') { names.push(s.label.name); s = s.body; }
  return names;
}

/** The label names of every goto inside a block item. */
function gotosIn(item: BlockItem): Set<string> {
  const names = new Set<string>();
  ast.walk(item, (node) => { if (node.kind === 'Goto') names.add(node.label.name); });
  return names;
}

function crosses(a: GotoRegion, b: GotoRegion): boolean {
  return a.first < b.first && b.first <= a.last && a.last < b.last;
}

/** The regions of one block, laminar (any two are disjoint or one contains the other), sorted outermost first. */
export function planGotoRegions(items: ReadonlyArray<BlockItem>): GotoRegion[] {
  const targets = new Map<string, number>();
  items.forEach((item, index) => { for (const name of labelsOf(item)) targets.set(name, index); });
  if (targets.size === 0) return [];
  const regions: GotoRegion[] = [];
  const forward = new Map<string, GotoRegion>();
  const backward = new Map<string, GotoRegion>();
  items.forEach((item, index) => {
    for (const name of gotosIn(item)) {
      const at = targets.get(name);
      if (at === undefined) continue;
      if (index < at) {
        const r = forward.get(name);
        if (r) r.first = Math.min(r.first, index);
        else { const n: GotoRegion = { kind: 'forward', label: name, first: index, last: at - 1 }; forward.set(name, n); regions.push(n); }
      } else {
        const r = backward.get(name);
        if (r) r.last = Math.max(r.last, index);
        else { const n: GotoRegion = { kind: 'backward', label: name, first: at, last: index }; backward.set(name, n); regions.push(n); }
      }
    }
  });
  // Widen until laminar: a forward region can start earlier, a backward one can end later. Each step moves one
  // bound monotonically within [0, items.length), so this terminates; a crossing neither move fixes is dropped.
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < regions.length && !changed; i++) {
      for (let j = 0; j < regions.length && !changed; j++) {
        const a = regions[i], b = regions[j];
        if (!crosses(a, b)) continue;
        if (b.kind === 'forward') b.first = a.first;
        else if (a.kind === 'backward') a.last = b.last;
        else regions.splice(j, 1);
        changed = true;
      }
    }
  }
  return regions.sort((a, b) => a.first - b.first || b.last - a.last);
}
