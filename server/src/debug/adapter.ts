/**
 * The Debug Adapter Protocol side of "Debug Iterator" (launch type `bpf-iter`). It runs the iterator in a worker
 * thread (see worker.ts and engine.ts) and relays: requests become engine messages, engine events become DAP
 * events. One thread ("iterator"); stack frames are the program and the static inline functions it called.
 */
import * as path from 'path';
import { Worker, MessageChannel, type MessagePort } from 'worker_threads';
import {
  LoggingDebugSession, InitializedEvent, StoppedEvent, OutputEvent, TerminatedEvent, ExitedEvent, Thread, StackFrame, Source, Scope,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { PENDING, WAKE, type FromEngine, type LaunchArguments, type Query, type ToEngine } from './messages';
import { FILTER_ERRORS, FILTER_FINAL_CALL, FILTER_SEQ_NUM } from './engine';

export const DEBUG_TYPE = 'bpf-iter';
const THREAD_ID = 1;

type BpfLaunchRequestArguments = DebugProtocol.LaunchRequestArguments & LaunchArguments;

export interface AdapterOptions {
  /** Script the worker runs: out/.../debug/workerMain.js when compiled, dist/debug.js (itself) when bundled. */
  workerScript?: string;
}

export class BpfIterDebugSession extends LoggingDebugSession {
  private worker: Worker | undefined;
  private port: MessagePort | undefined;
  private words: Int32Array | undefined;
  private readonly replies = new Map<number, { resolve(body: unknown): void; reject(e: Error): void }>();
  private nextReply = 1;
  private ready: Promise<string | undefined> | undefined;
  private configured = false;
  private finished = false;

  constructor(private readonly options: AdapterOptions = {}) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsFunctionBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsTerminateRequest: true,
      supportsExceptionFilterOptions: true,
      exceptionBreakpointFilters: [
        { filter: FILTER_ERRORS, label: 'Errors (EACCES at attach, faults, instruction budget)', default: true },
        { filter: FILTER_SEQ_NUM, label: 'Object seq_num', description: 'Stop when the program is called for object N (condition: N, or N,M,...)', supportsCondition: true, conditionDescription: 'seq_num values, e.g. 2 or 0,5' },
        { filter: FILTER_FINAL_CALL, label: 'Final call', description: 'Stop on the call with a NULL object after the last one', default: false },
      ],
    };
    this.sendResponse(response);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: BpfLaunchRequestArguments): Promise<void> {
    if (typeof args.program !== 'string' || args.program === '') {
      this.sendErrorResponse(response, 3001, 'the bpf-iter launch configuration needs "program": the path of the .bpf.c file');
      return;
    }
    const launch: LaunchArguments = {
      program: args.program, programName: args.programName, scenario: args.scenario, map: args.map, cpus: args.cpus,
      stopOnEntry: args.stopOnEntry, includePaths: args.includePaths, instructionBudget: args.instructionBudget,
    };
    const error = await this.startWorker(launch);
    if (error !== undefined) {
      this.sendErrorResponse(response, 3002, error);
      this.sendEvent(new TerminatedEvent());
      return;
    }
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  private startWorker(launch: LaunchArguments): Promise<string | undefined> {
    const signal = new SharedArrayBuffer(8);
    this.words = new Int32Array(signal);
    const channel = new MessageChannel();
    this.port = channel.port1;
    const script = this.options.workerScript ?? path.join(__dirname, 'workerMain.js');
    this.worker = new Worker(script, {
      workerData: { bpfIterDebugWorker: true, launch, signal, port: channel.port2 },
      transferList: [channel.port2],
    });
    this.ready = new Promise((resolveReady) => {
      this.worker!.on('message', (m: FromEngine) => {
        if (m.type === 'ready') resolveReady(m.error);
        else this.onEngineMessage(m);
      });
      this.worker!.on('error', (e) => {
        resolveReady(`the debugger engine failed: ${e.message}`);
        this.sendEvent(new OutputEvent(`bpf-iter debugger: ${e.stack ?? e.message}\n`, 'stderr'));
        this.finish(1);
      });
      this.worker!.on('exit', () => this.finish(1));
    });
    return this.ready;
  }

  private onEngineMessage(m: FromEngine): void {
    switch (m.type) {
      case 'stopped': {
        const event = new StoppedEvent(m.stop.reason, THREAD_ID, m.stop.text) as DebugProtocol.StoppedEvent;
        event.body.description = m.stop.description;
        this.sendEvent(event);
        return;
      }
      case 'output': {
        const event = new OutputEvent(m.text, m.category) as DebugProtocol.OutputEvent;
        if (m.path && m.line) { event.body.source = new Source(path.basename(m.path), m.path); event.body.line = this.convertDebuggerLineToClient(m.line); }
        this.sendEvent(event);
        return;
      }
      case 'reply': {
        const waiting = this.replies.get(m.reply);
        this.replies.delete(m.reply);
        if (m.error !== undefined) waiting?.reject(new Error(m.error));
        else waiting?.resolve(m.body);
        return;
      }
      case 'finished':
        this.finish(m.exitCode);
        return;
      default: return;
    }
  }

  private finish(exitCode: number): void {
    if (this.finished) return;
    this.finished = true;
    for (const r of this.replies.values()) r.reject(new Error('the program has finished'));
    this.replies.clear();
    this.sendEvent(new ExitedEvent(exitCode));
    this.sendEvent(new TerminatedEvent());
    void this.worker?.terminate();
  }

  private send(message: ToEngine): void {
    if (!this.port || !this.words || this.finished) return;
    this.port.postMessage(message);
    Atomics.store(this.words, PENDING, 1);
    Atomics.store(this.words, WAKE, 1);
    Atomics.notify(this.words, WAKE);
  }

  private request<T>(make: (reply: number) => ToEngine): Promise<T> {
    if (this.finished || !this.port) return Promise.reject(new Error('the program is not running'));
    const reply = this.nextReply++;
    return new Promise<T>((resolve, reject) => {
      this.replies.set(reply, { resolve: resolve as (b: unknown) => void, reject });
      this.send(make(reply));
    });
  }

  private query<T>(query: Query): Promise<T> {
    return this.request<T>((reply) => ({ type: 'query', query, reply }));
  }

  protected override async setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): Promise<void> {
    const file = args.source.path ?? '';
    const wanted = (args.breakpoints ?? []).map((b) => ({ line: this.convertClientLineToDebugger(b.line), condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage }));
    try {
      const verified = await this.request<Array<{ verified: boolean; line: number; message?: string }>>((reply) => ({ type: 'setBreakpoints', path: file, breakpoints: wanted, reply }));
      response.body = { breakpoints: verified.map((v) => ({ verified: v.verified, line: this.convertDebuggerLineToClient(v.line), message: v.message, source: args.source })) };
    } catch {
      response.body = { breakpoints: wanted.map((w) => ({ verified: false, line: this.convertDebuggerLineToClient(w.line) })) };
    }
    this.sendResponse(response);
  }

  protected override async setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): Promise<void> {
    try {
      const verified = await this.request<Array<{ verified: boolean; message?: string }>>((reply) => ({ type: 'setFunctionBreakpoints', names: args.breakpoints.map((b) => ({ name: b.name, condition: b.condition })), reply }));
      response.body = { breakpoints: verified };
    } catch {
      response.body = { breakpoints: args.breakpoints.map(() => ({ verified: false })) };
    }
    this.sendResponse(response);
  }

  protected override async setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): Promise<void> {
    const filters = new Set(args.filters);
    const seqNums: bigint[] = [];
    for (const option of args.filterOptions ?? []) {
      filters.add(option.filterId);
      if (option.filterId === FILTER_SEQ_NUM) {
        for (const part of (option.condition ?? '').split(/[\s,]+/)) if (/^\d+$/.test(part)) seqNums.push(BigInt(part));
      }
    }
    try {
      await this.request((reply) => ({ type: 'setExceptionFilters', filters: [...filters], seqNums, reply }));
    } catch { /* the program has finished: nothing to stop */ }
    this.sendResponse(response);
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    if (!this.configured) {
      this.configured = true;
      this.send({ type: 'start' });
    }
    this.sendResponse(response);
  }

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'iterator')] };
    this.sendResponse(response);
  }

  protected override async stackTraceRequest(response: DebugProtocol.StackTraceResponse): Promise<void> {
    try {
      const frames = await this.query<Array<{ id: number; name: string; path?: string; line: number; column: number }>>({ what: 'stackTrace' });
      response.body = {
        stackFrames: frames.map((f) => new StackFrame(f.id + 1, f.name, f.path ? new Source(path.basename(f.path), f.path) : undefined,
          this.convertDebuggerLineToClient(f.line), this.convertDebuggerColumnToClient(f.column))),
        totalFrames: frames.length,
      };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 3003, (e as Error).message);
    }
  }

  protected override async scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): Promise<void> {
    try {
      const scopes = await this.query<Array<{ name: string; variablesReference: number; presentationHint?: string; expensive: boolean }>>({ what: 'scopes', frameId: args.frameId - 1 });
      response.body = { scopes: scopes.map((s) => Object.assign(new Scope(s.name, s.variablesReference, s.expensive), s.presentationHint ? { presentationHint: s.presentationHint } : {})) };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 3004, (e as Error).message);
    }
  }

  protected override async variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): Promise<void> {
    try {
      response.body = { variables: await this.query<DebugProtocol.Variable[]>({ what: 'variables', reference: args.variablesReference }) };
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 3005, (e as Error).message);
    }
  }

  protected override async evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): Promise<void> {
    try {
      const body = await this.query<{ result: string; type?: string; variablesReference: number }>({ what: 'evaluate', expression: args.expression, frameId: args.frameId !== undefined ? args.frameId - 1 : undefined });
      response.body = body;
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, 3006, (e as Error).message, undefined, undefined);
    }
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.send({ type: 'resume', mode: 'continue' });
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.send({ type: 'resume', mode: 'next' });
    this.sendResponse(response);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.send({ type: 'resume', mode: 'stepIn' });
    this.sendResponse(response);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.send({ type: 'resume', mode: 'stepOut' });
    this.sendResponse(response);
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.send({ type: 'pause' });
    this.sendResponse(response);
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.send({ type: 'terminate' });
    this.sendResponse(response);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.send({ type: 'terminate' });
    this.sendResponse(response);
    setTimeout(() => void this.worker?.terminate(), 200).unref();
  }
}
