/** Functions and statements: locals and parameters, blocks, loops, switch, break/continue and `goto` (as labeled loops, planned in gotoRegions.ts), local initializers. */

import { appendAll } from '../arrays';
import * as ast from '../ast';
import { ProgramFunction } from '../compile';
import { BlockItem, planGotoRegions } from '../gotoRegions';
import { Diagnostics } from '../diagnostics';
import { CType, resolve, sizeOf, promote, Types } from '../types';
import { Expr, Stmt, Loc, IntType, IrFunction, VOID, S32, GlobalSignature, UNSIMULATED_VALUE, wrapTo } from '../ir';
import { lowerAsmProgram, parseAsmProgram, registerTempType, signedRegisters } from './asmProgram';
import { decay, initializedSubobjects, irScalarType, locOf, passesRecordByPointer, ptrTo, returnsRecordByHiddenPointer, roundUp, stringBytes, type JumpScope } from './irValues';

/** The text of an asm statement whose template string is empty (the operands may follow). */
const EMPTY_ASM_TEMPLATE = /^""(\s|$)/;
import { BuiltinLowering } from './builtins';
import { eliminateTailRecursion } from './tailRecursion';

/** A block's variables with `__attribute__((cleanup(fn)))`, and how many jump scopes were open when it began. */
interface CleanupScope { jumpDepth: number; calls: Array<(loc: Loc) => Stmt> }

export abstract class StatementLowering extends BuiltinLowering {
  /** Blocks being lowered, innermost last: their cleanup calls run when control leaves them (C's cleanup attribute). */
  private cleanupScopes: CleanupScope[] = [];
  // ------------------------------------------------------------------ functions

  protected lowerFunction(f: ProgramFunction): IrFunction {
    this.locals = [];
    this.slots = [];
    this.localBySymbol = new Map();
    this.stackTop = 0;
    this.stackHigh = 0;
    this.liveSlots = [];
    this.currentFunction = f;
    const unsupported: Array<{ what: string; loc: Loc }> = [];
    this.unsupported = unsupported;
    this.externsReported = new Set();
    this.addressTaken = this.findAddressTaken(f.definition.body);
    this.jumpScopes = [];
    this.cleanupScopes = [];
    this.functionHasGoto = false;
    this.functionLabels = new Set();
    ast.walk(f.definition.body, (node) => {
      if (node.kind === 'Goto') this.functionHasGoto = true;
      if (node.kind === 'Labeled') this.functionLabels.add(node.label.name);
    });
    const fnType = resolve(f.symbol.type);
    const returns = fnType.kind === 'function' ? fnType.returns : Types.int;
    // mirrors BPFTargetLowering's refusal of an sret function: clang emits the body of a function that is not static
    const name = f.definition.declarator.name;
    if (resolve(returns).kind === 'record' && !f.symbol.storage.includes('static') && name) {
      this.report(Diagnostics.StructReturnNotCompiled, name, [f.name, 'is not static (clang emits its body)']);
    }
    const params: number[] = [];
    const derivation = f.definition.declarator.derivations[f.definition.declarator.derivations.length - 1];
    const preamble: Stmt[] = [];
    if (derivation?.kind === 'Function') {
      derivation.parameters.forEach((p, index) => {
        const symbol = this.symbolOfDeclarator(p.declarator);
        const type = f.parameters[index] ?? Types.int;
        const scalar = irScalarType(type);
        if (symbol && !scalar && passesRecordByPointer(type)) {
          // A struct or union by value: the caller passes where its value is, copied here on entry into this
          // function's own slot (what clang does once it has inlined the static function).
          const local = this.locals[this.newLocal(symbol.name, type, locOf(p), true, symbol)];
          const incoming = this.newLocal(`${symbol.name}.in`, ptrToType(type), locOf(p), true);
          params.push(incoming);
          const copy: Expr = { op: 'copy', dst: this.slotAddr(local.slot!, type, locOf(p)), src: { op: 'local', id: incoming, type: ptrTo(type), loc: locOf(p) }, size: sizeOf(type) ?? 0, type: VOID, loc: locOf(p) };
          preamble.push({ op: 'expr', expr: copy, loc: locOf(p) });
          return;
        }
        if (!symbol || !scalar) {
          if (!scalar && !(resolve(type).kind === 'void')) this.report(Diagnostics.UnsupportedConstruct, p, ['a parameter that is not an integer or a pointer']);
          return;
        }
        const id = this.newLocal(symbol.name, type, locOf(p), true, symbol);
        params.push(id);
        const local = this.locals[id];
        if (local.slot !== undefined) {
          // An address-taken parameter is copied into its stack slot on entry.
          const incoming = this.newLocal(`${symbol.name}.in`, type, locOf(p), true);
          params[params.length - 1] = incoming;
          preamble.push({ op: 'expr', expr: this.storeTo(this.slotAddr(local.slot, type, locOf(p)), 0, type, { op: 'local', id: incoming, type: scalar, loc: locOf(p) }, locOf(p)), loc: locOf(p) });
        }
      });
    }
    this.recordReturnSlot = undefined;
    if (returnsRecordByHiddenPointer(f)) {
      this.recordReturnSlot = this.newLocal('<returned value>', ptrToType(returns), locOf(f.definition), true);
      params.push(this.recordReturnSlot);
    }
    const body = this.compound(f.definition.body);
    this.recordReturnSlot = undefined;
    const fnBody: Stmt = preamble.length ? { op: 'block', body: [...preamble, body], loc: body.loc } : body;
    const returnScalar = irScalarType(returns);
    const lowered: IrFunction = {
      index: this.functionIndex.get(f.name)!, name: f.name, params, returnType: returnScalar ?? VOID,
      locals: this.locals, slots: this.slots, stackSize: roundUp(this.stackHigh, 8), body: fnBody, loc: locOf(f.definition),
      ...(f.symbol.storage.includes('static') ? {} : { global: true }),
      ...(f.symbol.storage.includes('static') ? {} : globalSignatureOf(f, resolve(returns))),
      ...(unsupported.length > 0 ? { unsupported } : {}),
    };
    return eliminateTailRecursion(lowered, () => this.nextJumpLabel++);
  }

