/** The JIT's statements, functions (frame entry and exit) and the whole generated module. */
import type { IrFunction, Stmt } from '../../lang/ir';
import { Code, join, js, literal } from '../codeBuilder';
import { MAX_CALL_FRAMES } from '../memory';
import type { LocalVar, Target } from './compilerBase';
import { ExpressionCompiler } from './expressions';
import { HOST_ORDER } from './host';

export class ModuleCompiler extends ExpressionCompiler {
  compile(): { params: Code[]; body: Code } {
    const fns = this.ir.functions.map((f, i) => this.compileFunction(f, this.fnNames[i]));
    const entries = this.ir.functions.map((f, i) => this.entryAdapter(f, this.fnNames[i]));
    const L = this.budgetVar, S = this.stackVar, SP = this.stackTop, D = this.callDepth;
    const st = this.vars.fresh(), left = this.vars.fresh(), fresh = this.vars.fresh(), ht = this.vars.fresh(), cb = this.vars.fresh(), dh = this.vars.fresh();
    const staticDecls = this.staticVars.map((v) => js`let ${v.r} = undefined, ${v.o} = 0, ${v.a} = 0n;`);
    const staticResets = this.staticVars.map((v) => js`${v.r} = undefined;`);
    const cacheDecls = this.pointerCaches.map((c) => js`let ${c.r} = null, ${c.lo} = 0, ${c.hi} = 0, ${c.n} = 0, ${c.g} = 0;`);
    const cacheResets = this.pointerCaches.map((c) => js`${c.r} = null; ${c.n} = 0;`);
    const mem = this.vars.fresh();
    const body = js`let ${L} = 0, ${SP} = 0, ${D} = 0;
let ${S} = null, ${this.helperTable} = null, ${this.callbackVar} = null, ${this.directHelpers} = null, ${this.memoryVar} = null;
${join(staticDecls, '\n')}
${join(cacheDecls, '\n')}
${join(fns, '\n')}
return { entries: [${join(entries, ', ')}], begin(${st}, ${left}, ${fresh}, ${ht}, ${cb}, ${dh}, ${mem}) { ${S} = ${st}; ${this.helperTable} = ${ht}; ${this.callbackVar} = ${cb}; ${this.directHelpers} = ${dh}; ${this.memoryVar} = ${mem}; ${L} = ${left}; ${SP} = 0; ${D} = 0; if (${fresh}) { ${join(staticResets, '')} ${join(cacheResets, '')} } }, again(${left}) { ${L} = ${left}; ${SP} = 0; ${D} = 0; }, left() { return ${L}; } };`;
    return { params: HOST_ORDER.map((k) => this.h[k]), body };
  }


  /** The new frame's bytes zeroed (as RunRuntime.enterFrame() does): a small frame 8 bytes at a time, inline. */
  protected zeroFrame(size: number): Code {
    if (size <= 0) return js``;
    if (size % 8 !== 0 || size > 64) return js`${this.stackVar}.bytes.fill(0, ${this.frameBase}, ${this.frameBase} + ${literal(size)});`;
    const stores: Code[] = [];
    for (let at = 0; at < size; at += 8) stores.push(js`${this.stackVar}.view.setFloat64(${this.frameBase} + ${literal(at)}, 0);`);
    return join(stores, '');
  }

  /** `(args) => f(entryLoc, ...converted args)`: integers pass through, pointers split into region and offset. */
  protected entryAdapter(f: IrFunction, name: Code): Code {
    const A = this.fresh();
    const lines: Code[] = [];
    const callArgs: Code[] = [literal(this.locIndex(f.loc))];
    f.params.forEach((id, i) => {
      const a = this.fresh();
      lines.push(js`const ${a} = ${A}[${literal(i)}];`);
      if (f.locals.find((l) => l.id === id)?.type?.kind === 'ptr') {
        const r = this.fresh(), o = this.fresh(), q = this.fresh();
        lines.push(js`let ${r} = null, ${o} = 0;
if (typeof ${a} === 'bigint') { const ${q} = ${this.h.resolve}(${a}); ${r} = ${q}.region; ${o} = ${q}.offset; }
else if (${a} !== undefined) { ${r} = ${a}.region; ${o} = ${a}.offset; }`);
        callArgs.push(r, o);
      } else {
        const v = this.fresh();
        lines.push(js`const ${v} = ${a} === undefined ? 0n : typeof ${a} === 'bigint' ? ${a} : ${this.h.addrOf}(${a});`);
        callArgs.push(v);
      }
    });
    return js`function (${A}) {
${join(lines, '\n')}
return ${name}(${join(callArgs, ', ')});
}`;
  }

