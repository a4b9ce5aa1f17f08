/**
 * The language server: LSP wiring only. Every feature is a function of the language service
 * (service/languageService.ts); this file owns documents, scheduling validations, versions, settings and the
 * connection, and nothing else.
 */
import {
  createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, Connection,
  DidChangeConfigurationNotification, ResponseError, LSPErrorCodes, ErrorCodes,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { RunWorkerPool } from './runWorker';
import { URI } from './service/uri';
import type {
  RunParams, RunResult, ListProgramsParams, ListProgramsResult, CompareKernelParams, CompareKernelResult,
} from '../../shared/src/protocol';
import { runProgressMessage } from '../../shared/src/protocol';
import { CompareKernelRequest, ListProgramsRequest, RunOutputNotification, RunProgressNotification, RunRequest } from '../../shared/src/requests';
import { runProgressReporter } from './service/runProgress';
import { compareKernelInChild } from './compareKernelChild';
import { createNodeHost, OverlayHost } from './service/host';
import { createLanguageService, defaultSettings, Settings, LanguageService } from './service/languageService';
import { applySettings } from './service/settings';
import { ValidationScheduler } from './service/validationScheduler';
import { Rehearsal } from './service/rehearsal';
import { IdleCollector, minorCollector, boundOldGenerationGrowth } from './idleCollector';
import { isBpfSource } from './service/bpfSources';

/**
 * Validations rehearsed on scratch analyzers while idle after the first publishes (service/rehearsal.ts): enough
 * for V8 to optimize the edit path (measured in process: ten made no difference, twenty-five halved the CPU of the
 * first 30 edits; at the wire, edits typed after the open: p95 13-17 ms against 17-21 ms without; sixty no better).
 */
const REHEARSALS = 25;



export function startServer(transport: 'stdio' | 'node-ipc'): Connection {
  // ProposedFeatures.all picks the transport from process.argv (--stdio / --node-ipc) like every LSP server.
  if (transport === 'stdio' && !process.argv.includes('--stdio')) process.argv.push('--stdio');
  if (transport === 'node-ipc' && !process.argv.includes('--node-ipc')) process.argv.push('--node-ipc');
  const connection = createConnection(ProposedFeatures.all);
  serve(connection);
  connection.listen();
  return connection;
}

/** Wires a connection to the language service. Exported so tests can run it over in-memory streams. */
export function serve(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  const host = new OverlayHost(createNodeHost());
  let settings: Settings = defaultSettings();
  // What the client fixed at start (initializationOptions); workspace settings apply on top of it.
  let initialSettings: Settings = settings;
  let initProblems: string[] = [];
  let service: LanguageService = createLanguageService(host, settings);
  /**
   * Settings per document: in a multi-root workspace each folder's `bpfIter` settings apply to its files (asked
   * with the document as scopeUri). Documents with equal settings share one service. A document not in the map
   * uses the workspace's settings (`settings`, `service`).
   */
  const documentSettings = new Map<string, { settings: Settings; service: LanguageService }>();
  let servicesBySettings = new Map<string, LanguageService>();
  const serviceWith = (wanted: Settings): LanguageService => {
    const key = JSON.stringify(wanted);
    let known = servicesBySettings.get(key);
    if (!known) servicesBySettings.set(key, known = createLanguageService(host, wanted));
    return known;
  };
  const serviceFor = (uri: string): LanguageService => documentSettings.get(uri)?.service ?? service;
  const settingsFor = (uri: string): Settings => documentSettings.get(uri)?.settings ?? settings;
  /** Documents whose own settings are being asked for: validated once they arrive. */
  const awaitingSettings = new Set<string>();
  /** Problems of settings logged since the last refresh: each once, not once per document. */
  const loggedProblems = new Set<string>();
  const logProblems = (problems: readonly string[]): void => {
    for (const problem of problems) if (!loggedProblems.has(problem)) { loggedProblems.add(problem); connection.console.warn(problem); }
  };
  let hasConfigurationCapability = false;
  // A client with workspace settings is asked for them after initialize: documents opened meanwhile are validated
  // once they are read (refreshSettings schedules every document), not first with the defaults.
  let settingsRead = true;
  // Runs happen in a worker thread: the server keeps answering while one goes on, and cancellation is immediate.
  const runs = new RunWorkerPool();
  connection.onExit(() => runs.dispose());

  /** A document the server validates: an untitled one, or a BPF program source (service/bpfSources.ts). */
  const isOurs = (uri: string, text: string) => uri.startsWith('untitled:')
    || uri.startsWith('file:') && isBpfSource(URI.toPath(uri), () => text, host);
  /** Documents that have diagnostics on the client: cleared when a file stops being a program. */
  const published = new Set<string>();
  /** What was last sent per document, so an unchanged result for the same version is not sent twice. */
  const lastPublished = new Map<string, { version: number; key: string }>();

  connection.onInitialize((params) => {
    // The system folders are probed now, not in the middle of the first validation.
    host.systemIncludeFolders();
    hasConfigurationCapability = !!params.capabilities.workspace?.configuration;
    settingsRead = !hasConfigurationCapability;
    const init = applySettings(defaultSettings(), params.initializationOptions);
    initialSettings = settings = init.settings;
    service = serviceWith(settings);
    initProblems = init.problems;
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        hoverProvider: true,
        completionProvider: { triggerCharacters: ['>', '.', '"', '%', '/', '('] },
        signatureHelpProvider: { triggerCharacters: ['(', ','] },
        definitionProvider: true,
        referencesProvider: true,
        documentSymbolProvider: true,
        renameProvider: { prepareProvider: true },
        codeLensProvider: { resolveProvider: false },
        codeActionProvider: true,
      },
      serverInfo: { name: 'bpf-iter-lab', version: '0.1.0' },
    };
  });

  connection.onInitialized(async () => {
    for (const problem of initProblems) connection.console.warn(problem);
    if (hasConfigurationCapability) {
      void connection.client.register(DidChangeConfigurationNotification.type, undefined);
      await refreshSettings();
    }
  });

  async function refreshSettings(): Promise<void> {
    if (!hasConfigurationCapability) return;
    try {
      const fromClient: unknown = await connection.workspace.getConfiguration('bpfIter');
      loggedProblems.clear();
      const update = applySettings(initialSettings, fromClient);
      logProblems(update.problems);
      settings = update.settings;
      // Services are made afresh: a setting may have changed what an earlier one cached.
      servicesBySettings = new Map();
      service = serviceWith(settings);
      await readDocumentSettings(documents.all().map((doc) => doc.uri));
      settingsRead = true;
      for (const doc of documents.all()) schedule(doc);
    } catch (e) {
      connection.console.error(`could not read settings: ${String(e)}`);
      settingsRead = true;
      for (const doc of documents.all()) schedule(doc);
    }
  }

  /** Asks the client for each document's own settings (its folder's, in a multi-root workspace). */
  async function readDocumentSettings(uris: readonly string[]): Promise<void> {
    if (!hasConfigurationCapability || uris.length === 0) return;
    try {
      const values: unknown[] = await connection.workspace.getConfiguration(uris.map((scopeUri) => ({ scopeUri, section: 'bpfIter' })));
      uris.forEach((uri, i) => {
        const update = applySettings(initialSettings, values[i]);
        logProblems(update.problems);
        documentSettings.set(uri, { settings: update.settings, service: serviceWith(update.settings) });
      });
    } catch (e) {
      connection.console.error(`could not read the settings of ${uris.join(', ')}: ${String(e)}`);
    }
  }

  /** Reads an opened document's settings, then validates it. */
  function openWithSettings(doc: TextDocument): void {
    if (!hasConfigurationCapability) { schedule(doc); return; }
    awaitingSettings.add(doc.uri);
    void readDocumentSettings([doc.uri]).finally(() => {
      awaitingSettings.delete(doc.uri);
      const current = documents.get(doc.uri);
      if (current) schedule(current);
    });
  }

  connection.onDidChangeConfiguration(() => { void refreshSettings(); });

  // Validated at once when idle; changes that arrive together or during a validation are validated once.
  const validations = new ValidationScheduler((uri) => { void publish(uri); });
  // The young generation collected while the server is idle rather than inside the next keystroke's validation.
  const collector = new IdleCollector(minorCollector());
  /** Validations under way (each gives the event loop turns between its steps). */
  let validating = 0;
  /** A moment without messages after a publish: editors send the next change within it when typing is fast. */
  const QUIET_MS = 2;
  /**
   * Moves at every change, request and publish: work done while idle (the rehearsal, the young generation's
   * collection) runs only when it has not moved for a quiet moment, never between an editor's fast messages.
   */
  let activity = 0;
  /** After shutdown nothing is done while idle: the process is about to exit, and a next one may be starting. */
  let shuttingDown = false;
  /** Whether `boundOldGenerationGrowth()` ran (at the first publish). */
  let oldGenerationBounded = false;
  /** The document published last: the one the user is looking at, rehearsed while idle. */
  let lastPublishedUri: string | undefined;
  const rehearsal = new Rehearsal(REHEARSALS, () => validating === 0 && validations.idle && !shuttingDown, () => {
    const doc = lastPublishedUri !== undefined ? documents.get(lastPublishedUri) : undefined;
    if (!doc) return false;
    try {
      serviceFor(doc.uri).rehearse(URI.toPath(doc.uri), doc.getText());
    } catch (e) {
      rehearsal.stop();
      connection.console.error(`rehearsal failed for ${doc.uri}: ${e instanceof Error ? e.stack : String(e)}`);
    }
    collector.collectIfNextWouldNotFit();
    return true;
  }, { activity: () => activity });
  connection.onShutdown(() => { shuttingDown = true; rehearsal.stop(); });

  function schedule(doc: TextDocument): void {
    activity++;
    if (!isOurs(doc.uri, doc.getText())) {
      lastPublished.delete(doc.uri);
      if (published.delete(doc.uri)) void connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics: [] });
      return;
    }
    validations.schedule(doc.uri);
  }

  /**
   * Validates the document's latest version and publishes after one more turn, unless a newer version came
   * meanwhile: the validation gives the event loop a turn after its front end and after each program's check,
   * and stops there when the document has changed (the newer version is scheduled already).
   */
  async function publish(uri: string): Promise<void> {
    const doc = documents.get(uri);
    if (!doc || !settingsRead || awaitingSettings.has(uri)) return;
    const version = doc.version;
    validating++;
    try {
      const usedBefore = collector.validating();
      const diagnostics = await serviceFor(uri).validateUnlessObsolete(URI.toPath(uri), doc.getText(), () => documents.get(uri)?.version !== version, {});
      if (!diagnostics) return;
      collector.validated(usedBefore);
      // Changes that arrived during the validation are applied before this runs: never publish a stale version
      // (the newer one is scheduled already).
      setImmediate(() => {
        if (documents.get(uri)?.version !== version) return;
        // The same diagnostics for the same version (a header opened unchanged, settings re-read) are not sent again.
        const key = JSON.stringify(diagnostics);
        const last = lastPublished.get(uri);
        if (last && last.version === version && last.key === key) return;
        lastPublished.set(uri, { version, key });
        published.add(uri);
        void connection.sendDiagnostics({ uri, version, diagnostics });
        lastPublishedUri = uri;
        // From the first publish on, the garbage is mostly promoted analyses: full collections before the RSS balloons.
        // Not before it: the open allocates the header index, and more full collections there cost the next start
        // (measured at the wire: 183 ms of server CPU instead of 120 ms with the real vmlinux.h).
        if (!oldGenerationBounded) { oldGenerationBounded = true; boundOldGenerationGrowth(); }
        const armedAt = ++activity;
        rehearsal.afterPublish();
        // once the message is out and nothing else came: a change arriving meanwhile is validated first, and V8
        // collects as it always does
        setTimeout(() => {
          if (activity === armedAt && validating === 0 && validations.idle && !shuttingDown) collector.collectIfNextWouldNotFit();
        }, QUIET_MS);
      });
    } catch (e) {
      connection.console.error(`diagnostics failed for ${uri}: ${e instanceof Error ? e.stack : String(e)}`);
    } finally {
      validating--;
    }
  }

  documents.onDidOpen((e) => { host.setOverlay(URI.toPath(e.document.uri), e.document.getText()); openWithSettings(e.document); });
  documents.onDidChangeContent((e) => {
    host.setOverlay(URI.toPath(e.document.uri), e.document.getText());
    // A header the client syncs (other editors than VS Code may) can change what every program includes.
    if (isOurs(e.document.uri, e.document.getText())) schedule(e.document);
    else for (const doc of documents.all()) schedule(doc);
  });
  documents.onDidClose((e) => {
    host.deleteOverlay(URI.toPath(e.document.uri));
    validations.cancel(e.document.uri);
    documentSettings.delete(e.document.uri);
    published.delete(e.document.uri);
    lastPublished.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
  connection.onDidChangeWatchedFiles(() => {
    // A header changed on disk: cached preambles are checked against file contents, so re-validating suffices.
    service.invalidateHeaders();
    for (const other of servicesBySettings.values()) if (other !== service) other.invalidateHeaders();
    for (const doc of documents.all()) schedule(doc);
  });

  /** Runs a handler, turning an exception into a failed request instead of a dead server. */
  function guarded<P, R>(name: string, fn: (p: P) => R | Promise<R>) {
    return async (p: P): Promise<R | ResponseError<void>> => {
      activity++;
      try {
        return await fn(p);
      } catch (e) {
        connection.console.error(`${name} failed: ${e instanceof Error ? e.stack : String(e)}`);
        return new ResponseError(ErrorCodes.InternalError, `${name} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
  }
  const docOf = (uri: string) => documents.get(uri);

  connection.onHover(guarded('hover', (p) => { const d = docOf(p.textDocument.uri); return d ? serviceFor(d.uri).hover(URI.toPath(d.uri), d.getText(), p.position) : null; }));
  connection.onCompletion(guarded('completion', (p) => { const d = docOf(p.textDocument.uri); return d ? serviceFor(d.uri).complete(URI.toPath(d.uri), d.getText(), p.position) : []; }));
  connection.onSignatureHelp(guarded('signatureHelp', (p) => { const d = docOf(p.textDocument.uri); return d ? serviceFor(d.uri).signatureHelp(URI.toPath(d.uri), d.getText(), p.position) : null; }));
  connection.onDefinition(guarded('definition', (p) => { const d = docOf(p.textDocument.uri); return d ? serviceFor(d.uri).definition(URI.toPath(d.uri), d.getText(), p.position) : null; }));
  connection.onReferences(guarded('references', (p) => { const d = docOf(p.textDocument.uri); return d ? serviceFor(d.uri).references(URI.toPath(d.uri), d.getText(), p.position) : []; }));
  connection.onDocumentSymbol(guarded('documentSymbol', (p) => { const d = docOf(p.textDocument.uri); return d ? serviceFor(d.uri).documentSymbols(URI.toPath(d.uri), d.getText()) : []; }));
  connection.onPrepareRename(guarded('prepareRename', (p) => { const d = docOf(p.textDocument.uri); return d ? serviceFor(d.uri).prepareRename(URI.toPath(d.uri), d.getText(), p.position) : null; }));
  connection.onRenameRequest(guarded('rename', (p) => { const d = docOf(p.textDocument.uri); return d ? serviceFor(d.uri).rename(URI.toPath(d.uri), d.getText(), p.position, p.newName) : null; }));
  connection.onCodeLens(guarded('codeLens', (p) => { const d = docOf(p.textDocument.uri); return d ? serviceFor(d.uri).codeLenses(URI.toPath(d.uri), d.getText()) : []; }));
  connection.onCodeAction(guarded('codeAction', (p) => { const d = docOf(p.textDocument.uri); return d ? serviceFor(d.uri).codeActions(URI.toPath(d.uri), d.getText(), p.range, p.context) : []; }));

  connection.onRequest(ListProgramsRequest, guarded('listPrograms', (p: ListProgramsParams): ListProgramsResult => {
    const path = URI.toPath(p.uri);
    const text = docOf(p.uri)?.getText() ?? host.readFile(path) ?? '';
    return serviceFor(p.uri).listPrograms(path, text);
  }));

  connection.onRequest(RunRequest, async (p: RunParams, token): Promise<RunResult | ResponseError<void>> => {
    activity++;
    const path = URI.toPath(p.uri);
    const text = docOf(p.uri)?.getText() ?? host.readFile(path);
    if (text === undefined) return new ResponseError(ErrorCodes.InvalidParams, `cannot read ${p.uri}`);
    const stream = p.streamOutput;
    if (stream !== undefined && (p.progressId === undefined || typeof stream !== 'object' || stream === null
      || !Number.isSafeInteger(stream.keepBytes) || stream.keepBytes < 0)) {
      return new ResponseError(ErrorCodes.InvalidParams, 'streamOutput needs a progressId and keepBytes, a whole number of bytes (0 or more)');
    }
    // $/progress when the client gave a token, RunProgressNotification when it gave a progressId: objects of the
    // walk's total, elements/s, at most every RUN_PROGRESS_INTERVAL_MS of the read loop.
    const progressToken = (p as RunParams & { workDoneToken?: string | number }).workDoneToken;
    const progress = progressToken !== undefined ? connection.window.attachWorkDoneProgress(progressToken) : undefined;
    progress?.begin('Running iterator', undefined, undefined, true);
    const progressId = p.progressId;
    const report = runProgressReporter(progressId ?? '', (params) => {
      if (progressId !== undefined) void connection.sendNotification(RunProgressNotification, params);
      progress?.report(params.total ? Math.min(100, Math.floor((params.objects / params.total) * 100)) : 0, runProgressMessage(params));
    });
    try {
      const overlays: Record<string, string> = {};
      for (const d of documents.all()) if (d.uri.startsWith('file:')) overlays[URI.toPath(d.uri)] = d.getText();
      // a streamed run's pages go out as they come, in order and before the answer (the worker sends them first)
      const sendPage = stream !== undefined && progressId !== undefined
        ? (offset: number, page: Uint8Array) => void connection.sendNotification(RunOutputNotification, { progressId, offset, base64: Buffer.from(page.buffer, page.byteOffset, page.byteLength).toString('base64') })
        : undefined;
      const handle = runs.run({
        path, text, settings: settingsFor(p.uri), overlays,
        options: { program: p.program, map: p.map, scenario: p.scenario ? URI.toPath(p.scenario) : undefined, cpus: p.cpus },
        ...(stream !== undefined ? { streamOutput: { keepBytes: stream.keepBytes } } : {}),
      }, progress || progressId !== undefined ? report : undefined, sendPage);
      const cancelled = token.onCancellationRequested(() => handle.cancel());
      let result: RunResult;
      try { result = await handle.result; } finally { cancelled.dispose(); }
      if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'run cancelled');
      return result;
    } catch (e) {
      if (token.isCancellationRequested) return new ResponseError(LSPErrorCodes.RequestCancelled, 'run cancelled');
      connection.console.error(`run failed: ${e instanceof Error ? e.stack : String(e)}`);
      return new ResponseError(ErrorCodes.InternalError, `run failed: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      progress?.done();
    }
  });

  connection.onRequest(CompareKernelRequest, async (p: CompareKernelParams, token): Promise<CompareKernelResult | ResponseError<void>> => {
    activity++;
    try {
      return await compareKernelInChild({
        file: URI.toPath(p.uri), program: p.program, map: p.map, scenario: p.scenario ? URI.toPath(p.scenario) : undefined,
        includePaths: settingsFor(p.uri).includePaths ?? [], defines: settingsFor(p.uri).defines ?? {},
      }, { onCancel: (f) => token.onCancellationRequested(f) });
    } catch (e) {
      return new ResponseError(ErrorCodes.InternalError, `compare failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  });

  documents.listen(connection);
}
