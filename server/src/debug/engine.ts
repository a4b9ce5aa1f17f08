/**
 * The debugger engine: runs the iterator through the run driver with the interpreter's debug hooks and decides,
 * before every statement, whether to stop. It is synchronous like the interpreter: it pauses by waiting for the
 * adapter's next message (in a worker thread, blocked on Atomics.wait), answering queries (stack, variables,
 * evaluate) while paused and returning from the hook to resume.
 */
import * as path from 'path';
import type { Stmt, Local, IrFunction, Loc } from '../lang/ir';
import type { CType } from '../lang/types';
import { resolve, typeToString } from '../lang/types';
import { SourceFile } from '../lang/sourceFile';
import type { Frame, DebugHooks } from '../exec/debugHooks';
import type { ExecRegion, Pointer } from '../exec/values';
import { runIterator } from '../exec/runner';
import type { IterRunContext } from '../kernel/iter';
import type { Kernel } from '../kernel';
import { createLanguageService, defaultSettings } from '../service/languageService';
import { createNodeHost } from '../service/host';
import type { Analysis } from '../service/analysis';
import type { ResolvedScenario } from '../service/languageService';
import { Inspector, quotedBytes, type Place, type ShownValue } from './inspect';
import { hexDump, hexDumpLine, hexDumpLineCount } from '../../../shared/src/hexdump';
import { ExpressionEvaluator } from './expression';
import { ExpressionReader } from '../lang/expressionText';
import type { FromEngine, LaunchArguments, Query, ResumeMode, SourceBreakpoint, StopInfo, ToEngine } from './messages';

export interface EngineChannel {
  post(message: FromEngine): void;
  /** The next waiting message, or undefined. */
  receive(): ToEngine | undefined;
  /** Blocks until a message may be waiting. */
  wait(): void;
  /** Cheap check, made before every statement, for messages sent while the program runs (pause, breakpoints). */
  pending(): boolean;
}

interface Breakpoint extends SourceBreakpoint { hits: number }

interface DapVariable { name: string; value: string; type?: string; variablesReference: number; evaluateName?: string }

export const FILTER_ERRORS = 'errors';
export const FILTER_FINAL_CALL = 'finalCall';
export const FILTER_SEQ_NUM = 'seqNum';

export class DebugEngine implements DebugHooks {
  private analysis!: Analysis;
  /** The program's file scope for casts and sizeof in watch expressions (set with the analysis). */
  private expressionReader?: ExpressionReader;
  private scenario!: ResolvedScenario;
  private readonly breakpoints = new Map<string, Map<number, Breakpoint>>();
  private functionBreakpoints = new Map<string, string | undefined>();
  private filters = new Set<string>([FILTER_ERRORS]);
  private seqNumStops: bigint[] = [];
  private readonly sources = new Map<number, SourceFile>();
  private stepMode: ResumeMode = 'continue';
  private stepDepth = 0;
  private stepInvocation = 0;
  private pauseRequested = false;
  private entryStop: StopInfo | undefined;
  private terminated = false;
  // Where the program is.
  private frames: ReadonlyArray<Frame> = [];
  private readonly currentStmt: Stmt[] = [];
  private readonly lastLineAt: number[] = [];
  private readonly lineEntryAt: Array<Stmt | undefined> = [];
  private readonly frameAt: Array<Frame | undefined> = [];
  private invocation = 0;
  private invocationAt: number[] = [];
  private ctx: IterRunContext | undefined;
  private kernel: Kernel | undefined;
  private errorLocation: { path: string; line: number; column: number } | undefined;
  // Values shown while paused; references are valid until the program resumes.
  private handles = new Map<number, () => DapVariable[]>();
  private nextHandle = 1;
  private inspector: Inspector | undefined;
  private readonly ctypes = new Map<object, CType | undefined>();
  private sectionRegions = new Map<string, ExecRegion>();

  constructor(private readonly launch: LaunchArguments, private readonly channel: EngineChannel) {}

