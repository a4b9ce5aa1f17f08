/**
 * The debug adapter over the Debug Adapter Protocol, as VS Code drives it: node dist/debug.js on stdio.
 * Programs run on the simulated kernel with their scenario; the tests check where the adapter stops, in which
 * order stepping goes, and the values it shows.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';

const root = path.join(__dirname, '../../..');
const adapter = path.join(root, 'dist/debug.js');
const hashDump = path.join(root, 'examples/hash_dump.bpf.c');

const INLINE_PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct { __uint(type, BPF_MAP_TYPE_ARRAY); __uint(max_entries, 3); __type(key, __u32); __type(value, __u64); } vals SEC(".maps");
static __always_inline __u64 twice(__u64 v)
{
	__u64 r = v * 2;
	return r;
}
SEC("iter/bpf_map_elem")
int dump(struct bpf_iter__bpf_map_elem *ctx)
{
	__u64 *v = ctx->value;
	__u64 t;
	if (v == NULL)
		return 0;
	t = twice(*v);
	BPF_SEQ_PRINTF(ctx->meta->seq, "%llu\\n", t);
	return 0;
}
`;
const LINE = { twiceBody: 7, twiceReturn: 8, vDecl: 13, ifNull: 15, returnNull: 16, callTwice: 17, print: 18 };

const LOOP_PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/bpf_map")
int spin(struct bpf_iter__bpf_map *ctx)
{
	__u64 sum = 0;
	for (int i = 0; i < 100; i++)
		sum += i;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%llu\\n", sum);
	return 0;
}
`;

const LOCALS_PROGRAM = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
struct pair { __u32 a; __u16 b[2]; };
const volatile __u32 limit = 7;
__u64 seen = 3;
char tag[4] = "ab";
SEC("iter/bpf_map")
int show(struct bpf_iter__bpf_map *ctx)
{
	struct pair p = { .a = 1, .b = { 2, 3 } };
	char name[8] = "map";
	struct bpf_map *map = ctx->map;
	if (!map)
		return 0;
	seen += p.a + limit;
	BPF_SEQ_PRINTF(ctx->meta->seq, "%s %u\\n", name, map->id);
	return 0;
}
`;

describe('debug adapter over DAP (dist/debug.js)', function () {
  this.timeout(30000);
  let dir: string;
  let inlineFile: string;
  let loopFile: string;
  let localsFile: string;
  let dc: DebugClient;

  before(function () {
    if (!fs.existsSync(adapter)) { console.log('    skipped: dist/debug.js is not built (run npm run build)'); this.skip(); }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bpf-iter-dap-'));
    inlineFile = path.join(dir, 'inline.bpf.c');
    fs.writeFileSync(inlineFile, INLINE_PROGRAM);
    fs.writeFileSync(path.join(dir, 'inline.bpfscenario.json'), JSON.stringify({ cpus: 2, maps: [{ name: 'vals', entries: [{ key: 0, value: 5 }, { key: 1, value: 7 }] }] }));
    localsFile = path.join(dir, 'locals.bpf.c');
    fs.writeFileSync(localsFile, LOCALS_PROGRAM);
    fs.writeFileSync(path.join(dir, 'locals.bpfscenario.json'), JSON.stringify({ maps: [{ name: 'counts', type: 'array', key_size: 4, value_size: 8, max_entries: 2 }], globals: { limit: 9 } }));
    loopFile = path.join(dir, 'loop.bpf.c');
    fs.writeFileSync(loopFile, LOOP_PROGRAM);
  });
  after(() => { if (dir) fs.rmSync(dir, { recursive: true, force: true }); });

  beforeEach(async () => {
    firstStop = undefined;
    dc = new DebugClient('node', adapter, 'bpf-iter');
    await dc.start();
    await dc.initializeRequest({ adapterID: 'bpf-iter', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  });
  afterEach(async () => { await dc.stop(); });

  async function launch(args: Record<string, unknown>, configure: () => Promise<unknown>): Promise<void> {
    await Promise.all([dc.launch(args as DebugProtocol.LaunchRequestArguments), dc.waitForEvent('initialized')]);
    await configure();
    firstStop = stopped();
    firstStop.catch(() => undefined);
    await dc.configurationDoneRequest();
  }

  /** Listens for the stop before acting: the event may arrive in the same chunk as the response. */
  async function untilStop(action: () => Promise<unknown>): Promise<Stop> {
    const stop = stopped();
    await action();
    return stop;
  }

  type Stop = { reason: string; line: number; frames: DebugProtocol.StackFrame[]; text?: string };
  let firstStop: Promise<Stop> | undefined;
  async function stopped(): Promise<Stop> {
    if (firstStop) { const f = firstStop; firstStop = undefined; return f; }
    const event = await dc.waitForEvent('stopped') as DebugProtocol.StoppedEvent;
    const trace = await dc.stackTraceRequest({ threadId: 1 });
    return { reason: event.body.reason, text: event.body.text, line: trace.body.stackFrames[0].line, frames: trace.body.stackFrames };
  }

  async function evaluate(expression: string, frameId?: number): Promise<string> {
    return (await dc.evaluateRequest({ expression, frameId, context: 'watch' })).body.result;
  }

  async function variables(reference: number): Promise<Map<string, DebugProtocol.Variable>> {
    const r = await dc.variablesRequest({ variablesReference: reference });
    return new Map(r.body.variables.map((v) => [v.name, v]));
  }

  it('line breakpoint: stops on the right line for each object in hash order, with ctx and the key decoded', async () => {
    await launch({ program: hashDump }, () => dc.setBreakpointsRequest({ source: { path: hashDump }, breakpoints: [{ line: 48 }] }));
    let stop = await stopped();
    assert.strictEqual(stop.reason, 'breakpoint');
    assert.strictEqual(stop.line, 48);
    assert.strictEqual(stop.frames[0].name, 'dump_flows');
    assert.strictEqual(stop.frames[0].source?.path, hashDump);
    // jhash order of the scenario's three flows puts 127.0.0.1:443 first (as `bpf-iter run` prints).
    assert.strictEqual(await evaluate('ctx->meta->seq_num'), '0');
    assert.strictEqual(await evaluate('key->sport'), '443');
    assert.strictEqual(await evaluate('*bytes'), '9000');
    assert.strictEqual(await evaluate('key->proto == 6 && *bytes > 1000'), '1');

    const scopes = (await dc.scopesRequest({ frameId: stop.frames[0].id })).body.scopes;
    assert.deepStrictEqual(scopes.map((s) => s.name), ['Locals', 'Globals', 'Kernel']);
    const locals = await variables(scopes[0].variablesReference);
    assert.ok(locals.get('ctx')!.value.startsWith('struct bpf_iter__bpf_map_elem+0'), locals.get('ctx')!.value);
    assert.strictEqual(locals.get('key')!.type, 'struct flow_key *');
    const keyPointee = await variables(locals.get('key')!.variablesReference);
    const keyFields = await variables(keyPointee.get('*')!.variablesReference);
    assert.strictEqual(keyFields.get('dport')!.value, '36895');
    assert.strictEqual(keyFields.get('saddr')!.type, '__u32');
    // ctx->key is void * in the kernel; the debugger shows it through the map's key type.
    const ctxFields = await variables((await variables(locals.get('ctx')!.variablesReference)).get('*')!.variablesReference);
    const ctxKey = await variables(ctxFields.get('key')!.variablesReference);
    assert.strictEqual((await variables(ctxKey.get('*')!.variablesReference)).get('sport')!.value, '443');

    const globals = await variables(scopes[1].variablesReference);
    assert.strictEqual(globals.get('total_bytes')!.value, '0');
    const kernel = await variables(scopes[2].variablesReference);
    assert.strictEqual(kernel.get('seq_num')!.value, '0');
    assert.match(kernel.get('map')!.value, /flows \(hash\)/);
    assert.strictEqual(kernel.get('key bytes')!.value, '7f 00 00 01 7f 00 00 01 bb 01 1f 90 06 00 00 00');
    assert.strictEqual((await variables(kernel.get('key')!.variablesReference)).get('sport')!.value, '443');

    stop = await untilStop(() => dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(stop.line, 48);
    assert.strictEqual(await evaluate('ctx->meta->seq_num'), '1');
    assert.strictEqual(await evaluate('key->sport'), '12345');
    assert.strictEqual(await evaluate('total_bytes'), '9000');
    await dc.setBreakpointsRequest({ source: { path: hashDump }, breakpoints: [] });
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated')]);
  });

  it('steps into a static __always_inline function, over and out of it in C order', async () => {
    await launch({ program: inlineFile }, () => dc.setBreakpointsRequest({ source: { path: inlineFile }, breakpoints: [{ line: LINE.callTwice }] }));
    let stop = await stopped();
    assert.strictEqual(stop.line, LINE.callTwice);
    stop = await untilStop(() => dc.stepInRequest({ threadId: 1 }));
    assert.deepStrictEqual([stop.reason, stop.line, stop.frames.map((f) => f.name)], ['step', LINE.twiceBody, ['twice', 'dump']]);
    assert.strictEqual(stop.frames[1].line, LINE.callTwice);
    assert.strictEqual(await evaluate('v'), '5');
    stop = await untilStop(() => dc.nextRequest({ threadId: 1 }));
    assert.strictEqual(stop.line, LINE.twiceReturn);
    assert.strictEqual(await evaluate('r'), '10');
    assert.strictEqual(await evaluate('*v', stop.frames[1].id), '5');
    stop = await untilStop(() => dc.stepOutRequest({ threadId: 1 }));
    assert.deepStrictEqual([stop.line, stop.frames.length], [LINE.print, 1]);
    assert.strictEqual(await evaluate('t'), '10');
    stop = await untilStop(() => dc.nextRequest({ threadId: 1 }));
    assert.strictEqual(stop.line, LINE.print + 1);
    // Stepping past the end of the program goes to its call for the next object.
    stop = await untilStop(() => dc.nextRequest({ threadId: 1 }));
    assert.strictEqual(stop.line, LINE.vDecl);
    assert.strictEqual(await evaluate('ctx->meta->seq_num'), '1');
  });

  it('conditional, hit-count and log point breakpoints', async () => {
    const logs: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'console') logs.push(e.body.output); });
    await launch({ program: inlineFile }, () => dc.setBreakpointsRequest({
      source: { path: inlineFile },
      breakpoints: [{ line: LINE.vDecl, logMessage: 'object {ctx->meta->seq_num}' }, { line: LINE.callTwice, condition: '*v == 7' }, { line: LINE.twiceBody, hitCondition: '3' }],
    }));
    let stop = await stopped();
    assert.strictEqual(stop.line, LINE.callTwice);
    assert.strictEqual(await evaluate('ctx->meta->seq_num'), '1');
    stop = await untilStop(() => dc.continueRequest({ threadId: 1 }));
    assert.strictEqual(stop.line, LINE.twiceBody);
    assert.strictEqual(await evaluate('v'), '0'); // third hit: the array's third element is zero
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated')]);
    // The final call sees the last seq_num again: bpf_iter_inc_seq_num() runs only when a next object exists.
    assert.deepStrictEqual(logs, ['object 0\n', 'object 1\n', 'object 2\n', 'object 2\n']);
  });

  it('seq_num and final-call stops are exception filters', async () => {
    await launch({ program: inlineFile }, () => dc.setExceptionBreakpointsRequest({ filters: ['finalCall'], filterOptions: [{ filterId: 'seqNum', condition: '2' }] }));
    let stop = await stopped();
    assert.deepStrictEqual([stop.reason, stop.text, stop.line], ['exception', 'seq_num 2', LINE.vDecl]);
    stop = await untilStop(() => dc.continueRequest({ threadId: 1 }));
    assert.deepStrictEqual([stop.text, stop.line], ['final call', LINE.vDecl]);
    await untilStop(() => dc.nextRequest({ threadId: 1 }));
    stop = await untilStop(() => dc.nextRequest({ threadId: 1 }));
    assert.strictEqual(stop.line, LINE.returnNull);
    assert.strictEqual(await evaluate('v'), 'NULL');
  });

  it('function breakpoints stop on entry to an inline function', async () => {
    await launch({ program: inlineFile }, () => dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'twice' }] }));
    const stop = await stopped();
    assert.deepStrictEqual([stop.reason, stop.line, stop.frames[0].name], ['function breakpoint', LINE.twiceBody, 'twice']);
  });

  it('the instruction budget stops at the line that ran out of it', async () => {
    await launch({ program: loopFile, instructionBudget: 50 }, () => Promise.resolve());
    const stop = await stopped();
    assert.strictEqual(stop.reason, 'exception');
    assert.ok([8, 9].includes(stop.line), `line ${stop.line}`);
    assert.match(stop.text ?? '', /budget|instructions/i);
    assert.strictEqual(stop.frames[0].name, 'spin');
    const n = Number(await evaluate('i'));
    assert.ok(n > 0 && n < 100, `i = ${n}`);
  });

  it('shows struct and array locals from the stack, globals by section, and the kernel maps', async () => {
    await launch({ program: localsFile }, () => dc.setBreakpointsRequest({ source: { path: localsFile }, breakpoints: [{ line: 16 }] }));
    const stop = await stopped();
    assert.strictEqual(stop.line, 16);
    const scopes = (await dc.scopesRequest({ frameId: stop.frames[0].id })).body.scopes;
    const locals = await variables(scopes[0].variablesReference);
    assert.strictEqual(locals.get('p')!.type, 'struct pair');
    const p = await variables(locals.get('p')!.variablesReference);
    assert.strictEqual(p.get('a')!.value, '1');
    const b = await variables(p.get('b')!.variablesReference);
    assert.deepStrictEqual([...b.values()].map((v) => [v.name, v.value]), [['[0]', '2'], ['[1]', '3']]);
    assert.strictEqual(locals.get('name')!.value, '"map"');
    assert.strictEqual(await evaluate('p.b[1] + limit'), '12');
    // The visited map is the scenario's `counts`, id 1: scenario maps are created before the program's own.
    assert.strictEqual(await evaluate('map->id'), '1');
    const globals = await variables(scopes[1].variablesReference);
    assert.deepStrictEqual(['limit', 'seen', 'tag'].map((n) => globals.get(n)!.value), ['9', '3', '"ab"']);
    const kernel = await variables(scopes[2].variablesReference);
    assert.match(kernel.get('map')!.value, /^id 1 counts \(array\)$/);
    const maps = [...(await variables(kernel.get('maps')!.variablesReference)).values()].map((v) => v.value.split(' ')[0]);
    assert.deepStrictEqual(maps, ['counts', 'locals.rodata', 'locals.data']);
    await dc.setBreakpointsRequest({ source: { path: localsFile }, breakpoints: [] });
    const output: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => { if (e.body.category === 'stdout') output.push(e.body.output); });
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated')]);
    assert.ok(output.join('').startsWith('map 1\n'), JSON.stringify(output));
  });

  it('binary output: the seq buffer shows its bytes as \\xNN escapes and hexdump lines; the console gets a hexdump', async () => {
    const binary = path.join(root, 'test/fixtures/binary/binary_records.bpf.c');
    // line 34: `return 0;` after the first map's record (u32 id 1, u32 max_entries 33023, ff 80 00) was written
    await launch({ program: binary }, () => dc.setBreakpointsRequest({ source: { path: binary }, breakpoints: [{ line: 34 }] }));
    const stop = await stopped();
    assert.strictEqual(stop.line, 34);
    const scopes = (await dc.scopesRequest({ frameId: stop.frames[0].id })).body.scopes;
    const kernel = await variables(scopes[2].variablesReference);
    const seq = kernel.get('seq buffer')!;
    assert.strictEqual(seq.value, '"\\x01\\x00\\x00\\x00\\xff\\x80\\x00\\x00\\xff\\x80\\x00"');
    const hex = [...(await variables(seq.variablesReference)).values()].map((v) => v.value);
    assert.deepStrictEqual(hex, ['00000000  01 00 00 00 ff 80 00 00  ff 80 00                 |...........|']);
    await dc.setBreakpointsRequest({ source: { path: binary }, breakpoints: [] });
    const output: Array<[string, string]> = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) => output.push([e.body.category ?? '', e.body.output]));
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated')]);
    assert.ok(output.some(([c, o]) => c === 'console' && /not UTF-8 text \(294 bytes\)/.test(o)), JSON.stringify(output));
    const dump = output.filter(([c]) => c === 'stdout').map(([, o]) => o).join('');
    assert.ok(!dump.includes('\ufffd'));
    assert.match(dump, /^00000000  01 00 00 00 ff 80 00 00  ff 80 00 02 00 00 00 ff  \|\.{16}\|\n/);
    assert.strictEqual(dump.split('\n').length - 1, Math.ceil(294 / 16));
  });

  it('EACCES at attach stops at the access that makes the map too small', async () => {
    const scenario = path.join(dir, 'small.bpfscenario.json');
    fs.writeFileSync(scenario, JSON.stringify({ maps: [{ name: 'small', type: 'hash', key_size: 4, value_size: 8, max_entries: 4, entries: [{ key: 1, value: 2 }] }], attach: { map: 'small' } }));
    await launch({ program: hashDump, scenario }, () => Promise.resolve());
    const stop = await stopped();
    assert.strictEqual(stop.reason, 'exception');
    assert.match(stop.text ?? '', /key_size 4/);
    // The same place `bpf-iter run` reports: the key read in the BPF_SEQ_PRINTF arguments.
    assert.deepStrictEqual([stop.frames[0].name, stop.frames[0].source?.path, stop.line], ['bpf_iter_attach_map', hashDump, 49]);
    await Promise.all([dc.continueRequest({ threadId: 1 }), dc.waitForEvent('terminated')]);
  });

  it('a launch of a missing file fails with the reason', async () => {
    await assert.rejects(dc.launch({ program: path.join(dir, 'missing.bpf.c') } as DebugProtocol.LaunchRequestArguments), /cannot open .*missing\.bpf\.c/);
  });

  it('watch expressions that do not evaluate answer with an error, not a value', async () => {
    await launch({ program: inlineFile }, () => dc.setBreakpointsRequest({ source: { path: inlineFile }, breakpoints: [{ line: LINE.callTwice }] }));
    await stopped();
    await assert.rejects(dc.evaluateRequest({ expression: 'nosuch + 1', context: 'watch' }), /no variable named nosuch/);
    await assert.rejects(dc.evaluateRequest({ expression: 'v->', context: 'hover' }), /expected identifier/);
  });

  it('pause stops a running program', async () => {
    await launch({ program: loopFile, instructionBudget: 100_000_000 }, () => Promise.resolve());
    // The loop is short; pause may land anywhere in the run, or the run may end first.
    const ended = dc.waitForEvent('terminated').then(() => 'terminated');
    await dc.pauseRequest({ threadId: 1 }).catch(() => undefined);
    const first = await Promise.race([dc.waitForEvent('stopped').then((e) => (e as DebugProtocol.StoppedEvent).body.reason), ended]);
    assert.ok(first === 'pause' || first === 'terminated', first);
  });
});
