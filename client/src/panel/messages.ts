/**
 * The typed messages between the Run panel's webview script (client/media/panel.js) and the extension.
 * Plain JSON only: this module imports nothing, so unit tests and the webview side can follow it.
 */
import type { RunResult, SourceRange } from '../../../shared/src/protocol';
import type { PanelViewModel } from './viewModel';

/** What the panel needs to run its program again, kept in the webview state to survive reloads. */
export interface PanelTarget {
  uri: string;
  program?: string;
  map?: string;
  scenario?: string;
}

/** Extension -> webview. */
export type ToWebview =
  | { type: 'running'; target: PanelTarget }
  /** `note`: what the panel did not keep of a long output (the first bytes are shown, the rest was counted). */
  | { type: 'result'; target: PanelTarget; view: PanelViewModel; lineCount: number; byteLength: number; output: OutputViewState; note?: string }
  /** A run's output so far, while its pages arrive: the lines grew (the last one may have grown too). */
  | { type: 'streaming'; lineCount: number; byteLength: number }
  /** How a long run is going: "412,000 of 1,000,000 elements, 1,210,000 elements/s", and a bar when the total is known. */
  | { type: 'progress'; message: string; percent?: number }
  /** The output view changed (text <-> hex): cached lines and matches are void, lineCount is the new view's. */
  | { type: 'outputMode'; output: OutputViewState; lineCount: number }
  | { type: 'lines'; requestId: number; start: number; lines: string[] }
  | { type: 'searchResult'; query: string; matches: SearchMatch[]; truncated: boolean }
  | { type: 'stale'; reason: string }
  | { type: 'focusSection'; section: PanelSection }
  | { type: 'failed'; message: string };

/** Webview -> extension. */
export type FromWebview =
  | { type: 'ready' }
  | { type: 'getLines'; requestId: number; start: number; count: number }
  | { type: 'search'; query: string }
  | { type: 'copyOutput' }
  | { type: 'rerun' }
  /** The Cancel button of a running run. */
  | { type: 'cancelRun' }
  | { type: 'reveal'; file: string; range: SourceRange }
  | { type: 'openMapEntries'; mapId: number }
  | { type: 'setOutputMode'; mode: OutputMode };

/** 'text': lines of the output as text; 'hex': `hexdump -C` lines of its bytes. */
export type OutputMode = 'text' | 'hex';

export interface OutputViewState {
  mode: OutputMode;
  /** The output is not valid UTF-8 (binary records): the hex view is the exact one and shown first. */
  binary: boolean;
}

export type PanelSection = 'output' | 'trace' | 'link' | 'maps' | 'stats';

export interface SearchMatch {
  line: number;
  /** UTF-16 column of the match inside the line. */
  column: number;
  length: number;
}

export type { RunResult };

const FROM_WEBVIEW_TYPES = new Set(['ready', 'getLines', 'search', 'copyOutput', 'rerun', 'cancelRun', 'reveal', 'openMapEntries', 'setOutputMode']);

/**
 * Messages arrive from a page that renders program output, so every field is checked before use:
 * a malformed message is dropped instead of reaching the editor APIs.
 */
export function parseFromWebview(raw: unknown): FromWebview | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  if (typeof m.type !== 'string' || !FROM_WEBVIEW_TYPES.has(m.type)) return undefined;
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
  switch (m.type) {
    case 'getLines':
      return isCount(m.requestId) && isCount(m.start) && isCount(m.count)
        ? { type: 'getLines', requestId: m.requestId, start: m.start, count: m.count } : undefined;
    case 'search':
      return typeof m.query === 'string' ? { type: 'search', query: m.query } : undefined;
    case 'reveal': {
      const r = m.range as SourceRange | undefined;
      const pos = (p: unknown) => typeof p === 'object' && p !== null
        && isCount((p as Record<string, unknown>).line) && isCount((p as Record<string, unknown>).character);
      return typeof m.file === 'string' && r && pos(r.start) && pos(r.end)
        ? { type: 'reveal', file: m.file, range: { start: { ...r.start }, end: { ...r.end } } } : undefined;
    }
    case 'openMapEntries':
      return isCount(m.mapId) ? { type: 'openMapEntries', mapId: m.mapId } : undefined;
    case 'setOutputMode':
      return m.mode === 'text' || m.mode === 'hex' ? { type: 'setOutputMode', mode: m.mode } : undefined;
    default:
      return { type: m.type } as FromWebview;
  }
}
