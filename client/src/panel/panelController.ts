import type { RunResult } from '../../../shared/src/protocol';
import { FromWebview, OutputMode, OutputViewState, PanelTarget, ToWebview } from './messages';
import { OutputDocument } from './outputDocument';
import { HexDocument } from './hexDocument';
import { buildViewModel } from './viewModel';

/** What the controller needs from the editor; the vscode side implements it, unit tests fake it. */
export interface PanelHost {
  post(message: ToWebview): void;
  run(target: PanelTarget): Promise<RunResult | undefined>;
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

  constructor(private readonly host: PanelHost, public target: PanelTarget) {}

  get lastResult(): RunResult | undefined {
    return this.result;
  }

  async rerun(target: PanelTarget = this.target): Promise<RunResult | undefined> {
    this.target = target;
    const generation = ++this.runGeneration;
    this.host.post({ type: 'running', target });
    let result: RunResult | undefined;
    this.running = true;
    try {
      result = await this.host.run(target);
    } catch (err) {
      if (generation === this.runGeneration) {
        this.host.post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      }
      return undefined;
    } finally {
      if (generation === this.runGeneration) this.running = false;
    }
    // A newer run started while this one was in flight: its answer wins.
    if (generation !== this.runGeneration) return undefined;
    if (!result) {
      this.host.post({ type: 'failed', message: 'The run was cancelled.' });
      return undefined;
    }
    this.showResult(result);
    return result;
  }

  showResult(result: RunResult): void {
    if (this.result !== result) {
      this.result = result;
      this.binaryBytes = result.output === null ? outputBytesOf(result) : null;
      this.textView = result.output === null ? undefined : new OutputDocument(result.output);
      this.hexView = undefined;
      // binary records are shown as hex first: that view is exact, text would not be
      this.mode = this.binaryBytes ? 'hex' : 'text';
    }
    const output = this.output;
    this.host.post({
      type: 'result', target: this.target, view: buildViewModel(result, this.host.titleFor(this.target)),
      lineCount: output.lineCount, byteLength: this.binaryBytes ? this.binaryBytes.length : output.byteLength, output: this.outputState,
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