  // ------------------------------------------------------------------ statements

  /** A block; `release: false` keeps its slots (a statement expression's value may still read them). */
  protected compound(node: ast.CompoundStatement, release = true): Stmt {
    const mark = this.stackMark();
    const regions = this.functionHasGoto ? planGotoRegions(node.items) : [];
    const scope: CleanupScope = { jumpDepth: this.jumpScopes.length, calls: [] };
    this.cleanupScopes.push(scope);
    const body = this.blockItems(node.items, 0, node.items.length - 1, regions);
    this.cleanupScopes.pop();
    const loc = locOf(node);
    // leaving the block at its end runs its variables' cleanup functions, the last declared first
    const last = body[body.length - 1];
    if (scope.calls.length && !(last && (last.op === 'return' || last.op === 'break' || last.op === 'continue'))) {
      appendAll(body, this.cleanupCalls(scope, loc));
    }
    if (release) this.releaseStack(mark);
    return { op: 'block', body, loc };
  }

  /** The cleanup calls a jump runs when it leaves every block opened with at least `jumpDepth` jump scopes open. */
  protected cleanupsLeaving(jumpDepth: number, loc: Loc): Stmt[] {
    const out: Stmt[] = [];
    for (let i = this.cleanupScopes.length - 1; i >= 0 && this.cleanupScopes[i].jumpDepth >= jumpDepth; i--) {
      appendAll(out, this.cleanupCalls(this.cleanupScopes[i], loc));
    }
    return out;
  }

  /** One scope's cleanup calls, the last declared variable's first. */
  private cleanupCalls(scope: CleanupScope, loc: Loc): Stmt[] {
    return scope.calls.map((call) => call(loc)).reverse();
  }

  /** Items first..last of a block, with the goto regions that lie inside that range (sorted outermost first). */
  protected blockItems(items: ReadonlyArray<BlockItem>, first: number, last: number, regions: ReturnType<typeof planGotoRegions>): Stmt[] {
    const body: Stmt[] = [];
    for (let i = first; i <= last;) {
      const region = regions.find((r) => r.first === i);
      if (!region) {
        const item = items[i++];
        if (item.kind === 'Declaration') appendAll(body, this.localDeclaration(item));
        else if (item.kind !== 'StaticAssert') body.push(this.statement(item));
        continue;
      }
      const inner = regions.filter((r) => r !== region && r.first >= region.first && r.last <= region.last);
      const scope: JumpScope = { kind: region.kind, gotoLabel: region.label, label: this.nextJumpLabel++ };
      this.jumpScopes.push(scope);
      const stmts = this.blockItems(items, region.first, region.last, inner);
      this.jumpScopes.pop();
      const loc: Loc = { ...locOf(items[region.first]), end: locOf(items[region.last]).end };
      if (region.kind === 'forward') {
        // do { ... } while (0): `goto label` is `break` of it
        body.push({ op: 'loop', body: { op: 'block', body: stmts, loc }, test: { op: 'const', type: S32, value: 0n, loc }, testFirst: false, label: scope.label, loc });
      } else {
        // for (;;) { ...; break; }: `goto label` is `continue` of it; no break after a last statement that never ends
        const last = stmts[stmts.length - 1];
        if (!last || !(last.op === 'continue' || last.op === 'break' || last.op === 'return')) stmts.push({ op: 'break', label: scope.label, loc });
        body.push({ op: 'loop', body: { op: 'block', body: stmts, loc }, testFirst: true, label: scope.label, loc });
      }
      i = region.last + 1;
    }
    return body;
  }

