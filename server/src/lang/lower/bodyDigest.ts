/**
 * One walk of a function's body for what lowering's whole-program passes ask of it: the file-scope names it uses and
 * its `static` locals in the order of the walk (emittedDefinitions(), emissionOrder.ts, layoutGlobals()) and the
 * symbols it may write (clang's globalopt rule, writtenGlobals()). A body was walked once per pass before; a file of
 * many programs paid for each pass at every keystroke.
 */
import * as ast from '../ast';
import type { Compilation, ProgramFunction } from '../compile';
import type { CSymbol } from '../sema/analyzer';
import { resolve } from '../types';

export type BodyEvent =
  | { kind: 'name'; symbol: CSymbol }
  | { kind: 'static'; declaration: ast.Declaration };

export interface BodyDigest {
  /** File-scope symbols named and `static` local declarations, in walk order (a declaration before what it holds). */
  events: BodyEvent[];
  /** Assigned, incremented or decremented (through `.` and `[]` of them), whose address is taken, or an array decayed. */
  written: CSymbol[];
}

/** The digests of a compilation's function bodies, each walked once, on first demand. */
export class BodyDigests {
  private readonly digests = new Map<ProgramFunction, BodyDigest>();
  constructor(private readonly c: Compilation) {}

  of(f: ProgramFunction): BodyDigest {
    let digest = this.digests.get(f);
    if (!digest) this.digests.set(f, digest = this.walk(f.definition.body));
    return digest;
  }

  private walk(body: ast.Node): BodyDigest {
    const events: BodyEvent[] = [];
    const written: CSymbol[] = [];
    const symbolOf = (identifier: ast.Identifier): CSymbol | undefined => this.c.model.referenceOf(identifier)?.symbol;
    const mark = (target: ast.Expression): void => {
      let e = target;
      while ((e.kind === 'Member' && !e.arrow) || e.kind === 'Index' || e.kind === 'Cast') e = e.kind === 'Member' ? e.object : e.kind === 'Index' ? e.object : e.operand;
      if (e.kind !== 'Identifier') return;
      const symbol = symbolOf(e);
      if (symbol) written.push(symbol);
    };
    // an array used as a value decays to its address, which escapes (a helper's argument, a BPF_SEQ_PRINTF argument
    // stored into the ___param array, a pointer variable): clang keeps the array writable (.data); indexing it, its
    // sizeof and a dereference only read it. The walk visits a node before its children, so the contexts that only
    // read are known when the child is reached.
    const reads = new Set<ast.Node>();
    ast.walk(body, (node) => {
      if (node.kind === 'Index') reads.add(node.object);
      else if (node.kind === 'Sizeof') reads.add(node.operand);
      else if (node.kind === 'Unary' && node.operator === '*') reads.add(node.operand);
      if ((node.kind === 'Identifier' || node.kind === 'Index' || node.kind === 'Member') && !reads.has(node)) {
        const type = this.c.model.typeOf(node);
        // `names[i]` of a `char names[4][8]` is an array too: its decay escapes `names`
        if (type && resolve(type).kind === 'array') mark(node);
      }
      switch (node.kind) {
        case 'Identifier': {
          const symbol = symbolOf(node);
          if (symbol?.fileScope) events.push({ kind: 'name', symbol });
          return;
        }
        case 'Declaration':
          if (node.specifiers.storage.includes('static')) events.push({ kind: 'static', declaration: node });
          return;
        case 'Assignment': mark(node.left); return;
        // an output operand is written by the instructions (clang's asm call clobbers it)
        case 'Asm': for (const operand of node.operands ?? []) if (operand.output) mark(operand.value); return;
        case 'Postfix': mark(node.operand); return;
        case 'Unary':
          if (node.operator === '&' || node.operator === '++' || node.operator === '--') mark(node.operand);
          return;
        default:
      }
    });
    return { events, written };
  }
}
