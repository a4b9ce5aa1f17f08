import type { MapSummary, ProcessSummary, RunErrorInfo, RunResult, SocketSummary, SourceRange, WorldList, WorldSummary } from '../../../shared/src/protocol';

/**
 * What the Run panel shows, minus the seq output (sent by line windows, see OutputDocument).
 * Every field is plain text: the webview puts it into the DOM with textContent only.
 */
export interface PanelViewModel {
  title: string;
  link: { plain: string; json: string; fdinfo: string } | null;
  /** bpf_printk() messages of the run (the trace log), one per call. */
  trace: string[];
  maps: MapRow[];
  /** The simulated machine's objects (processes, sockets...), one compact table each, shown beside the maps. */
  world: WorldTableView[];
  stats: Array<{ label: string; value: string }>;
  error: ErrorView | null;
}

export interface MapRow {
  id: number;
  name: string;
  type: string;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  elements: number;
  /** False when the server left the entries out (too large to send). */
  entriesAvailable: boolean;
}

export interface ErrorView {
  errno: string;
  message: string;
  /** "hash_dump.bpf.c:41:3", 1-based like a compiler prints it; absent without a source range. */
  location?: string;
  file?: string;
  range?: SourceRange;
}

export function buildViewModel(result: RunResult, title: string): PanelViewModel {
  return {
    title,
    link: result.link || result.bpftool || result.fdinfo
      ? { plain: result.bpftool, json: prettyJson(result.bpftoolJson), fdinfo: result.fdinfo }
      : null,
    trace: result.trace ?? [],
    maps: result.maps.map(mapRow),
    world: worldTables(result.world),
    stats: statsRows(result),
    error: result.error ? errorView(result.error) : null,
  };
}

/** One world table as the webview renders it: plain text cells, numeric columns right-aligned. */
export interface WorldTableView {
  /** Stable id (also the table's DOM id suffix): "processes", "sockets"... */
  id: string;
  title: string;
  columns: Array<{ label: string; numeric: boolean }>;
  rows: string[][];
  /** How many objects there are (more than rows.length when the server cut the list). */
  total: number;
  /** What the table shows when it has no rows. */
  empty: string;
}

/** One column of a world table: its header and how a row's cell is written. */
interface WorldColumn<T> { label: string; numeric?: boolean; cell: (row: T) => string | number }
/** One kind of object of the simulated machine: where its rows are in the run result and its columns. */
interface WorldTableSpec<T> {
  id: string;
  title: string;
  rows: (world: WorldSummary) => WorldList<T> | undefined;
  columns: Array<WorldColumn<T>>;
  empty: string;
}
const table = <T>(spec: WorldTableSpec<T>): WorldTableSpec<unknown> => spec as WorldTableSpec<unknown>;

/**
 * The world tables in the order the panel shows them. A new kind of object is one entry here (and one member of
 * WorldSummary in shared/src/protocol.ts): the webview renders every table the same way.
 */
export const WORLD_TABLES: ReadonlyArray<WorldTableSpec<unknown>> = [
  table<ProcessSummary>({
    id: 'processes', title: 'Processes', empty: 'The simulated machine has no processes.',
    rows: (w) => w.processes,
    columns: [
      { label: 'PID', numeric: true, cell: (p) => p.pid },
      { label: 'TGID', numeric: true, cell: (p) => p.tgid },
      { label: 'PPID', numeric: true, cell: (p) => p.ppid },
      { label: 'Comm', cell: (p) => (p.kthread ? `[${p.comm}]` : p.comm) },
      { label: 'S', cell: (p) => p.state },
      { label: 'UID', numeric: true, cell: (p) => p.uid },
      { label: 'Files', numeric: true, cell: (p) => p.files },
    ],
  }),
  table<SocketSummary>({
    id: 'sockets', title: 'Sockets', empty: 'The network namespace has no sockets.',
    rows: (w) => w.sockets,
    columns: [
      { label: 'Proto', cell: (s) => (s.family === 'inet6' ? `${s.protocol}6` : s.protocol) },
      { label: 'State', cell: (s) => s.state },
      { label: 'Local', cell: (s) => s.local },
      { label: 'Remote', cell: (s) => s.remote },
      { label: 'UID', numeric: true, cell: (s) => s.uid },
      { label: 'Inode', numeric: true, cell: (s) => s.inode },
    ],
  }),
];