  /** Lowers a loop or switch body with its scope pushed, so that break/continue crossing a goto region name it. */
  protected withJumpScope<T>(kind: 'loop' | 'switch', lower: () => T): { result: T; label?: number } {
    const scope: JumpScope = { kind };
    this.jumpScopes.push(scope);
    const result = lower();
    this.jumpScopes.pop();
    return { result, label: scope.label };
  }

  /** break/continue: plain unless a goto region lies between it and its loop or switch, then labeled. */
  protected jump(op: 'break' | 'continue', loc: Loc): Stmt {
    for (let i = this.jumpScopes.length - 1; i >= 0; i--) {
      const scope = this.jumpScopes[i];
      if (scope.kind === 'loop' || (op === 'break' && scope.kind === 'switch')) {
        const crossesRegion = this.jumpScopes.slice(i + 1).some((s) => s.kind === 'forward' || s.kind === 'backward');
        let jump: Stmt = { op, loc };
        if (crossesRegion) {
          scope.label ??= this.nextJumpLabel++;
          jump = { op, label: scope.label, loc };
        }
        // the blocks inside the loop or switch that the jump leaves run their cleanups first
        const cleanups = this.cleanupsLeaving(i + 1, loc);
        return cleanups.length ? { op: 'block', body: [...cleanups, jump], loc } : jump;
      }
    }
    return { op, loc };
  }

  protected gotoStatement(node: ast.GotoStatement, loc: Loc): Stmt {
    for (let i = this.jumpScopes.length - 1; i >= 0; i--) {
      const scope = this.jumpScopes[i];
      if (scope.gotoLabel === node.label.name) return { op: scope.kind === 'forward' ? 'break' : 'continue', label: scope.label, loc };
    }
    // A jump into a nested block or into a loop from outside it: no structured form (see gotoRegions.ts), unless what
    // follows the label ends the function: then that code is the jump's own (a copy of it, as a compiler may make).
    // An undeclared label is sema's error already.
    const tail = this.functionLabels.has(node.label.name) ? this.returningTail(node.label.name) : undefined;
    if (tail) return { op: 'block', body: tail.map((item) => this.statement(item)), loc };
    if (this.functionLabels.has(node.label.name)) this.report(Diagnostics.UnsupportedConstruct, node, ['a goto into another block']);
    return { op: 'block', body: [], loc };
  }

  /**
   * The statements from label `name` to the end of its block when they leave the function whatever happens (the last
   * one a `return`) and can be run from elsewhere unchanged: no declaration, no other label, `case` or `goto`, no
   * `break` or `continue` of a loop or switch outside them, no name of a local not yet lowered (declared in the
   * label's block before it), no cleanup pending where the jump is. Undefined otherwise.
   */
  private returningTail(name: string): ast.Statement[] | undefined {
    if (this.cleanupScopes.some((scope) => scope.calls.length > 0)) return undefined;
    let tail: ast.Statement[] | undefined;
    ast.walk(this.currentFunction!.definition.body, (n) => {
      if (tail || n.kind !== 'Compound') return;
      n.items.forEach((item, i) => {
        let labeled: ast.Node = item;
        while (labeled.kind === 'Labeled' && labeled.label.name !== name) labeled = labeled.body;
        if (labeled.kind === 'Labeled' && !tail) tail = [labeled.body, ...n.items.slice(i + 1)] as ast.Statement[];
      });
    });
    if (!tail || tail.length === 0 || tail[tail.length - 1].kind !== 'Return') return undefined;
    // the tail's own locals (BPF_SEQ_PRINTF's ___param) are made again for the copy: it ends in a return, so no code
    // after it names them
    const ownLocals = new Set<unknown>();
    for (const item of tail) {
      ast.walk(item, (n) => {
        if (n.kind === 'Declaration') for (const d of n.declarators) ownLocals.add(this.symbolOfDeclarator(d.declarator));
      });
    }
    let runsElsewhere = true;
    const visit = (node: ast.Node, inLoopOrSwitch: boolean): void => {
      switch (node.kind) {
        case 'Labeled': case 'Case': case 'Default': case 'Goto': runsElsewhere = false; return;
        case 'Break': case 'Continue': if (!inLoopOrSwitch) runsElsewhere = false; return;
        case 'Declaration':
          if ([...node.specifiers.attributes, ...node.declarators.flatMap((d) => d.declarator.attributes)].some((a) => a.name === 'cleanup')) runsElsewhere = false;
          break;
        case 'Identifier': {
          const symbol = this.c.model.referenceOf(node)?.symbol;
          if (symbol?.kind === 'variable' && !symbol.fileScope && !symbol.storage.includes('static') && !this.localBySymbol.has(symbol) && !ownLocals.has(symbol)) runsElsewhere = false;
          return;
        }
        default:
      }
      const nested = inLoopOrSwitch || node.kind === 'For' || node.kind === 'While' || node.kind === 'Do' || node.kind === 'Switch';
      ast.forEachChild(node, (child) => visit(child, nested));
    };
    for (const item of tail) visit(item, false);
    return runsElsewhere ? tail : undefined;
  }