  protected compileFunction(f: IrFunction, name: Code): Code {
    this.func = f;
    this.locals = new Map();
    this.targets = [];
    this.slotOffsets = new Map(f.slots.map((s) => [s.id, s.offset]));
    this.out = [];
    this.frameBase = this.fresh();
    this.bodyLabel = this.labels.fresh();
    this.retVar = f.returnType.kind === 'ptr' ? { kind: 'ptr', r: this.fresh(), o: this.fresh() } : { kind: 'int', v: this.fresh() };
    const callerLoc = this.fresh();
    const jsParams: Code[] = [callerLoc];
    const paramValues: LocalVar[] = [];
    for (const l of f.locals) if (l.slot === undefined) this.declareLocal(l.id, l.type);
    f.params.forEach((id) => {
      const l = f.locals.find((x) => x.id === id);
      const pv: LocalVar = l?.type?.kind === 'ptr' ? { kind: 'ptr', r: this.fresh(), o: this.fresh() } : { kind: 'int', v: this.fresh() };
      paramValues.push(pv);
      if (pv.kind === 'ptr') jsParams.push(pv.r, pv.o); else jsParams.push(pv.v);
    });
    this.paramValues = paramValues;
    const prologue: Code[] = [];
    f.params.forEach((id, i) => {
      const l = f.locals.find((x) => x.id === id);
      const pv = paramValues[i];
      if (l?.slot !== undefined) {
        const bits = pv.kind === 'int' ? pv.v : this.address(pv.r, pv.o);
        prologue.push(js`${this.stackVar}.view.setBigUint64(${this.frameBase} + ${literal(this.slotOffsets.get(l.slot) ?? 0)}, ${this.h.asU}(64, ${bits}), true);`);
      } else {
        const lv = this.declareLocal(id, l?.type);
        if (lv.kind === 'ptr' && pv.kind === 'ptr') prologue.push(js`${lv.r} = ${pv.r}; ${lv.o} = ${pv.o};`);
        else if (lv.kind === 'int' && pv.kind === 'int') prologue.push(js`${lv.v} = ${pv.v};`);
      }
    });
    const body = this.nested(() => this.stmt(f.body));
    const decls: Code[] = [];
    for (const lv of this.locals.values()) {
      decls.push(lv.kind === 'ptr' ? js`let ${lv.r} = null, ${lv.o} = 0;` : js`let ${lv.v} = 0n;`);
    }
    const rv = this.retVar;
    const retDecl = rv.kind === 'ptr' ? js`let ${rv.r} = null, ${rv.o} = 0;` : js`let ${rv.v} = 0n;`;
    const retExpr = rv.kind === 'ptr' ? js`(${rv.r} === null ? ${this.h.nullPtr} : { region: ${rv.r}, offset: ${rv.o} })`
      : rv.v;
    return js`function ${name}(${join(jsParams, ', ')}) {
if (${this.callDepth} >= ${literal(MAX_CALL_FRAMES)} || ${this.stackTop} + ${literal(f.stackSize)} > ${this.stackVar}.bytes.length) throw ${this.h.enterFail}(${literal(f.stackSize)}, ${literal(f.index)}, ${callerLoc}, ${this.stackTop}, ${this.callDepth});
const ${this.frameBase} = ${this.stackTop};
${this.zeroFrame(f.stackSize)}
${this.stackTop} = ${this.frameBase} + ${literal(f.stackSize)};
${this.callDepth}++;
${join(decls, '\n')}
${retDecl}
${join(prologue, '\n')}
${this.bodyLabel}: {
${body}
}
${this.stackTop} = ${this.frameBase};
${this.callDepth}--;
return ${retExpr};
}`;
  }

  // ---- statements ----

  /** The innermost target, or the enclosing one of an IR label; JS labeled break leaves any enclosing block. */
  protected jumpTarget(label: number | undefined): Target | undefined {
    if (label === undefined) return this.targets[this.targets.length - 1];
    for (let i = this.targets.length - 1; i >= 0; i--) if (this.targets[i].label === label) return this.targets[i];
    return undefined;
  }

