/**
 * The bounds that keep one analysis of pathological input (a file including itself, macro bombs, deep nesting,
 * huge output) to seconds and bounded memory: each is reported where it stops the work, names the setting that
 * raises it (`limits.NAME` in the bpfIter.limits setting, .bpf-iter.json or `--limit NAME=N`), raising the
 * setting lifts it, and the rest of the file is still analysed.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main, Io } from '../../server/src/cli';
import { createLanguageService, defaultSettings, Settings } from '../../server/src/service/languageService';
import { createMemoryHost } from '../../server/src/service/host';
import { applySettings } from '../../server/src/service/settings';
import { parseProjectConfig } from '../../server/src/service/projectConfig';
import { PreprocessLimits, defaultLimits } from '../../server/src/lang/preprocessor';

const DIR = '/bpf-iter-limits';
const MAIN = `${DIR}/limits.bpf.c`;
/** A line after the pathological part whose error shows the rest of the file was analysed. */
const REST = 'int after_the_limit(void) { return undeclared_after_limit; }\n';

function validate(text: string, limits?: Partial<PreprocessLimits>, extraFiles: Record<string, string> = {}) {
  const settings: Settings = { ...defaultSettings(), ...(limits ? { limits } : {}) };
  const service = createLanguageService(createMemoryHost({ [MAIN]: text, ...extraFiles }), settings);
  return service.validate(MAIN, text);
}

function lineOf(text: string, needle: string): number {
  return text.slice(0, text.indexOf(needle)).split('\n').length - 1;
}

/** Asserts the limit's diagnostic is at `line` of the main file, names its setting, and the rest was analysed. */
function assertLimit(diagnostics: ReturnType<typeof validate>, code: string, setting: keyof PreprocessLimits, line: number, restIgnored = false): void {
  const hit = diagnostics.find((d) => d.code === code);
  assert.ok(hit, `no ${code} in ${JSON.stringify(diagnostics.map((d) => `${d.code} ${d.message}`))}`);
  assert.ok(String(hit.message).includes(`the setting limits.${setting} raises this limit`), String(hit.message));
  assert.strictEqual(hit.range.start.line, line, JSON.stringify(hit));
  // The limits on a whole file's work (expansionWork, outputTokens) say "the rest of the file is ignored": what
  // came before them is analysed.
  const probe = restIgnored ? /undeclared_before_limit/ : /undeclared_after_limit/;
  assert.ok(diagnostics.some((d) => d.code === 'BPF1200' && probe.test(String(d.message))),
    `the file was not analysed: ${JSON.stringify(diagnostics.map((d) => d.message))}`);
}

