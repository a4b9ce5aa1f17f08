import { runProgressMessage, type RunProgressParams, type RunResult } from '../../../shared/src/protocol';
import { FromWebview, OutputMode, OutputViewState, PanelTarget, ToWebview } from './messages';
import { OutputDocument } from './outputDocument';
import { HexDocument } from './hexDocument';
import { StreamedOutput } from './streamedOutput';
import { buildViewModel, formatBytes } from './viewModel';

/**
 * What a run started by the panel reports while it goes: its output's pages (the first `keepBytes`), its progress,
 * and `signal`, aborted by the panel's Cancel (or a newer run).
 */
export interface RunLive {
  keepBytes: number;
  onOutput(offset: number, page: Uint8Array): void;
  onProgress(progress: RunProgressParams): void;
  signal: AbortSignal;
}

/** The output bytes a panel keeps unless the user set bpfIter.panelOutputBytes: past them the output is counted. */
export const DEFAULT_PANEL_OUTPUT_BYTES = 64 * 1024 * 1024;

/** The webview hears how a streaming output grew at most this often. */
export const STREAMING_POST_INTERVAL_MS = 200;

/** What the controller needs from the editor; the vscode side implements it, unit tests fake it. */
export interface PanelHost {
  post(message: ToWebview): void;
  /** Runs the target; `live` streams its output and progress into the panel (a host may ignore it and answer at the end). */
  run(target: PanelTarget, live?: RunLive): Promise<RunResult | undefined>;
  /** bpfIter.panelOutputBytes of the target; DEFAULT_PANEL_OUTPUT_BYTES when absent. */
  keepBytes?(target: PanelTarget): number;
  copyText(text: string): Promise<void>;
  reveal(file: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }): void;
  openMapEntries(result: RunResult, mapId: number): void;
  titleFor(target: PanelTarget): string;
}

/** Most lines one getLines answer carries; the webview asks for a screenful plus overscan. */
export const MAX_LINES_PER_MESSAGE = 2000;

/**
 * The Run panel's logic without VS Code: runs, keeps the last result, answers the webview's line-window,
 * search and copy requests. One controller per program panel.
 */
export class PanelController {
  private result: RunResult | undefined;
  /** The bytes of a binary (not UTF-8) output, decoded once from output_base64; null for text output. */
  private binaryBytes: Uint8Array | null = null;
  private textView: OutputDocument | undefined = new OutputDocument('');
  private hexView: HexDocument | undefined;
  private mode: OutputMode = 'text';
  private runGeneration = 0;
  private running = false;
  /** Cancels the run in flight (the Cancel button, or a newer run: the older one's answer would be dropped anyway). */
  private abort: AbortController | undefined;
  /** lastResult of a streamed run, made on first use. */
  private keptResult: RunResult | undefined;
  /** What the panel did not keep of the shown result's output. */
  private outputNote: string | undefined;
  private streamingTimer: ReturnType<typeof setTimeout> | undefined;
  private lastStreamingPost = 0;

  constructor(private readonly host: PanelHost, public target: PanelTarget) {}

  /**
   * The last run's result; for a streamed run, with the output the panel kept put back in `output` (or in
   * `output_base64`/`output_hex` when binary), so callers of the run commands read it as from any run.
   */
  get lastResult(): RunResult | undefined {
    const result = this.result;
    if (!result?.streamed) return result;
    this.keptResult ??= this.binaryBytes
      ? { ...result, output: null, output_base64: Buffer.from(this.binaryBytes).toString('base64'), output_hex: Buffer.from(this.binaryBytes).toString('hex') }
      : { ...result, output: this.textView?.text ?? '' };
    return this.keptResult;
  }

  async rerun(target: PanelTarget = this.target): Promise<RunResult | undefined> {
    this.target = target;
    const generation = ++this.runGeneration;
    this.host.post({ type: 'running', target });
    let result: RunResult | undefined;
    this.running = true;
    this.abort?.abort();
    const abort = new AbortController();
    this.abort = abort;
    const stream = new StreamedOutput();
    const current = () => generation === this.runGeneration;
        const live: RunLive = {
      keepBytes: this.host.keepBytes?.(target) ?? DEFAULT_PANEL_OUTPUT_BYTES,
      signal: abort.signal,
      onOutput: (offset, page) => {
        if (!current()) return;
        stream.append(offset, page);
        this.showStreaming(stream);
      },
      onProgress: (p) => {
        if (!current()) return;
        const percent = p.total ? Math.min(100, (p.objects / p.total) * 100) : undefined;
        this.host.post({ type: 'progress', message: runProgressMessage(p), ...(percent !== undefined ? { percent } : {}) });
      },
    };
    try {
      result = await this.host.run(target, live);
    } catch (err) {
      if (generation === this.runGeneration) {
        this.host.post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      }
      return undefined;
    } finally {
      if (generation === this.runGeneration) {
        this.running = false;
        this.stopStreamingPosts();
      }
    }
    // A newer run started while this one was in flight: its answer wins.
    if (generation !== this.runGeneration) return undefined;
    if (!result) {
      this.host.post({ type: 'failed', message: 'The run was cancelled.' });
      return undefined;
    }
    this.showResult(result, result.streamed ? stream : undefined);
    return result;
  }