  /** Compiles and checks the program; the adapter reports an error here as a failed launch. */
  prepare(): string | undefined {
    try {
      const settings = { ...defaultSettings(), includePaths: this.launch.includePaths ?? [] };
      if (this.launch.instructionBudget !== undefined) settings.instructionBudget = this.launch.instructionBudget;
      if (this.launch.cpus !== undefined) settings.cpus = this.launch.cpus;
      const service = createLanguageService(createNodeHost(), settings);
      const file = path.resolve(this.launch.program);
      const text = require('fs').readFileSync(file, 'utf8') as string;
      const { analysis, scenario } = service.analyze(file, text, { scenario: this.launch.scenario, map: this.launch.map });
      this.analysis = analysis;
      this.expressionReader = undefined;
      this.scenario = scenario;
      if (this.launch.stopOnEntry) this.entryStop = { reason: 'entry', description: 'Paused on entry' };
      return undefined;
    } catch (e) {
      return `cannot open ${this.launch.program}: ${e instanceof Error ? e.message : String(e)}`;
    }
  }

  /** Serves configuration messages until 'start', runs the iterator, then reports the output. */
  async main(): Promise<void> {
    const error = this.prepare();
    this.channel.post({ type: 'ready', error });
    if (error !== undefined) return;
    while (!this.terminated) {
      const message = this.nextMessage();
      if (message.type === 'start') break;
      this.handle(message);
    }
    if (this.terminated) { this.channel.post({ type: 'finished', exitCode: 1 }); return; }
    const budget = this.launch.instructionBudget ?? defaultSettings().instructionBudget;
    const result = await runIterator({
      analysis: this.analysis, scenario: this.scenario.scenario, scenarioProblems: this.scenario.problems,
      scenarioPath: this.scenario.path, program: this.launch.programName, map: this.launch.map, cpus: this.launch.cpus,
      instructionBudget: budget, isCancelled: () => this.terminated, readBytes: (p) => createNodeHost().readBytes?.(p),
      debug: { hooks: this, onInvocation: (ctx, kernel) => this.onInvocation(ctx, kernel) },
    });
    if (result.output) this.channel.post({ type: 'output', category: 'stdout', text: result.output });
    else if (result.outputBytes.length) {
      // not UTF-8 (binary records): a text console would corrupt it, so it is shown as hexdump -C shows it
      this.channel.post({ type: 'output', category: 'console', text: `The output is not UTF-8 text (${result.outputBytes.length} bytes); as hexdump -C shows it:\n` });
      this.channel.post({ type: 'output', category: 'stdout', text: hexDump(result.outputBytes) });
    }
    if (result.error && !this.terminated) {
      const e = result.error;
      this.channel.post({ type: 'output', category: 'stderr', text: `bpf-iter: ${e.errno}: ${e.message}\n`, path: e.file, line: e.range ? e.range.start.line + 1 : undefined });
      if (this.filters.has(FILTER_ERRORS)) {
        this.errorLocation = e.file && e.range ? { path: e.file, line: e.range.start.line + 1, column: e.range.start.character + 1 } : undefined;
        this.pauseAt({ reason: 'exception', description: `${e.errno}: ${e.message}`, text: e.message });
      }
    }
    this.channel.post({ type: 'finished', exitCode: result.error ? 1 : 0 });
  }

  private onInvocation(ctx: IterRunContext, kernel: Kernel): void {
    this.ctx = ctx;
    this.kernel = kernel;
    this.invocation++;
    if (ctx.inStop ? this.filters.has(FILTER_FINAL_CALL) : this.filters.has(FILTER_SEQ_NUM) && this.seqNumStops.includes(ctx.seqNum)) {
      this.entryStop = ctx.inStop
        ? { reason: 'exception', description: 'Final call (NULL object after the last one)', text: 'final call' }
        : { reason: 'exception', description: `Program called for object seq_num ${ctx.seqNum}`, text: `seq_num ${ctx.seqNum}` };
    }
  }