  protected localDeclaration(node: ast.Declaration): Stmt[] {
    const out: Stmt[] = [];
    const storage = node.specifiers.storage;
    if (storage.includes('typedef') || storage.includes('extern')) return out;
    for (const d of node.declarators) {
      const symbol = this.symbolOfDeclarator(d.declarator);
      if (!symbol || symbol.kind !== 'variable') continue;
      if (storage.includes('static')) continue; // laid out as a global
      const loc = locOf(d);
      const id = this.newLocal(symbol.name, symbol.type, loc, false, symbol);
      const local = this.locals[id];
      this.registerCleanup(node, d.declarator, local.slot, symbol.type);
      if (local.type) {
        const init = d.initializer && d.initializer.kind !== 'InitializerList' ? this.rvalueAs(d.initializer, symbol.type) :
          d.initializer && d.initializer.kind === 'InitializerList' && d.initializer.items[0] && d.initializer.items[0].value.kind !== 'InitializerList'
            ? this.rvalueAs(d.initializer.items[0].value as ast.Expression, symbol.type)
            : d.initializer ? this.zeroOf(local.type, loc) : undefined;
        out.push({ op: 'declare', id, init, loc });
      } else {
        out.push({ op: 'declare', id, loc });
        if (d.initializer) appendAll(out, this.initializeMemory(this.slotAddr(local.slot!, symbol.type, loc), 0, symbol.type, d.initializer, true));
      }
    }
    return out;
  }

  /**
   * `__attribute__((cleanup(fn)))` on a local: `fn(&var)` runs when control leaves the variable's scope (the block's
   * end, a return, a break or continue out of it). A goto out of the scope does not run it here.
   */
  private registerCleanup(node: ast.Declaration, declarator: ast.Declarator, slot: number | undefined, type: CType): void {
    const attribute = [...declarator.attributes, ...node.specifiers.attributes].find((a) => a.name === 'cleanup');
    const callee = attribute?.args[0];
    const scope = this.cleanupScopes[this.cleanupScopes.length - 1];
    if (!attribute || !scope) return;
    if (!callee || callee.kind !== 'Identifier' || slot === undefined) {
      this.report(Diagnostics.UnsupportedConstruct, attribute, ['this cleanup attribute']);
      return;
    }
    const name = callee.name;
    scope.calls.push((loc) => {
      const address = this.slotAddr(slot, type, loc);
      const func = this.functionIndex.get(name);
      const call: Expr = func !== undefined
        ? { op: 'call', func, args: [address], type: VOID, loc }
        : { op: 'callHelper', name, helperId: -1, args: [address], type: VOID, loc };
      return { op: 'expr', expr: call, loc };
    });
  }