  /**
   * Shows the streaming output as it grows: the first page switches the view to it, later ones tell the webview the
   * new line count at most every STREAMING_POST_INTERVAL_MS (the last one is sent with the result).
   */
  private showStreaming(stream: StreamedOutput): void {
    if (this.textView !== stream.document) {
      this.textView = stream.document;
      this.binaryBytes = null;
      this.hexView = undefined;
      this.mode = 'text';
    }
    const wait = this.lastStreamingPost + STREAMING_POST_INTERVAL_MS - Date.now();
    if (wait <= 0) {
      this.postStreaming(stream);
    } else if (!this.streamingTimer) {
      this.streamingTimer = setTimeout(() => { this.streamingTimer = undefined; this.postStreaming(stream); }, wait);
    }
  }

  private postStreaming(stream: StreamedOutput): void {
    if (this.textView !== stream.document) return;
    this.lastStreamingPost = Date.now();
    this.host.post({ type: 'streaming', lineCount: stream.document.lineCount, byteLength: stream.byteLength });
  }

  private stopStreamingPosts(): void {
    if (this.streamingTimer) clearTimeout(this.streamingTimer);
    this.streamingTimer = undefined;
    this.lastStreamingPost = 0;
  }

  /** `stream`: the pages of a streamed run (the result then carries no output of its own). */
  showResult(result: RunResult, stream?: StreamedOutput): void {
    if (this.result !== result) {
      this.result = result;
      this.keptResult = undefined;
      this.outputNote = undefined;
      if (result.streamed && stream) {
        const { bytes, sentBytes } = result.streamed;
        const end = stream.finish(bytes > sentBytes);
        this.binaryBytes = 'bytes' in end ? end.bytes : null;
        this.textView = 'text' in end ? end.text : undefined;
        if (bytes > sentBytes) {
          this.outputNote = `the panel keeps the first ${formatBytes(sentBytes)} of ${formatBytes(bytes)} (bpfIter.panelOutputBytes)`;
        }
      } else {
        this.binaryBytes = result.output === null ? outputBytesOf(result) : null;
        this.textView = result.output === null ? undefined : new OutputDocument(result.output);
      }
      this.hexView = undefined;
      // binary records are shown as hex first: that view is exact, text would not be
      this.mode = this.binaryBytes ? 'hex' : 'text';
    }
    const output = this.output;
    this.host.post({
      type: 'result', target: this.target, view: buildViewModel(result, this.host.titleFor(this.target)),
      lineCount: output.lineCount, byteLength: this.binaryBytes ? this.binaryBytes.length : output.byteLength, output: this.outputState,
      ...(this.outputNote ? { note: this.outputNote } : {}),
    });
  }

  private get outputState(): OutputViewState {
    return { mode: this.mode, binary: this.binaryBytes !== null };
  }

  /** The document of the current view, made on first use (a text output's hex view, a binary output's text view). */
  private get output(): OutputDocument | HexDocument {
    if (this.mode === 'hex') {
      this.hexView ??= new HexDocument(this.binaryBytes ?? Buffer.from(this.textView?.text ?? '', 'utf8'));
      return this.hexView;
    }
    // a binary output as text: what an editor would show, invalid bytes as U+FFFD (the hex view is the exact one)
    this.textView ??= new OutputDocument(new TextDecoder('utf-8').decode(this.binaryBytes ?? new Uint8Array()));
    return this.textView;
  }

  setOutputMode(mode: OutputMode): void {
    if (mode === this.mode) return;
    this.mode = mode;
    this.host.post({ type: 'outputMode', output: this.outputState, lineCount: this.output.lineCount });
  }

  markStale(reason: string): void {
    if (this.result) this.host.post({ type: 'stale', reason });
  }

  async handle(message: FromWebview): Promise<void> {
    switch (message.type) {
      case 'ready':
        // The webview loads while the first run is in flight: its result will follow, do not run twice.
        if (this.result) this.showResult(this.result);
        else if (this.running) this.host.post({ type: 'running', target: this.target });
        else await this.rerun();
        return;
      case 'getLines': {
        const count = Math.min(message.count, MAX_LINES_PER_MESSAGE);
        this.host.post({ type: 'lines', requestId: message.requestId, start: message.start, lines: this.output.lines(message.start, count) });
        return;
      }
      case 'search': {
        const { matches, truncated } = this.output.search(message.query);
        this.host.post({ type: 'searchResult', query: message.query, matches, truncated });
        return;
      }
      case 'copyOutput':
        await this.host.copyText(this.output.text);
        return;
      case 'rerun':
        await this.rerun();
        return;
      case 'cancelRun':
        this.abort?.abort();
        return;
      case 'reveal':
        this.host.reveal(message.file, message.range);
        return;
      case 'openMapEntries':
        if (this.result) this.host.openMapEntries(this.result, message.mapId);
        return;
      case 'setOutputMode':
        this.setOutputMode(message.mode);
        return;
    }
  }
}

/** The exact bytes of a binary output: output_base64, or output_hex from a server that sent only that. */
function outputBytesOf(result: RunResult): Uint8Array {
  if (result.output_base64 !== undefined) return Buffer.from(result.output_base64, 'base64');
  return Buffer.from(result.output_hex ?? '', 'hex');
}