  onStatement(frame: Frame, stmt: Stmt, frames: ReadonlyArray<Frame>): 'abort' | void {
    if (this.terminated) return 'abort';
    if (!isStopPlace(stmt)) return;
    const depth = frames.length;
    const i = depth - 1;
    this.frames = frames;
    this.currentStmt[i] = stmt;
    if (this.channel.pending()) this.drainWhileRunning();
    if (this.frameAt[i] !== frame || this.invocationAt[i] !== this.invocation) {
      this.frameAt[i] = frame;
      this.invocationAt[i] = this.invocation;
      this.lastLineAt[i] = -1;
      this.lineEntryAt[i] = undefined;
      if (this.functionBreakpoints.size && this.functionBreakpoints.has(frame.func.name)) {
        const condition = this.functionBreakpoints.get(frame.func.name);
        if (condition === undefined || this.conditionHolds(condition)) {
          this.entryStop ??= { reason: 'function breakpoint', description: `Entered ${frame.func.name}` };
        }
      }
    }
    const line = this.lineOf(stmt.loc);
    const arrived = line !== this.lastLineAt[i] || stmt === this.lineEntryAt[i];
    if (arrived) { this.lastLineAt[i] = line; this.lineEntryAt[i] = stmt; }
    let stop: StopInfo | undefined;
    if (this.pauseRequested) { this.pauseRequested = false; stop = { reason: 'pause', description: 'Paused' }; }
    else if (this.entryStop) { stop = this.entryStop; this.entryStop = undefined; }
    else if (arrived && this.stepMode !== 'continue' && this.stepDone(depth)) stop = { reason: 'step', description: 'Step' };
    if (stop === undefined && arrived) stop = this.breakpointAt(stmt.loc, line);
    if (stop !== undefined) this.pauseAt(stop);
    return this.terminated ? 'abort' : undefined;
  }

  private stepDone(depth: number): boolean {
    const newInvocation = this.invocation !== this.stepInvocation;
    switch (this.stepMode) {
      case 'stepIn': return true;
      case 'next': return newInvocation || depth <= this.stepDepth;
      case 'stepOut': return newInvocation || depth < this.stepDepth;
      default: return false;
    }
  }