/** The world tables of a run; none when the run stopped before the kernel existed (or an older server answered). */
export function worldTables(world: WorldSummary | undefined, specs: ReadonlyArray<WorldTableSpec<unknown>> = WORLD_TABLES): WorldTableView[] {
  if (!world) return [];
  const out: WorldTableView[] = [];
  for (const spec of specs) {
    const list = spec.rows(world);
    if (!list) continue;
    out.push({
      id: spec.id, title: spec.title, empty: spec.empty, total: list.total,
      columns: spec.columns.map((c) => ({ label: c.label, numeric: c.numeric === true })),
      rows: list.rows.map((r) => spec.columns.map((c) => String(c.cell(r)))),
    });
  }
  return out;
}

function mapRow(m: MapSummary): MapRow {
  return {
    id: m.id, name: m.name, type: m.type, keySize: m.key_size, valueSize: m.value_size,
    maxEntries: m.max_entries, elements: m.elements, entriesAvailable: m.entries !== undefined,
  };
}

/** `bpftool -j` prints one line; the panel shows it indented, or as given when it is not JSON. */
export function prettyJson(text: string): string {
  if (text.trim() === '') return '';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function statsRows(result: RunResult): Array<{ label: string; value: string }> {
  const s = result.stats;
  return [
    { label: 'Objects', value: s.objects.toLocaleString('en-US') },
    { label: 'Bytes', value: formatBytes(s.bytes) },
    { label: 'read() calls', value: s.reads.toLocaleString('en-US') },
    { label: 'Instructions', value: s.instructions.toLocaleString('en-US') },
    { label: 'Time', value: `${s.timeMs.toFixed(s.timeMs < 10 ? 2 : 0)} ms` },
    // the read loop's rate, as the progress notification shows it during a long run
    ...(s.timings && s.timings.iterate > 0 ? [{ label: 'Objects/s', value: Math.round(s.objects / (s.timings.iterate / 1000)).toLocaleString('en-US') }] : []),
  ];
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
  return `${value.toFixed(1)} ${units[unit]} (${bytes.toLocaleString('en-US')} B)`;
}

export function errorView(error: RunErrorInfo): ErrorView {
  const view: ErrorView = { errno: error.errno, message: error.message };
  if (error.file && error.range) {
    view.file = error.file;
    view.range = error.range;
    view.location = `${baseName(error.file)}:${error.range.start.line + 1}:${error.range.start.character + 1}`;
  }
  return view;
}

function baseName(fileOrUri: string): string {
  const path = fileOrUri.replace(/[?#].*$/, '');
  return decodeURIComponent(path.slice(path.lastIndexOf('/') + 1));
}

export interface MapEntryRow {
  key: string;
  /** One value for ordinary maps; one per CPU, labelled, for per-CPU maps. */
  values: Array<{ label: string; value: string }>;
}

/** The entries of one map as the "open entries" view lists them; per-CPU values per CPU. */
export function mapEntryRows(map: MapSummary): MapEntryRow[] {
  return (map.entries ?? []).map((e) => ({
    key: e.key,
    values: e.values
      ? e.values.map((v, cpu) => ({ label: `cpu${cpu}`, value: v }))
      : [{ label: 'value', value: e.value ?? '' }],
  }));
}

/** The entries of a map as text for a read-only editor, like `bpftool map dump` lays them out. */
export function mapEntriesText(map: MapSummary): string {
  const header = `# map ${map.id}: ${map.name} (${map.type}) key ${map.key_size}B value ${map.value_size}B`
    + ` max_entries ${map.max_entries}, ${map.elements} elements\n`;
  if (map.entries === undefined) return `${header}# entries were not sent (too large)\n`;
  const body = mapEntryRows(map).map((row) => {
    if (row.values.length === 1 && row.values[0].label === 'value') return `key: ${row.key}  value: ${row.values[0].value}\n`;
    return `key: ${row.key}\n${row.values.map((v) => `  value (CPU ${v.label.slice(3).padStart(2, '0')}): ${v.value}\n`).join('')}`;
  }).join('');
  return header + body + `Found ${map.entries.length} element${map.entries.length === 1 ? '' : 's'}\n`;
}