  /** Stores an initializer into memory at ptr+offset; `zeroFirst` zero-fills the object (C's rule for partial initializers). */
  protected initializeMemory(ptr: Expr, offset: number, type: CType, init: ast.Initializer, zeroFirst: boolean): Stmt[] {
    const loc = locOf(init);
    const t = resolve(type);
    const out: Stmt[] = [];
    const size = sizeOf(t) ?? 0;
    if (t.kind === 'array' && init.kind === 'StringLiteral') {
      const bytes = stringBytes(init.value);
      if (zeroFirst) out.push({ op: 'expr', expr: { op: 'fill', dst: this.offsetPtr(ptr, offset, loc), byte: 0, size, type: VOID, loc }, loc });
      for (let i = 0; i < Math.min(bytes.length, size); i++) {
        out.push({ op: 'expr', expr: { op: 'store', ptr, offset: offset + i, size: 1, value: { op: 'const', type: { kind: 'int', bits: 8, signed: false }, value: BigInt(bytes[i]), loc }, type: { kind: 'int', bits: 8, signed: false }, loc }, loc });
      }
      return out;
    }
    if (init.kind !== 'InitializerList') {
      if (t.kind === 'record' || t.kind === 'array') {
        const src = this.addressOfExpression(init);
        if (src) out.push({ op: 'expr', expr: { op: 'copy', dst: this.offsetPtr(ptr, offset, loc), src, size, type: VOID, loc }, loc });
        return out;
      }
      out.push({ op: 'expr', expr: this.storeTo(ptr, offset, type, this.rvalueAs(init, type), loc), loc });
      return out;
    }
    if (zeroFirst) out.push({ op: 'expr', expr: { op: 'fill', dst: this.offsetPtr(ptr, offset, loc), byte: 0, size, type: VOID, loc }, loc });
    if (t.kind === 'array' || t.kind === 'record') {
      for (const entry of initializedSubobjects(t, init, (e) => this.c.model.evaluate(e), (e) => this.c.typeOf(e))) {
        if (entry.bitField) {
          out.push({ op: 'expr', expr: this.storeBitfield(ptr, offset + entry.bitField.base, entry.bitField.field, this.rvalueAs(entry.value as ast.Expression, entry.bitField.field.type), loc), loc });
        } else {
          appendAll(out, this.initializeMemory(ptr, offset + entry.offset, entry.type, entry.value, false));
        }
      }
    } else if (init.items[0]) {
      appendAll(out, this.initializeMemory(ptr, offset, type, init.items[0].value, false));
    }
    return out;
  }