describe('robustness: analysis limits name their setting, and raising it lifts them', function () {
  this.timeout(60_000);

  it('a file including itself stops at limits.selfIncludeDepth (16) at the #include; raised, the include depth limit (200, as clang) is what stops it', () => {
    const text = `int before;\n#include "limits.bpf.c"\n${REST}`;
    const diagnostics = validate(text);
    assertLimit(diagnostics, 'BPF1070', 'selfIncludeDepth', 1);
    assert.match(String(diagnostics.find((d) => d.code === 'BPF1070')!.message), /'limits\.bpf\.c' is already included 16 times/);
    const raised = validate(text, { selfIncludeDepth: 1000 });
    assert.ok(!raised.some((d) => d.code === 'BPF1070'));
    assertLimit(raised, 'BPF1011', 'includeDepth', 1);
    // Raised past 200 as well: clang's own limit is then the setting's value.
    assert.ok(!validate(text, { selfIncludeDepth: 1000, includeDepth: 100 }).some((d) => /more than 200 levels/.test(String(d.message))));
  });

  it('a file including itself through a cycle of headers stops at limits.selfIncludeDepth at the #include in the main file', () => {
    const text = `#include "cycle.h"\n${REST}`;
    const files = { [`${DIR}/cycle.h`]: '#include "limits.bpf.c"\nint in_cycle;\n' };
    assertLimit(validate(text, undefined, files), 'BPF1070', 'selfIncludeDepth', 0);
    assert.ok(!validate(text, { selfIncludeDepth: 1000 }, files).some((d) => d.code === 'BPF1070'));
  });

  it('a file including itself twice stops at limits.selfInclusions (256 in the translation unit), not after 65,536 copies', () => {
    const text = `int before;\n#include "limits.bpf.c"\n#include "limits.bpf.c"\n${REST}`;
    const diagnostics = validate(text);
    const hit = diagnostics.find((d) => d.code === 'BPF1071');
    assert.ok(hit, JSON.stringify(diagnostics.map((d) => `${d.code} ${d.message}`)));
    assert.match(String(hit.message), /'limits\.bpf\.c' includes itself, and this translation unit has read 256 such #includes.*the setting limits\.selfInclusions raises this limit/);
    assert.ok([1, 2].includes(hit.range.start.line), JSON.stringify(hit.range));
    assert.ok(diagnostics.some((d) => d.code === 'BPF1200' && /undeclared_after_limit/.test(String(d.message))), 'the rest of the file is analysed');
    // a chain of at most 5 copies makes a few dozen: the chain's limit stops it, not this one, unless this one is lower
    const shallow = validate(text, { selfIncludeDepth: 5 });
    assert.ok(!shallow.some((d) => d.code === 'BPF1071') && shallow.some((d) => d.code === 'BPF1070'));
    assert.ok(validate(text, { selfIncludeDepth: 5, selfInclusions: 8 }).some((d) => d.code === 'BPF1071'));
  });

  it('a macro bomb stops at limits.expansionTokens at its invocation; raised, it expands whole', () => {
    const bomb = `#define B0 x\n${Array.from({ length: 12 }, (_, i) => `#define B${i + 1} B${i} + B${i}`).join('\n')}\nint x;\n`;
    const text = `${bomb}int bomb = B12;\n${REST}`;
    assertLimit(validate(text, { expansionTokens: 1000 }), 'BPF1056', 'expansionTokens', lineOf(text, 'int bomb'));
    assert.ok(!validate(text, { expansionTokens: 100_000 }).some((d) => d.code === 'BPF1056'));
    // The default stops an exponential bomb of 2^40 tokens.
    const big = `#define B0 x\n${Array.from({ length: 40 }, (_, i) => `#define B${i + 1} B${i} B${i}`).join('\n')}\nint y = B40;\n${REST}`;
    assertLimit(validate(big), 'BPF1056', 'expansionTokens', lineOf(big, 'int y'));
  });

  it('expansion work across a file stops at limits.expansionWork; raised, the file expands', () => {
    const text = `#define F(x) x\nint before_limit(void) { return undeclared_before_limit; }\n${'int v = F(F(F(F(1))));\n'.repeat(200)}${REST}`;
    const stopped = validate(text, { expansionWork: 1000 });
    // Reported at the invocation that passed the budget: a line of the file past the first few.
    const line = stopped.find((d) => d.code === 'BPF1065')?.range.start.line ?? -1;
    assert.ok(line > 3 && text.split('\n')[line].startsWith('int v = F('), `line ${line}`);
    assertLimit(stopped, 'BPF1065', 'expansionWork', line, true);
    assert.ok(!validate(text).some((d) => d.code === 'BPF1065'));
    const raised = validate(text, { expansionWork: 100_000 });
    assert.ok(!raised.some((d) => d.code === 'BPF1065'));
    assert.ok(raised.some((d) => /undeclared_after_limit/.test(String(d.message))));
  });

  it('macro arguments nested past limits.argumentNesting are reported at the invocation; raised, they expand', () => {
    const text = `#define F(x) x\nint deep = ${'F('.repeat(50)}1${')'.repeat(50)};\n${REST}`;
    assertLimit(validate(text, { argumentNesting: 10 }), 'BPF1058', 'argumentNesting', 1);
    assert.ok(!validate(text).some((d) => d.code === 'BPF1058'));
  });

  it('nested #if past limits.conditionalDepth is reported at the #if; raised, it is not', () => {
    const text = `${'#if 1\n'.repeat(30)}${'#endif\n'.repeat(30)}${REST}`;
    assertLimit(validate(text, { conditionalDepth: 20 }), 'BPF1064', 'conditionalDepth', 20);
    assert.ok(!validate(text).some((d) => d.code === 'BPF1064'));
  });

  it('included text past limits.includedChars is reported at the #include; raised, the header is read', () => {
    const header = { [`${DIR}/big.h`]: `// ${'y'.repeat(10_000)}\nint big_h;\n` };
    const text = `int first;\n#include "big.h"\n${REST}`;
    assertLimit(validate(text, { includedChars: 5000 }, header), 'BPF1013', 'includedChars', 1);
    assert.ok(!validate(text, { includedChars: 20_000 }, header).some((d) => d.code === 'BPF1013'));
  });

  it('preprocessing output past limits.outputTokens is reported where it stops (the rest is not read); raised, the whole file is analysed', () => {
    const text = `${'int many_decl_;\n'.repeat(200)}${REST}`;
    const stopped = validate(text, { outputTokens: 300 });
    const hit = stopped.find((d) => d.code === 'BPF1057');
    assert.ok(hit && String(hit.message).includes('the setting limits.outputTokens raises this limit'), JSON.stringify(stopped));
    assert.strictEqual(hit.range.start.line, 100);
    const raised = validate(text, { outputTokens: 10_000 });
    assert.ok(!raised.some((d) => d.code === 'BPF1057'));
    assert.ok(raised.some((d) => /undeclared_after_limit/.test(String(d.message))));
  });

  it('a file holding more than limits.outputTokens tokens is not scanned past them: reported where it stops, even when skipped groups kept the output small', () => {
    const text = `int before_limit(void) { return undeclared_before_limit; }\n#if 0\n${'int skipped_decl_;\n'.repeat(200)}#endif\n${REST}`;
    const stopped = validate(text, { outputTokens: 300 });
    // the 301st token: 10 on line 0, 3 on the #if, then 3 a line: the last of line 97
    assertLimit(stopped, 'BPF1069', 'outputTokens', 97, true);
    assert.ok(!stopped.some((d) => d.code === 'BPF1057'), 'the output stayed under the limit');
    const raised = validate(text, { outputTokens: 10_000 });
    assert.ok(!raised.some((d) => d.code === 'BPF1069' || d.code === 'BPF1057'));
    assert.ok(raised.some((d) => /undeclared_after_limit/.test(String(d.message))));
  });

  it('a file of millions of tokens (a 300,000-element initializer) stops at the default limit in well under the time and memory of scanning it all', () => {
    const text = `int before_limit(void) { return undeclared_before_limit; }\nint big[] = {${'1,'.repeat(600_000)}};\n${REST}`;
    const heapBefore = process.memoryUsage().heapUsed;
    const stopped = validate(text);
    const hit = stopped.find((d) => d.code === 'BPF1057');
    assert.ok(hit && String(hit.message).includes(`more than ${defaultLimits.outputTokens} tokens`), JSON.stringify(stopped.map((d) => d.message)));
    assert.ok(defaultLimits.outputTokens <= 1_000_000, 'a default that keeps one analysis under 512 MiB');
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 512 * 2 ** 20);
  });

  it('the limits come from the bpfIter.limits setting and .bpf-iter.json ("limits"), checked by name and value; the project file wins', () => {
    assert.deepStrictEqual(applySettings(defaultSettings(), { limits: { selfIncludeDepth: 40 } }).settings.limits, { selfIncludeDepth: 40 });
    const bad = applySettings(defaultSettings(), { limits: { selfIncludeDepht: 40 } });
    assert.strictEqual(bad.settings.limits, undefined);
    assert.match(bad.problems[0], /^bpfIter\.limits must be/);
    assert.deepStrictEqual(parseProjectConfig('{"limits": {"expansionWork": 5000000}}').config.limits, { expansionWork: 5_000_000 });
    assert.match(parseProjectConfig('{"limits": {"expansionwork": 5}}').error!, /unknown limit "expansionwork"/);
    assert.match(parseProjectConfig('{"limits": {"includeDepth": 0}}').error!, /whole number of at least 1/);
    const text = `#include "limits.bpf.c"\n${REST}`;
    const project = { [`${DIR}/.bpf-iter.json`]: '{"limits": {"selfIncludeDepth": 2}}' };
    const fromProject = validate(text, { selfIncludeDepth: 100 }, project);
    assert.match(String(fromProject.find((d) => d.code === 'BPF1070')?.message), /already included 2 times/);
  });

  it('bpf-iter check --limit NAME=N raises a limit; an unknown name or a bad value is a usage error (exit 2)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-limits-'));
    try {
      const file = path.join(dir, 'self.bpf.c');
      fs.writeFileSync(file, `#include "self.bpf.c"\nint x;\n`);
      const check = async (args: string[]) => {
        let out = '';
        const io: Io = { stdout: (t) => { out += t; }, stdoutBytes: () => undefined, stderr: (t) => { out += t; }, env: {} };
        const code = await main(['check', ...args, file], io);
        return { code, out };
      };
      const stopped = await check([]);
      assert.match(stopped.out, /limits\.selfIncludeDepth raises this limit\) \[BPF1070\]/);
      const raised = await check(['--limit', 'selfIncludeDepth=1000']);
      assert.doesNotMatch(raised.out, /BPF1070/);
      assert.match(raised.out, /BPF1011/);
      const unknown = await check(['--limit', 'selfIncludeDepht=3']);
      assert.strictEqual(unknown.code, 2);
      assert.match(unknown.out, /unknown limit "selfIncludeDepht"/);
      assert.strictEqual((await check(['--limit', 'includeDepth=-1'])).code, 2);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every limit has a default, and each default is one the setting can name', () => {
    for (const [name, value] of Object.entries(defaultLimits)) assert.ok(Number.isSafeInteger(value) && value > 0, name);
  });
});
