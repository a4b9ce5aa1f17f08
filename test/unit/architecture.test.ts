import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const root = path.join(__dirname, '../../..');

/** The layer rule of ARCHITECTURE.md: each layer imports only the layers before it in this list. */
const LAYERS = ['kernel', 'lang', 'exec', 'service', 'realHost'] as const;

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sources(p));
    else if (entry.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const specs: string[] = [];
  const re = /(?:^|\n)\s*(?:import|export)[^'"\n;]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) specs.push(m[1] ?? m[2] ?? m[3]);
  return specs;
}

describe('architecture: imports point one way', () => {
  for (const layer of LAYERS) {
    it(`server/src/${layer} imports no later layer, no LSP library and not the client`, () => {
      const allowed = new Set(LAYERS.slice(0, LAYERS.indexOf(layer) + 1));
      const problems: string[] = [];
      for (const file of sources(path.join(root, 'server/src', layer))) {
        for (const spec of importsOf(file)) {
          if (spec.startsWith('.')) {
            const target = path.resolve(path.dirname(file), spec);
            const rel = path.relative(path.join(root, 'server/src'), target).split(path.sep);
            if (rel[0] === '..') {
              if (!path.relative(root, target).startsWith('shared')) problems.push(`${path.relative(root, file)} imports ${spec}`);
              continue;
            }
            const targetLayer = rel[0] as (typeof LAYERS)[number];
            if ((LAYERS as readonly string[]).includes(targetLayer) && !allowed.has(targetLayer)) problems.push(`${path.relative(root, file)} imports ${spec} (${targetLayer})`);
            if (rel[0] === 'server.ts' || rel[0] === 'cli.ts') problems.push(`${path.relative(root, file)} imports ${spec}`);
          } else if (/^vscode-languageserver(\/|$)|^vscode-languageclient|^vscode$/.test(spec) && layer !== 'service') {
            problems.push(`${path.relative(root, file)} imports ${spec}`);
          } else if (/^vscode-languageserver\/node|^vscode-languageclient|^vscode$/.test(spec)) {
            problems.push(`${path.relative(root, file)} imports ${spec}: the service returns LSP types but knows no connection`);
          }
        }
      }
      assert.deepStrictEqual(problems, []);
    });
  }

  it('the kernel layer knows no C syntax', () => {
    for (const file of sources(path.join(root, 'server/src/kernel'))) {
      for (const spec of importsOf(file)) assert.ok(!/\/lang\//.test(spec), `${file} imports ${spec}`);
    }
  });

  it('the client talks to the server only through shared/', () => {
    for (const file of sources(path.join(root, 'client/src'))) {
      for (const spec of importsOf(file)) assert.ok(!/\bserver\//.test(spec), `${path.relative(root, file)} imports ${spec}`);
    }
  });
});

/**
 * What service/, exec/, debug/ and the CLI (cli.ts, cli/) may take from lang/ besides its types. The front end produces one analysis per
 * document version (service/analysis.ts, the one module that runs lang's stages: preprocess, parse, bind, lower,
 * check); the other modules of these layers read that analysis. They may import any *type* of lang (the analysis's
 * fields are lang's AST, IR, preprocessing records, check results), but a *value* only from this list: functions that
 * describe or walk what the analysis holds, the diagnostics table, and the inputs the analysis is run with. Keyed by
 * the exported name, not the file, so it holds while lang's files are split and moved. A name missing here is either
 * a stage run again (preprocess, parse, lower, checkIterProgram...) or a fact recomputed (the object's maps, the
 * license's GPL compatibility, the reachable functions): put the fact in the analysis instead.
 */
const LANG_VALUES_AFTER_THE_ANALYSIS: Record<string, { why: string; only?: string[] }> = {
  resolve: { why: 'describes a C type the analysis holds' },
  typeToString: { why: 'describes a C type the analysis holds' },
  isUnboundRecord: { why: "describes a record the analysis holds: one of vmlinux.h's not bound yet (reading it would bind it)", only: ['service/navigation.ts'] },
  sizeOf: { why: 'describes a C type the analysis holds' },
  SourceFile: { why: 'positions in the files of the analysis' },
  computeLineStarts: { why: 'positions in the files of the analysis' },
  forEachChild: { why: "walks the analysis's AST or IR" },
  walk: { why: "walks the analysis's AST" },
  expansionAt: { why: 'looks up a macro expansion the analysis recorded' },
  describeSearchFolder: { why: "describes a search folder of the analysis's build setup" },
  bundledHeaderFilePath: { why: 'where a bundled header lives, to show and open it' },
  isBundledPath: { why: 'where a bundled header lives, to show and open it' },
  Diagnostics: { why: 'the one table of diagnostics' },
  codeString: { why: 'the one table of diagnostics' },
  formatMessage: { why: 'the one table of diagnostics' },
  diagnosticOfCode: { why: 'the one table of diagnostics' },
  readLimits: { why: 'validates the limits settings an analysis is run with', only: ['service/settings.ts', 'service/projectConfig.ts', 'cli.ts'] },
  parseCompileArguments: { why: 'which compile_commands.json entries are BPF programs a project check takes, before any analysis', only: ['cli/project.ts'] },
  splitCommandLine: { why: 'which compile_commands.json entries are BPF programs a project check takes, before any analysis', only: ['cli/project.ts'] },
  findCompileFlags: { why: 'which C files are BPF program sources (their build setup compiles them for BPF), before any analysis decides to run', only: ['service/bpfSources.ts'] },
  setLazyIndexStore: { why: "plugs the on-disk cache of header indexes into lang's header index", only: ['service/host.ts'] },
  setBundledHeaderReader: { why: 'reads the bundled headers as the node host reads files, so the index store knows their hash', only: ['service/host.ts'] },
  appendAll: { why: 'an array helper' },
  UNSIMULATED_VALUE: { why: "names the IR's stand-in for a value lowering could not express, where a run stops", only: ['exec/runner.ts'] },
  CLANG_STRLEN: { why: 'names the IR call of __builtin_strlen that clang folds, which a run measures', only: ['exec/clangBuiltins.ts'] },
  STRLEN_LIMIT: { why: 'the longest string that folded strlen measures, the same bound for the checker and a run', only: ['exec/clangBuiltins.ts'] },
  wrapTo: { why: "the IR's integer semantics (a value wrapped to its type's width), one definition for the lowering, the checker and a run", only: ['exec/values.ts'] },
  CLANG_CONSTANT_P: { why: 'names the IR call of __builtin_constant_p that C could not answer, which a run answers', only: ['exec/clangBuiltins.ts'] },
  // A watch expression is text typed while the program is paused, not part of the document: lang reads it with its
  // own scanner, parser and checker (issue 18: no second expression parser) in the analysis's file scope.
  ExpressionReader: { why: 'reads a watch expression in a scope of the analysis', only: ['debug/expression.ts', 'debug/engine.ts'] },
};

/** The module that runs lang's stages and produces the analysis the others read. */
const ANALYSIS_DRIVER = 'service/analysis.ts';

describe('architecture: the analysis is the only input service/, exec/, debug/ and the CLI take from lang/', function () {
  this.timeout(120000);

  /** `file: name (module)` for every lang value these layers import that the list does not allow them. */
  function valuesTakenFromLang(): { violations: string[]; driverImportsLang: boolean } {
    const serverSrc = path.join(root, 'server/src');
    const layerFiles = [...['service', 'exec', 'debug', 'cli'].flatMap((dir) => sources(path.join(serverSrc, dir))), path.join(serverSrc, 'cli.ts')];
    // Only the project's own modules are read (no lib, no node_modules): enough to tell a value from a type, and fast.
    const options: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS, noEmit: true, noLib: true, types: [] };
    const host = ts.createCompilerHost(options);
    host.resolveModuleNames = (names, containing) => names.map((name) =>
      name.startsWith('.') ? ts.resolveModuleName(name, containing, options, host).resolvedModule : undefined);
    const program = ts.createProgram(layerFiles, options, host);
    const checker = program.getTypeChecker();
    const langDir = path.join(serverSrc, 'lang') + path.sep;
    const violations: string[] = [];
    let driverImportsLang = false;
    const isValue = (symbol: ts.Symbol | undefined): boolean => {
      if (!symbol) return false;
      const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
      return (target.flags & ts.SymbolFlags.Value) !== 0;
    };
    for (const file of layerFiles) {
      const rel = path.relative(serverSrc, file).split(path.sep).join('/');
      const source = program.getSourceFile(file)!;
      const allow = (name: string, spec: string) => {
        const entry = LANG_VALUES_AFTER_THE_ANALYSIS[name];
        if (!entry || (entry.only && !entry.only.includes(rel))) violations.push(`${rel}: ${name} (${spec})`);
      };
      for (const statement of source.statements) {
        const spec = (ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier.text : undefined;
        if (!spec || !spec.startsWith('.') || !path.resolve(path.dirname(file), spec).startsWith(langDir)) continue;
        if (rel === ANALYSIS_DRIVER) { driverImportsLang = true; continue; }
        if (ts.isExportDeclaration(statement)) {
          if (!statement.isTypeOnly) violations.push(`${rel}: re-exports ${spec}`);
          continue;
        }
        const clause = (statement as ts.ImportDeclaration).importClause;
        if (!clause) { violations.push(`${rel}: runs ${spec} for its side effects`); continue; }
        if (clause.isTypeOnly) continue;
        if (clause.name) allow('default', spec);
        const bindings = clause.namedBindings;
        if (bindings && ts.isNamedImports(bindings)) {
          for (const element of bindings.elements) {
            if (!element.isTypeOnly && isValue(checker.getSymbolAtLocation(element.name))) allow((element.propertyName ?? element.name).text, spec);
          }
        } else if (bindings && ts.isNamespaceImport(bindings)) {
          // `import * as ast`: each `ast.name` used as a value (a type reference `ast.Node` is a qualified name, not this)
          const namespace = bindings.name.text;
          const visit = (node: ts.Node): void => {
            if (ts.isPropertyAccessExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === namespace
              && isValue(checker.getSymbolAtLocation(node.name))) allow(node.name.text, spec);
            ts.forEachChild(node, visit);
          };
          visit(source);
        }
      }
      if (/\brequire\(\s*['"][^'"]*\/lang\/|\bimport\(\s*['"][^'"]*\/lang\//.test(source.text)) violations.push(`${rel}: loads lang/ with require() or import()`);
    }
    return { violations: [...new Set(violations)], driverImportsLang };
  }

  it(`only ${ANALYSIS_DRIVER} may import lang's stages; the other modules of service/, exec/, debug/ and the CLI import from lang/ only types and the values listed in LANG_VALUES_AFTER_THE_ANALYSIS (describing what the analysis holds, the diagnostics table, settings readers, lang's reader of the debugger's watch expressions)`, () => {
    const { violations, driverImportsLang } = valuesTakenFromLang();
    assert.ok(driverImportsLang, `${ANALYSIS_DRIVER} is the analysis's driver: if it moved, name its new place in ANALYSIS_DRIVER`);
    assert.deepStrictEqual(violations, [], 'read these from the analysis (service/analysis.ts) instead, or list a describing value in LANG_VALUES_AFTER_THE_ANALYSIS with why');
  });
});

/**
 * Issue 18, "code that explains itself": no hand-written module over the budget without a reason. A generated
 * module says so on its first line ("Generated by ... Do not edit."); anything else over the budget is listed
 * here with why, and an entry that no longer exceeds the budget must leave the list.
 */
const LINE_BUDGET = 700;
const OVER_BUDGET: Record<string, string> = {
  'server/src/lang/diagnostics.ts': 'the one table of every diagnostic, its messages and explanations (issue 18: one diagnostics table); its lines are data, one entry per message',
};

describe('architecture: module size', () => {
  const modules = sources(path.join(root, 'server/src')).map((file) => {
    const text = fs.readFileSync(file, 'utf8');
    return {
      name: path.relative(root, file).split(path.sep).join('/'),
      lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0),
      generated: /^\/\/ Generated by .*Do not edit/.test(text),
    };
  });

  it(`no hand-written module under server/src is over ${LINE_BUDGET} lines unless listed with its reason`, () => {
    const over = modules.filter((m) => !m.generated && m.lines > LINE_BUDGET && !(m.name in OVER_BUDGET));
    assert.deepStrictEqual(over.map((m) => `${m.name}: ${m.lines} lines`), []);
  });

  it('every module listed as over the budget still exists and is still over it', () => {
    for (const [name, reason] of Object.entries(OVER_BUDGET)) {
      const found = modules.find((m) => m.name === name);
      assert.ok(found, `${name} is listed (${reason}) but does not exist`);
      assert.ok(found.lines > LINE_BUDGET, `${name} has ${found.lines} lines now: take it off the list`);
    }
  });

  it('the generated modules are recognised by their first line', () => {
    assert.ok(modules.some((m) => m.name === 'server/src/kernel/btfTable.ts' && m.generated));
  });
});

describe('architecture: nothing is kept only to silence the compiler', () => {
  // noUnusedLocals and noUnusedParameters are on (tsconfig.base.json): an unused import or local is removed, not
  // "used" by a `void name;` statement (issue 18 point 5)
  const SILENCER = /^\s*void\s+[A-Za-z_$][\w$.]*\s*;\s*$/m;
  it('no `void name;` statement in server/, client/, shared/ or test/', () => {
    const files = ['server/src', 'client/src', 'shared/src', 'test'].flatMap((dir) => sources(path.join(root, dir)));
    assert.ok(files.length > 100);
    const found = files.filter((file) => SILENCER.test(fs.readFileSync(file, 'utf8'))).map((file) => path.relative(root, file));
    assert.deepStrictEqual(found, []);
    assert.ok(SILENCER.test('import { S32 } from "./ir";\nvoid S32;\n') && !SILENCER.test('void connection.sendDiagnostics(x);'));
  });
});