  private breakpointAt(loc: Loc, line: number): StopInfo | undefined {
    const file = this.analysis.pp.files[loc.file];
    const bp = file ? this.breakpoints.get(path.resolve(file.path))?.get(line) : undefined;
    if (bp === undefined) return undefined;
    if (bp.condition && !this.conditionHolds(bp.condition)) return undefined;
    bp.hits++;
    if (bp.hitCondition && !hitConditionHolds(bp.hitCondition, bp.hits)) return undefined;
    if (bp.logMessage !== undefined) {
      const text = bp.logMessage.replace(/\{([^}]+)\}/g, (_, expr: string) => {
        try { return this.showExpression(expr).value; } catch (e) { return `<${e instanceof Error ? e.message : String(e)}>`; }
      });
      this.channel.post({ type: 'output', category: 'console', text: text + '\n', path: file.path, line });
      return undefined;
    }
    return { reason: 'breakpoint', description: `Breakpoint at line ${line}` };
  }

  private conditionHolds(condition: string): boolean {
    try {
      return this.evaluator(this.frames.length - 1).truthy(condition);
    } catch (e) {
      // A condition that cannot be evaluated stops, with the reason, rather than being ignored silently.
      this.channel.post({ type: 'output', category: 'stderr', text: `breakpoint condition '${condition}': ${e instanceof Error ? e.message : String(e)}\n` });
      return true;
    }
  }

  /** Reports the stop and serves the adapter until it resumes. */
  private pauseAt(stop: StopInfo): void {
    this.channel.post({ type: 'stopped', stop });
    this.stepMode = 'continue';
    for (;;) {
      const message = this.nextMessage();
      if (message.type === 'resume') {
        this.stepMode = message.mode;
        this.stepDepth = this.frames.length;
        this.stepInvocation = this.invocation;
        break;
      }
      this.handle(message);
      if (this.terminated) break;
    }
    this.handles = new Map();
    this.nextHandle = 1;
  }

  private nextMessage(): ToEngine {
    for (;;) {
      const m = this.channel.receive();
      if (m !== undefined) return m;
      this.channel.wait();
    }
  }

  private drainWhileRunning(): void {
    for (let m = this.channel.receive(); m !== undefined; m = this.channel.receive()) {
      if (m.type === 'resume' || m.type === 'start') continue;
      this.handle(m);
    }
  }

  private handle(m: ToEngine): void {
    switch (m.type) {
      case 'pause': this.pauseRequested = true; return;
      case 'terminate': this.terminated = true; return;
      case 'setBreakpoints': {
        const table = new Map<number, Breakpoint>();
        const lines = this.statementLines(path.resolve(m.path));
        const verified = m.breakpoints.map((bp) => {
          const line = lines.find((l) => l >= bp.line && l < bp.line + 20);
          if (line !== undefined) table.set(line, { ...bp, line, hits: 0 });
          return { verified: line !== undefined, line: line ?? bp.line, message: line === undefined ? 'no statement on or after this line' : undefined };
        });
        this.breakpoints.set(path.resolve(m.path), table);
        this.channel.post({ type: 'reply', reply: m.reply, body: verified });
        return;
      }
      case 'setFunctionBreakpoints': {
        this.functionBreakpoints = new Map();
        const names = new Set(this.analysis.lowered.program.functions.map((f) => f.name));
        const verified = m.names.map((b) => {
          const seq = /^\s*seq_num\s*(?:==?)?\s*(\d+)\s*$/.exec(b.name);
          if (seq) { this.filters.add(FILTER_SEQ_NUM); this.seqNumStops.push(BigInt(seq[1])); return { verified: true }; }
          if (/^\s*(final|final call|NULL)\s*$/i.test(b.name)) { this.filters.add(FILTER_FINAL_CALL); return { verified: true }; }
          if (!names.has(b.name)) return { verified: false, message: `no function named ${b.name} (use seq_num==N or final for iterator stops)` };
          this.functionBreakpoints.set(b.name, b.condition);
          return { verified: true };
        });
        this.channel.post({ type: 'reply', reply: m.reply, body: verified });
        return;
      }
      case 'setExceptionFilters':
        this.filters = new Set(m.filters);
        this.seqNumStops = [...m.seqNums];
        this.channel.post({ type: 'reply', reply: m.reply, body: true });
        return;
      case 'query':
        try {
          this.channel.post({ type: 'reply', reply: m.reply, body: this.answer(m.query) });
        } catch (e) {
          this.channel.post({ type: 'reply', reply: m.reply, error: e instanceof Error ? e.message : String(e) });
        }
        return;
      default: return;
    }
  }

  private answer(q: Query): unknown {
    switch (q.what) {
      case 'stackTrace': return this.stackTrace();
      case 'scopes': return this.scopes(q.frameId);
      case 'variables': return (this.handles.get(q.reference) ?? (() => []))();
      case 'evaluate': {
        const depth = q.frameId !== undefined ? q.frameId : this.frames.length - 1;
        const place = this.evaluator(depth).evaluate(q.expression);
        const shown = this.inspect().show(place);
        return { result: shown.value, type: shown.type, variablesReference: this.handleFor(shown, q.expression) };
      }
    }
  }

  private showExpression(expr: string): ShownValue {
    return this.inspect().show(this.evaluator(this.frames.length - 1).evaluate(expr));
  }

  // Stack frames are numbered by depth: 0 is the program, the innermost call the highest.
  private stackTrace(): Array<{ id: number; name: string; path?: string; line: number; column: number }> {
    const out: Array<{ id: number; name: string; path?: string; line: number; column: number }> = [];
    for (let d = this.frames.length - 1; d >= 0; d--) {
      const stmt = this.currentStmt[d];
      const where = stmt ? this.position(stmt.loc) : { path: undefined, line: 0, column: 0 };
      out.push({ id: d, name: this.frames[d].func.name, ...where });
    }
    if (this.errorLocation) {
      if (out.length) Object.assign(out[0], this.errorLocation);
      else out.push({ id: -1, name: 'bpf_iter_attach_map', ...this.errorLocation });
    }
    return out;
  }

  private scopes(frameId: number): Array<{ name: string; variablesReference: number; presentationHint?: string; expensive: boolean }> {
    const frame = this.frames[frameId];
    const scopes: Array<{ name: string; variablesReference: number; presentationHint?: string; expensive: boolean }> = [];
    if (frame) scopes.push({ name: 'Locals', presentationHint: 'locals', expensive: false, variablesReference: this.register(() => this.localVariables(frame)) });
    scopes.push({ name: 'Globals', expensive: false, variablesReference: this.register(() => this.globalVariables()) });
    scopes.push({ name: 'Kernel', expensive: false, variablesReference: this.register(() => this.kernelVariables()) });
    return scopes;
  }

  private localVariables(frame: Frame): DapVariable[] {
    return frame.func.locals.map((local) => this.variable(local.name, this.localPlace(frame, local), local.name));
  }

  private globalVariables(): DapVariable[] {
    const out: DapVariable[] = [];
    for (const g of this.analysis.lowered.program.globals) {
      const place = this.globalPlace(g.name);
      if (place) out.push(this.variable(g.name, place, g.name));
    }
    return out;
  }

  private kernelVariables(): DapVariable[] {
    const ctx = this.ctx;
    const kernel = this.kernel;
    if (!ctx || !kernel) return [{ name: 'iterator', value: 'not started', variablesReference: 0 }];
    const text = (name: string, value: string, children?: () => DapVariable[]): DapVariable =>
      ({ name, value, variablesReference: children ? this.register(children) : 0 });
    const out: DapVariable[] = [
      text('seq_num', ctx.seqNum.toString()),
      text('session_id', ctx.sessionId.toString()),
      text('call', ctx.inStop ? 'final call (NULL object)' : 'object'),
    ];
    if (ctx.map) out.push(text('map', `id ${ctx.map.id} ${ctx.map.name} (${ctx.map.typeName})`));
    if (ctx.key && ctx.map && !ctx.inStop) {
      const keyBytes = ctx.key.region.bytes.subarray(ctx.key.offset, ctx.key.offset + ctx.map.keySize);
      out.push(text('key bytes', hexBytes(keyBytes)));
      const keyType = this.mapFieldType(ctx.map.name, 'key');
      if (keyType) out.push(this.variable('key', { kind: 'memory', ptr: { region: ctx.key.region as ExecRegion, offset: ctx.key.offset }, type: keyType }));
      const valueType = this.mapFieldType(ctx.map.name, 'value');
      if (ctx.value && valueType) out.push(this.variable('value', { kind: 'memory', ptr: { region: ctx.value.region as ExecRegion, offset: ctx.value.offset }, type: valueType }));
    }
    // the bytes written so far by this read(), exact: binary records show as \xNN escapes and a hexdump -C child
    const seqBytes = ctx.seq.buf.subarray(0, Math.min(ctx.seq.count, ctx.seq.buf.length));
    out.push(text('seq buffer', quotedBytes(seqBytes), seqBytes.length === 0 ? undefined
      : () => Array.from({ length: hexDumpLineCount(seqBytes.length) }, (_, i) => text(`hex ${i}`, hexDumpLine(seqBytes, i)))));
    out.push(text('maps', `${kernel.listMaps().length} maps`, () => kernel.listMaps().map((m) =>
      text(`id ${m.id}`, `${m.name} ${m.typeName} key ${m.keySize} value ${m.valueSize} max_entries ${m.maxEntries}`))));
    return out;
  }

  private variable(name: string, place: Place, evaluateName?: string): DapVariable {
    const shown = this.inspect().show(place);
    return { name, value: shown.value, type: shown.type, variablesReference: this.handleFor(shown, evaluateName), evaluateName };
  }

  private handleFor(shown: ShownValue, evaluateName?: string): number {
    const children = shown.children;
    if (children === undefined) return 0;
    return this.register(() => children().map((c) => this.variable(c.name, c.place, childExpression(evaluateName, c.name))));
  }

  private register(children: () => DapVariable[]): number {
    const id = this.nextHandle++;
    this.handles.set(id, children);
    return id;
  }

  private inspect(): Inspector {
    if (this.inspector === undefined) {
      const memory = this.kernel?.memory;
      this.inspector = new Inspector(memory ?? { find: () => null });
      this.inspector.fieldType = (record, field) =>
        record === 'bpf_iter__bpf_map_elem' && (field === 'key' || field === 'value') && this.ctx?.map ? this.mapFieldType(this.ctx.map.name, field) : undefined;
    }
    return this.inspector;
  }

  private evaluator(depth: number): ExpressionEvaluator {
    const frame = this.frames[depth];
    this.expressionReader ??= new ExpressionReader(this.analysis.compilation.model.fileScope);
    return new ExpressionEvaluator(this.inspect(), (name) => {
      if (frame) {
        const stmt = this.currentStmt[depth];
        const candidates = frame.func.locals.filter((l) => l.name === name);
        const inScope = candidates.filter((l) => !stmt || l.isParam || l.loc.pos <= stmt.loc.pos);
        const local = inScope[inScope.length - 1] ?? candidates[0];
        if (local) return this.localPlace(frame, local);
      }
      return this.globalPlace(name);
    }, this.expressionReader);
  }

  private localPlace(frame: Frame, local: Local): Place {
    const type = this.ctypeOf(local, local.loc);
    if (local.slot !== undefined) {
      const slot = frame.func.slots.find((s) => s.id === local.slot);
      const ptr: Pointer = { region: frame.stack, offset: frame.base + (slot?.offset ?? 0) };
      return type ? { kind: 'memory', ptr, type } : { kind: 'scalar', value: 0n, type: undefined, typeName: local.cType };
    }
    return { kind: 'scalar', value: frame.locals[local.id] ?? 0n, type, typeName: type ? typeToString(type) : local.cType };
  }

  private globalPlace(name: string): Place | undefined {
    const g = this.analysis.lowered.program.globals.find((x) => x.name === name);
    if (!g) return undefined;
    const region = this.sectionRegion(g.section);
    const type = this.ctypeOf(g, g.loc);
    if (!region || !type) return undefined;
    return { kind: 'memory', ptr: { region, offset: g.offset }, type };
  }

  private sectionRegion(section: string): ExecRegion | undefined {
    const cached = this.sectionRegions.get(section);
    if (cached || !this.kernel) return cached;
    const kernel = this.kernel;
    const wanted = this.analysis.dataSections.find((s) => s.name === section)?.mapName;
    if (wanted === undefined) return undefined;
    const info = kernel.listMaps().find((m) => m.name === wanted);
    if (!info) return undefined;
    const fd = kernel.mapGetFdById(info.id);
    try {
      const addr = kernel.mapFromFd(fd).lookupAddr(new Uint8Array(4), kernel.currentCpu);
      const found = kernel.memory.find(addr);
      if (!found) return undefined;
      const r = found.region as ExecRegion;
      const region: ExecRegion = found.offset === 0 ? r : { ...r, bytes: r.bytes.subarray(found.offset), view: new DataView(r.bytes.buffer, r.bytes.byteOffset + found.offset), label: `${wanted}` };
      this.sectionRegions.set(section, region);
      return region;
    } finally {
      kernel.close(fd);
    }
  }

  /** The C type of a declaration, from the front end's symbol at its name. */
  private ctypeOf(key: object, loc: Loc): CType | undefined {
    if (this.ctypes.has(key)) return this.ctypes.get(key);
    let type: CType | undefined;
    const compilation = this.analysis.compilation;
    for (let at = loc.pos; at <= loc.end && type === undefined; at++) {
      const ref = compilation.symbolAt(loc.file, at);
      if (ref?.symbol && ref.symbol.kind !== 'function' && ref.symbol.kind !== 'typedef') type = ref.symbol.type;
    }
    this.ctypes.set(key, type);
    return type;
  }

  /** A SEC(".maps") map's key or value type, from its `__type(key, ...)` member. */
  private mapFieldType(mapName: string, field: 'key' | 'value'): CType | undefined {
    const def = this.analysis.lowered.program.maps.find((m) => m.name === mapName || m.name.slice(0, 15) === mapName);
    if (!def) return undefined;
    const mapType = this.ctypeOf(def, def.loc);
    const rt = mapType ? resolve(mapType) : undefined;
    if (rt?.kind !== 'record') return undefined;
    const f = rt.record.fields.find((x) => x.name === field);
    const ft = f ? resolve(f.type) : undefined;
    return ft?.kind === 'pointer' ? ft.to : undefined;
  }

  private source(file: number): SourceFile {
    let s = this.sources.get(file);
    if (s === undefined) {
      s = new SourceFile(file, this.analysis.pp.files[file]?.path ?? '', this.analysis.pp.files[file]?.text ?? '');
      this.sources.set(file, s);
    }
    return s;
  }

  private lineOf(loc: Loc): number {
    return this.source(loc.file).offsetToPosition(loc.pos).line + 1;
  }

  private position(loc: Loc): { path: string; line: number; column: number } {
    const p = this.source(loc.file).offsetToPosition(loc.pos);
    return { path: this.analysis.pp.files[loc.file]?.path ?? '', line: p.line + 1, column: p.character + 1 };
  }

  /** Lines of a file where a statement starts (where a breakpoint can hit), sorted. */
  private statementLines(filePath: string): number[] {
    const lines = new Set<number>();
    const visit = (s: Stmt | undefined): void => {
      if (s === undefined) return;
      const file = this.analysis.pp.files[s.loc.file];
      if (isStopPlace(s) && file && path.resolve(file.path) === filePath) lines.add(this.lineOf(s.loc));
      switch (s.op) {
        case 'block': s.body.forEach(visit); break;
        case 'if': visit(s.then); visit(s.else); break;
        case 'loop': visit(s.init); visit(s.body); break;
        case 'switch': s.cases.forEach((c) => c.body.forEach(visit)); break;
        default: break;
      }
    };
    this.analysis.lowered.program.functions.forEach((f: IrFunction) => visit(f.body));
    return [...lines].sort((a, b) => a - b);
  }
}

/** Blocks and declarations without an initializer generate no code: a debugger does not stop on them. */
function isStopPlace(s: Stmt): boolean {
  return s.op !== 'block' && !(s.op === 'declare' && s.init === undefined);
}

function hitConditionHolds(condition: string, hits: number): boolean {
  const m = /^\s*(>=|==|>|%)?\s*(\d+)\s*$/.exec(condition);
  if (!m) return true;
  const n = Number(m[2]);
  switch (m[1]) {
    case '>': return hits > n;
    case '==': return hits === n;
    case '%': return n > 0 && hits % n === 0;
    default: return hits >= n; // VS Code's plain number: break from the Nth hit on.
  }
}

function childExpression(parent: string | undefined, child: string): string | undefined {
  if (parent === undefined) return undefined;
  if (child === '*') return `*${parent}`;
  if (child.startsWith('[')) return `${parent}${child}`;
  return `(${parent}).${child}`;
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