  protected statement(node: ast.Statement): Stmt {
    const loc = locOf(node);
    switch (node.kind) {
      case 'Compound': return this.compound(node);
      case 'ExpressionStatement':
        return node.expression ? { op: 'expr', expr: this.expression(node.expression, true), loc } : { op: 'block', body: [], loc };
      case 'If': return { op: 'if', test: this.test(node.condition), then: this.statement(node.then), else: node.else ? this.statement(node.else) : undefined, loc };
      case 'While': {
        const test = this.test(node.condition);
        const { result: body, label } = this.withJumpScope('loop', () => this.statement(node.body));
        return { op: 'loop', test, body, testFirst: true, label, loc };
      }
      case 'Do': {
        const test = this.test(node.condition);
        const { result: body, label } = this.withJumpScope('loop', () => this.statement(node.body));
        return { op: 'loop', test, body, testFirst: false, label, loc };
      }
      case 'For': {
        // the for statement is the scope of its init declarations: their cleanups run when the loop is left
        // (libbpf's bpf_for() declares its numbers iterator there with cleanup(bpf_iter_num_destroy))
        const scope: CleanupScope = { jumpDepth: this.jumpScopes.length, calls: [] };
        this.cleanupScopes.push(scope);
        let init: Stmt | undefined;
        if (node.init?.kind === 'Declaration') init = { op: 'block', body: this.localDeclaration(node.init), loc: locOf(node.init) };
        else if (node.init) init = { op: 'expr', expr: this.expression(node.init, true), loc: locOf(node.init) };
        const test = node.condition ? this.test(node.condition) : undefined;
        const update = node.update ? this.expression(node.update, true) : undefined;
        const { result: body, label } = this.withJumpScope('loop', () => this.statement(node.body));
        this.cleanupScopes.pop();
        const loop: Stmt = { op: 'loop', init, test, update, body, testFirst: true, label, loc };
        if (!scope.calls.length) return loop;
        return { op: 'block', body: [loop, ...this.cleanupCalls(scope, loc)], loc };
      }
      case 'Break': return this.jump('break', loc);
      case 'Continue': return this.jump('continue', loc);
      case 'Return': {
        const fnType = this.currentFunction ? resolve(this.currentFunction.symbol.type) : undefined;
        const returns = fnType?.kind === 'function' ? fnType.returns : Types.int;
        if (node.value && this.recordReturnSlot !== undefined) {
          // the value is copied to the caller's slot, then the cleanups run
          const slot: Expr = { op: 'local', id: this.recordReturnSlot, type: irScalarType(ptrToType(returns))!, loc };
          const copy: Stmt = { op: 'expr', expr: { op: 'copy', dst: slot, src: this.addressOf(this.lvalue(node.value), loc) ?? { op: 'null', type: ptrTo(returns), loc }, size: sizeOf(returns) ?? 0, type: VOID, loc }, loc };
          return { op: 'block', body: [copy, ...this.cleanupsLeaving(0, loc), { op: 'return', loc }], loc };
        }
        const value = node.value && irScalarType(returns) ? this.rvalueAs(node.value, returns) : node.value ? this.expression(node.value, true) : undefined;
        const cleanups = this.cleanupsLeaving(0, loc);
        if (!cleanups.length) return { op: 'return', value, loc };
        // the value is computed before the cleanups run, as C has it
        const scalar = value && irScalarType(returns);
        if (!value || !scalar) return { op: 'block', body: [...(value ? [{ op: 'expr' as const, expr: value, loc }] : []), ...cleanups, { op: 'return', loc }], loc };
        const tmp = this.newTemp(returns, loc);
        return { op: 'block', body: [{ op: 'expr', expr: { op: 'assign', id: tmp, value, type: scalar, loc }, loc }, ...cleanups, { op: 'return', value: { op: 'local', id: tmp, type: scalar, loc }, loc }], loc };
      }
      case 'Switch': return this.switchStatement(node);
      case 'Case': case 'Default':
        // A case label outside the switch body's top level: lowered by switchStatement; here only its body.
        return this.statement(node.body);
      case 'Labeled': return this.statement(node.body);
      case 'Goto': return this.gotoStatement(node, loc);
      case 'Asm':
        // An empty template emits no instruction: barrier(), barrier_var(x) and BPF_CORE_READ_BITFIELD()'s
        // `asm volatile("" : "=r"(p) : "0"(p))` only keep clang from optimizing across them; nothing runs or is checked.
        if (EMPTY_ASM_TEMPLATE.test(node.template)) return { op: 'block', body: [], loc };
        {
          const addressLoad = this.asmAddressLoad(node, loc);
          if (addressLoad) return { op: 'expr', expr: addressLoad, loc };
          const program = this.asmProgram(node, loc);
          if (program) return program;
        }
        this.report(Diagnostics.UnsupportedConstruct, node, ['inline assembly']);
        return { op: 'block', body: this.asmOutputsUnknown(node, loc), loc };
      default:
        return { op: 'block', body: [], loc };
    }
  }

  /**
   * `%0 = name ll` on an `=r` pointer operand: the 64-bit immediate load of a global's or map's address (tetragon's
   * CONFIG() reads its .rodata this way), lowered as `operand = &name`. ALU instructions and jumps are asmProgram()'s.
   */
  protected asmAddressLoad(node: ast.AsmStatement, loc: Loc): Expr | undefined {
    if (!node.operands || node.instructions === undefined) return undefined;
    const instructions = node.instructions.split(/[\n;]/).map((i) => i.trim()).filter((i) => i !== '');
    if (instructions.length !== 1) return undefined;
    const address = /^%(?:\[(\w+)\]|(\d+))\s*=\s*([A-Za-z_]\w*)\s+ll$/.exec(instructions[0]);
    if (!address) return undefined;
    const operand = address[1] !== undefined ? node.operands.find((o) => o.name === address[1]) : node.operands[Number(address[2])];
    if (!operand?.output || operand.constraint !== '=r') return undefined;
    return this.registerAddressOf(operand.value, address[3], loc);
  }

  /**
   * What an asm statement that is not simulated leaves in its outputs: a value the checker assumes nothing of (no
   * error follows from it, and a local it writes is assigned: no BPF2016 after it), which a run stops at.
   */
  protected asmOutputsUnknown(node: ast.AsmStatement, loc: Loc): Stmt[] {
    const writes: Stmt[] = [];
    for (const operand of node.operands ?? []) {
      if (!operand.output) continue;
      const lvalue = this.lvalue(operand.value);
      const scalar = irScalarType(decay(lvalue.type));
      if (!scalar) continue;
      writes.push({ op: 'expr', expr: this.storeLValue(lvalue, { op: 'callHelper', name: UNSIMULATED_VALUE, helperId: -3, args: [], type: scalar, loc }, loc), loc });
    }
    return writes;
  }