  protected stmt(s: Stmt): void {
    const L = this.budgetVar;
    this.emit(js`if (${L}-- === 0) ${L} = ${this.h.refill}(${this.k(s.loc)});`);
    switch (s.op) {
      case 'expr': this.discarded(s.expr); return;
      case 'block': {
        const inner = this.nested(() => { for (const b of s.body) this.stmt(b); });
        this.emit(js`{\n${inner}\n}`);
        return;
      }
      case 'if': {
        const t = this.truthy(this.value(s.test));
        const thenCode = this.nested(() => this.stmt(s.then));
        if (s.else !== undefined) {
          const elseCode = this.nested(() => this.stmt(s.else!));
          this.emit(js`if ${t} {\n${thenCode}\n} else {\n${elseCode}\n}`);
        } else {
          this.emit(js`if ${t} {\n${thenCode}\n}`);
        }
        return;
      }
      case 'loop': {
        const loopLabel = this.labels.fresh();
        const bodyLabel = this.labels.fresh();
        const init = s.init !== undefined ? this.nested(() => this.stmt(s.init!)) : js``;
        const test = (): Code => s.test === undefined ? js`` : this.nested(() => {
          const t = this.truthy(this.value(s.test!));
          this.emit(js`if (!${t}) break ${loopLabel};`);
        });
        const pre = s.testFirst ? test() : js``;
        this.targets.push({ brk: loopLabel, cont: bodyLabel, label: s.label });
        const body = this.nested(() => this.stmt(s.body));
        this.targets.pop();
        const update = s.update !== undefined ? this.nested(() => { this.value(s.update!); }) : js``;
        const post = s.testFirst ? js`` : test();
        this.emit(js`{\n${init}\n${loopLabel}: for (;;) {\n${pre}\n${bodyLabel}: {\n${body}\n}\n${update}\n${post}\n}\n}`);
        return;
      }
      case 'break': {
        const t = this.jumpTarget(s.label);
        this.emit(js`break ${t === undefined ? this.bodyLabel : t.brk};`);
        return;
      }
      case 'continue': {
        const t = this.jumpTarget(s.label);
        this.emit(js`break ${t === undefined || t.cont === null ? this.bodyLabel : t.cont};`);
        return;
      }
      case 'return': {
        const rv = this.retVar;
        if (s.value === undefined) {
          this.emit(rv.kind === 'ptr' ? js`${rv.r} = null; ${rv.o} = 0;` : js`${rv.v} = 0n;`);
        } else if (rv.kind === 'ptr') {
          const p = this.ptr(s.value);
          this.emit(js`${rv.r} = ${p.r}; ${rv.o} = ${p.o};`);
        } else {
          // normalised here rather than at the exit: the same value, and a constant is normalised at compile time
          const ft = this.func.returnType;
          this.emit(js`${rv.v} = ${ft.kind === 'int' ? this.norm(this.int(s.value), ft) : this.int(s.value)};`);
        }
        this.emit(js`break ${this.bodyLabel};`);
        return;
      }
      case 'switch': {
        const key = this.int(s.test);
        const label = this.labels.fresh();
        const enclosing = this.targets[this.targets.length - 1];
        this.targets.push({ brk: label, cont: enclosing === undefined ? null : enclosing.cont, label: s.label });
        const clauses = s.cases.map((c) => {
          const heads = c.values === 'default' ? js`default:` : join(c.values.map((v) => js`case ${literal(v)}: `), '');
          const body = this.nested(() => { for (const b of c.body) this.stmt(b); });
          return js`${heads} {\n${body}\n}`;
        });
        this.targets.pop();
        this.emit(js`${label}: switch (${key}) {\n${join(clauses, '\n')}\n}`);
        return;
      }
      case 'declare': {
        if (s.init === undefined) return;
        const local = this.func.locals.find((l) => l.id === s.id);
        if (local?.slot !== undefined) {
          const size = local.type?.kind === 'int' ? (local.type.bits >> 3) as 1 | 2 | 4 | 8 : 8;
          const v = this.value(s.init);
          const bits = v.kind === 'int' ? v.v : this.address(v.r, v.o);
          this.storeBits(this.stackVar, js`(${this.frameBase} + ${literal(this.slotOffsets.get(local.slot) ?? 0)})`, size, bits, s.loc);
          return;
        }
        const lv = this.declareLocal(s.id, local?.type ?? s.init.type);
        this.assignLocal(lv, s.init, local?.type?.kind === 'int' ? local.type : undefined);
        return;
      }
      default: throw new Error(`unknown statement ${JSON.stringify((s as { op: unknown }).op)}`);
    }
  }

}