  /**
   * A small program of moves, ALU instructions and forward jumps on integer operands (asmProgram.ts says which are
   * simulated): each register a 64-bit temp (signed for those only signed comparisons read: signedRegisters()), loaded
   * from its operand (extended as C converts it), the program's paths
   * spelled out, each output stored back (truncated to its type). Undefined when it is not of those shapes.
   */
  protected asmProgram(node: ast.AsmStatement, loc: Loc): Stmt | undefined {
    const operands = node.operands;
    if (!operands || node.instructions === undefined) return undefined;
    const u64 = Types.unsignedLongLong;
    /** What each operand is: a register (its own, or the output it is tied to) or an immediate. */
    const register = new Map<number, number>();
    const immediates = new Map<number, bigint>();
    const types = new Map<number, CType>();
    for (const [i, operand] of operands.entries()) {
      const constraint = operand.constraint.replace(/&/g, '');
      if (operand.output) {
        if (constraint !== '+r' && constraint !== '=r') return undefined;
        register.set(i, i);
        types.set(i, this.typeOf(operand.value));
      } else if (constraint === 'i' || constraint === 'n') {
        const value = this.c.model.evaluate(operand.value);
        if (value === undefined) return undefined;
        immediates.set(i, value);
      } else if (constraint === 'r') {
        register.set(i, i);
        types.set(i, promote(this.typeOf(operand.value)));
      } else if (/^\d+$/.test(constraint) && operands[Number(constraint)]?.output) {
        register.set(i, Number(constraint)); // tied: the output's register, starting with this input's value
      } else return undefined;
    }
    for (const type of types.values()) if (irScalarType(type)?.kind !== 'int') return undefined;
    const program = parseAsmProgram(node.instructions, {
      indexOf: (name, position) => {
        const index = name !== undefined ? operands.findIndex((o) => o.name === name) : Number(position);
        return index >= 0 && index < operands.length ? (immediates.has(index) ? index : register.get(index)) : undefined;
      },
      immediateOf: (operand) => immediates.get(operand),
      isWide: (operand) => sizeOf(types.get(operand)!) === 8,
    });
    if (!program) return undefined;
    const signed = signedRegisters(program);
    const body: Stmt[] = [];
    const temps = new Map<number, number>();
    const startsDefined = new Set<number>();
    const outputs: Array<{ operand: number; store: (value: Expr) => Expr }> = [];
    const tempOf = (operand: number): number => {
      let temp = temps.get(operand);
      if (temp === undefined) temps.set(operand, temp = this.newTemp(registerType(operand), loc));
      return temp;
    };
    const registerIrType = (operand: number): IntType => registerTempType(signed, operand);
    const registerType = (operand: number): CType => (registerIrType(operand).signed ? Types.longLong : u64);
    const load = (operand: number, value: Expr, type: CType) => {
      body.push({ op: 'expr', expr: { op: 'assign', id: tempOf(operand), value: this.convert(value, type, registerType(operand), loc), type: registerIrType(operand), loc }, loc });
      startsDefined.add(operand);
    };
    // C evaluates every operand before the statement: the outputs' places, then the inputs' values
    for (const [i, operand] of operands.entries()) {
      if (!operand.output) continue;
      const stable = this.stabilize(this.lvalue(operand.value), loc);
      if (stable.setup) body.push({ op: 'expr', expr: stable.setup, loc });
      const type = types.get(i)!;
      if (operand.constraint.startsWith('+')) load(i, this.loadLValue(stable.lvalue, loc), type);
      outputs.push({ operand: i, store: (value) => this.storeLValue(stable.lvalue, this.convert(value, registerType(i), type, loc), loc) });
    }
    for (const [i, operand] of operands.entries()) {
      if (operand.output || immediates.has(i)) continue;
      const own = register.get(i)!;
      load(own, this.rvalue(operand.value), own === i ? types.get(i)! : promote(this.typeOf(operand.value)));
    }
    const statements = lowerAsmProgram(program, {
      temp: tempOf,
      startsDefined: (operand) => startsDefined.has(operand),
      outputs: outputs.map((o) => o.operand),
    }, signed, loc);
    if (!statements) return undefined;
    body.push(...statements);
    for (const output of outputs) body.push({ op: 'expr', expr: output.store({ op: 'local', id: tempOf(output.operand), type: registerIrType(output.operand), loc }), loc });
    return { op: 'block', body, loc };
  }

  protected switchStatement(node: ast.SwitchStatement): Stmt {
    const loc = locOf(node);
    const discriminantType = promote(this.typeOf(node.discriminant));
    const test = this.rvalueAs(node.discriminant, discriminantType);
    // A discriminant that is not an integer (sema reported it; error recovery can make one) compares as int.
    const scalar = irScalarType(discriminantType);
    const caseType: IntType = scalar?.kind === 'int' ? scalar : S32;
    const cases: Array<{ values: bigint[] | 'default'; body: Stmt[]; loc: Loc }> = [];
    const items = node.body.kind === 'Compound' ? node.body.items : [node.body];
    let current: { values: bigint[] | 'default'; body: Stmt[]; loc: Loc } | undefined;
    const open = (values: bigint[] | 'default', at: ast.Node) => { current = { values, body: [], loc: locOf(at) }; cases.push(current); };
    const pushStatement = (s: ast.Statement | ast.Declaration | ast.StaticAssert) => {
      // Nested labels: `case 1: case 2: stmt` arrives as Case(Case(stmt)).
      let inner: ast.Statement | ast.Declaration | ast.StaticAssert = s;
      while (inner.kind === 'Case' || inner.kind === 'Default') {
        if (inner.kind === 'Default') open('default', inner);
        else {
          const first = this.c.model.evaluate(inner.value) ?? 0n;
          const last = inner.last ? this.c.model.evaluate(inner.last) ?? first : first;
          const values: bigint[] = [];
          for (let v = first; v <= last && values.length < 4096; v++) values.push(BigInt.asUintN(64, v));
          open(values.map((v) => wrapTo(v, caseType)), inner);
        }
        inner = inner.body;
      }
      if (!current) open([], s); // statements before the first label never run, but are still checked
      if (inner.kind === 'Declaration') appendAll(current!.body, this.localDeclaration(inner));
      else if (inner.kind !== 'StaticAssert') current!.body.push(this.statement(inner));
    };
    const { label } = this.withJumpScope('switch', () => { for (const item of items) pushStatement(item); });
    return { op: 'switch', test, cases, label, loc };
  }
}

/**
 * The prototype the verifier checks a global function by (btf_prepare_func_args()), when the call is one clang keeps:
 * the function is `__noinline` (clang may inline any other), not `visibility("hidden")` (libbpf verifies those as
 * static subprograms) and no parameter carries a `btf_decl_tag("arg:...")` nor is a dynptr or an iterator (other
 * rules, not modelled: such functions are analysed with the caller's arguments, as static ones).
 */
function globalSignatureOf(f: ProgramFunction, returns: CType): { globalSignature?: GlobalSignature } {
  const def = f.definition;
  const fnAttrs = [...def.specifiers.attributes, ...def.declarator.attributes];
  if (!fnAttrs.some((a) => a.name === 'noinline')) return {};
  if (fnAttrs.some((a) => a.name === 'visibility' && a.args.some((x) => x.kind === 'StringLiteral' && x.value === 'hidden'))) return {};
  const derivation = def.declarator.derivations[def.declarator.derivations.length - 1];
  if (derivation?.kind !== 'Function') return {};
  const args: GlobalSignature['args'] = [];
  for (const [i, p] of derivation.parameters.entries()) {
    const attrs = [...p.specifiers.attributes, ...p.declarator.attributes,
      ...p.declarator.derivations.flatMap((d) => (d.kind === 'Pointer' ? d.attributes : []))];
    if (attrs.some((a) => a.name === 'btf_decl_tag')) return {};
    const t = resolve(f.parameters[i] ?? Types.int);
    if (t.kind === 'void' && derivation.parameters.length === 1) break;
    if (t.kind === 'int' || t.kind === 'enum') { args.push({ kind: 'scalar' }); continue; }
    if (t.kind !== 'pointer') return {};
    const to = resolve(t.to);
    if (to.kind === 'record' && to.record.name !== undefined && /^(bpf_dynptr|bpf_iter_(?!_)|bpf_timer|bpf_wq|bpf_list_|bpf_rb_)/.test(to.record.name)) return {};
    const size = to.kind === 'void' || to.kind === 'function' ? undefined : sizeOf(to);
    if (size === 0) return {};
    args.push(size === undefined ? { kind: 'unsized', type: to.kind === 'record' ? `${to.record.tag} ${to.record.name ?? ''}` : to.kind } : { kind: 'mem', size });
  }
  const r = returns.kind;
  return { globalSignature: { returnsScalar: r === 'int' || r === 'enum', args } };
}

function ptrToType(type: CType): CType {
  return { kind: 'pointer', to: type };
}
