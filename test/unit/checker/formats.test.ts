import * as assert from 'assert';
import { checkFormatCall, parseBprintfFormat, FormatArg } from '../../../server/src/lang/checker';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { at } from './irBuilders';
import { serviceFor, FIXTURE_PATH } from '../service/fourslash';
import { TARGET_FILES } from '../targets/btfHeader';

const u32 = (loc = at()): FormatArg => ({ cType: 'unsigned int', bits: 32, signed: false, isPointer: false, loc });
const u64 = (loc = at()): FormatArg => ({ cType: 'unsigned long long', bits: 64, signed: false, isPointer: false, loc });
const str = (loc = at()): FormatArg => ({ cType: 'const char *', bits: 64, signed: false, isPointer: true, loc });

describe('checker/formats: bpf_bprintf_prepare() grammar (fact 42)', () => {
  it('accepts the %8u/%8ld/%10lu column formats of a map table', () => {
    assert.deepStrictEqual(checkFormatCall({ helper: 'bpf_seq_printf', format: '%8u %8ld %8ld %10lu\n', args: [u32(), u64(), u64(), u64()], loc: at() }), []);
    assert.deepStrictEqual(checkFormatCall({ helper: 'bpf_seq_printf', format: '-- %%%% no more maps --\n', args: [], loc: at() }), []);
  });
  it('accepts every conversion the kernel knows', () => {
    for (const f of ['%d', '%i', '%u', '%x', '%X', '%ld', '%lld', '%lu', '%llx', '%c', '%s', '%p', '%pK', '%px', '%ps', '%pS', '%pB', '%pks', '%pus', '%pi4', '%pI4', '%pi6', '%pI6', '%-08d', '%+d', '% d', '%10s']) {
      assert.ok(parseBprintfFormat(f).ok, f);
    }
  });
  it('refuses what the kernel refuses: %f %z %hd %llld %.2d %*d %pM %pa %sx', () => {
    for (const f of ['%f', '%zu', '%hd', '%llld', '%.2d', '%*d', '%pM', '%pa', '%sx', '%']) {
      assert.strictEqual(parseBprintfFormat(f).ok, false, f);
    }
  });
  it('reports an invalid specifier as a warning at the call: the kernel loads the program, the call fails with -EINVAL (bpf_seq_printf fmt is ARG_PTR_TO_MEM)', () => {
    const loc = at();
    const ds = checkFormatCall({ helper: 'bpf_seq_printf', format: 'v=%.2d\n', args: [u32()], loc });
    assert.strictEqual(ds.length, 1);
    assert.strictEqual(ds[0].code, Diagnostics.FormatInvalidSpecifier.code);
    assert.strictEqual(ds[0].category, 'warning');
    assert.ok(ds[0].message.includes('loads') && ds[0].message.includes('-EINVAL'), ds[0].message);
    assert.deepStrictEqual({ file: ds[0].file, pos: ds[0].pos, end: ds[0].end }, loc);
    assert.ok(ds[0].message.includes('"%." is not a conversion the kernel accepts'), ds[0].message);
  });
  it('refuses %pks/%pus followed by a letter, as %s (measured on 6.18: the call prints nothing)', () => {
    for (const f of ['%pksX', '%pus1']) assert.strictEqual(parseBprintfFormat(f).ok, false, f);
    assert.ok(parseBprintfFormat('%pks:').ok);
  });
  it('warns that the letters after a %p conversion are not printed: %pI6c is no compressed address', () => {
    const ds = checkFormatCall({ helper: 'bpf_seq_printf', format: '[%pI6c]:%u %pxabc %pI4\n', args: [str(), u32(), str(), str()], loc: at() });
    assert.deepStrictEqual(ds.map((d) => [d.code, d.category]), [[Diagnostics.FormatPointerSuffixDropped.code, 'warning'], [Diagnostics.FormatPointerSuffixDropped.code, 'warning']]);
    assert.ok(ds[0].message.startsWith('"%pI6c" prints as %pI6') && ds[0].message.includes('("c" is not printed)') && ds[0].message.includes('modifiers have no effect'), ds[0].message);
    assert.ok(ds[1].message.startsWith('"%pxabc" prints as %px') && !ds[1].message.includes('modifiers'), ds[1].message);
    const parsed = parseBprintfFormat('%pI6c %u');
    assert.ok(parsed.ok && parsed.conversions.length === 2 && parsed.conversions[0].dropped === 'c');
  });
  it('accepts a pointer the code cast to an integer for %lx and %llu (`(long)ptr`), as clang does', () => {
    const pointerCast: FormatArg = { ...str(), pointerCast: true };
    assert.deepStrictEqual(checkFormatCall({ helper: 'bpf_seq_printf', format: '%lx %llu %s\n', args: [pointerCast, pointerCast, pointerCast], loc: at() }), []);
    assert.deepStrictEqual(checkFormatCall({ helper: 'bpf_seq_printf', format: '%lx\n', args: [str()], loc: at() }).map((d) => d.code), [Diagnostics.FormatArgumentMismatch.code]);
  });
  it('reports more conversions than arguments (-EINVAL)', () => {
    const ds = checkFormatCall({ helper: 'bpf_seq_printf', format: '%d %d\n', args: [u32()], loc: at() });
    assert.deepStrictEqual(ds.map((d) => d.code), [Diagnostics.FormatTooFewArguments.code]);
    assert.ok(ds[0].message.startsWith('The format has 2 conversions but only 1 arguments'));
  });
  it('bpf_snprintf: a format bpf_bprintf_prepare() refuses is a load error, as check_bpf_snprintf_call() makes it', () => {
    const few = checkFormatCall({ helper: 'bpf_snprintf', format: '%d %d', args: [u32()], loc: at() });
    assert.deepStrictEqual(few.map((d) => [d.code, d.category]), [[Diagnostics.SnprintfFormatRefused.code, 'error']]);
    assert.strictEqual(few[0].message, 'bpf_snprintf\'s format is checked when the program loads, and the verifier refuses this one: the format has 2 conversions but only 1 arguments. Verifier: "Invalid format string"');
    const bad = checkFormatCall({ helper: 'bpf_snprintf', format: '%5.2f', args: [u32()], loc: at() });
    assert.deepStrictEqual(bad.map((d) => [d.code, d.category]), [[Diagnostics.SnprintfFormatRefused.code, 'error']]);
    assert.match(bad[0].message, /refuses this one: "%5\." is not a conversion the kernel accepts\./);
    const control = checkFormatCall({ helper: 'bpf_snprintf', format: 'a\x01b', args: [], loc: at() });
    assert.deepStrictEqual(control.map((d) => d.code), [Diagnostics.SnprintfFormatRefused.code]);
    assert.deepStrictEqual(checkFormatCall({ helper: 'bpf_snprintf', format: '%d %s', args: [u32(), str()], loc: at() }), [], 'a good format: nothing');
    assert.strictEqual(checkFormatCall({ helper: 'bpf_snprintf', format: null, args: [], loc: at() })[0].message, 'The format of bpf_snprintf must be a constant string');
  });
  it('allows more arguments than conversions', () => {
    assert.deepStrictEqual(checkFormatCall({ helper: 'bpf_seq_printf', format: '%d\n', args: [u32(), u32()], loc: at() }), []);
  });
  it('reports more than 12 arguments', () => {
    const args = Array.from({ length: 13 }, () => u32());
    const ds = checkFormatCall({ helper: 'bpf_seq_printf', format: '%d', args, loc: at() });
    assert.deepStrictEqual(ds.map((d) => d.code), [Diagnostics.FormatTooManyArguments.code]);
  });
  it('warns on %d with a u64 and %llu with an int, at the argument (like -Wformat)', () => {
    const a = at(), b = at();
    const ds = checkFormatCall({ helper: 'bpf_seq_printf', format: '%d %llu', args: [u64(a), u32(b)], loc: at() });
    assert.deepStrictEqual(ds.map((d) => [d.code, d.category, d.pos]), [[Diagnostics.FormatArgumentMismatch.code, 'warning', a.pos], [Diagnostics.FormatArgumentMismatch.code, 'warning', b.pos]]);
    assert.strictEqual(ds[0].message, 'Format %d expects a 32-bit (or narrower) integer, but the argument has type unsigned long long');
  });
  it('warns on %s with an integer and accepts it with a pointer', () => {
    assert.strictEqual(checkFormatCall({ helper: 'bpf_seq_printf', format: '%s', args: [u32()], loc: at() }).length, 1);
    assert.deepStrictEqual(checkFormatCall({ helper: 'bpf_seq_printf', format: '%s', args: [str()], loc: at() }), []);
  });
  it('a hand-written u64 argument array: (__u64)ptr is the pointer for %s, (__u64)int fits %d and %llu (bpf_snprintf loads on 6.18)', () => {
    const text = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
char out[64];
SEC("iter/task")
int named(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	__u64 args[3];
	if (!task) return 0;
	args[0] = task->pid;
	args[1] = (__u64)task->comm;
	args[2] = (__u64)task->tgid;
	bpf_snprintf(out, sizeof(out), "%d %s %llu", args, sizeof(args));
	args[0] = (__u64)task->pid;
	bpf_snprintf(out, sizeof(out), "%s", args, 8);
	return 0;
}
`;
    const formatWarnings = serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => d.code === `BPF${Diagnostics.FormatArgumentMismatch.code}`);
    // only the last call is wrong: %s given the pid (an int) cast to u64
    assert.deepStrictEqual(formatWarnings.map((d) => String(d.message).replace(/type .*$/, 'type T')), ['Format %s expects a pointer to a string, but the argument has type T']);
    assert.strictEqual(formatWarnings[0].range.start.line, 14);
  });
  it('a hand-written call passes data_len / 8 values: an array filled in a loop is not short of arguments, and 13 values load (the helper returns -EINVAL, measured on 6.18)', () => {
    const text = `#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
char LICENSE[] SEC("license") = "GPL";
SEC("iter/task")
int many(struct bpf_iter__task *ctx)
{
	struct task_struct *task = ctx->task;
	static const char fmt12[] = "%s %d %d %d %d %d %d %d %d %d %d %d\\n";
	static const char fmt13[] = "%s %d %d %d %d %d %d %d %d %d %d %d %d";
	__u64 args[13];
	char out[64];
	int i;

	if (!task)
		return 0;
	args[0] = (__u64)task->comm;
	for (i = 1; i < 13; i++)
		args[i] = i;
	bpf_seq_printf(ctx->meta->seq, fmt12, sizeof(fmt12), args, 12 * 8);
	bpf_seq_printf(ctx->meta->seq, fmt13, sizeof(fmt13), args, sizeof(args));
	bpf_snprintf(out, sizeof(out), fmt13, args, sizeof(args));
	return 0;
}
`;
    const ds = serviceFor(TARGET_FILES).validate(FIXTURE_PATH, text).filter((d) => /^BPF25/.test(String(d.code)));
    assert.deepStrictEqual(ds.map((d) => [d.code, d.severity, d.range.start.line]), [
      [`BPF${Diagnostics.FormatTooManyArguments.code}`, 2, 19], [`BPF${Diagnostics.FormatTooManyArguments.code}`, 2, 20]]);
    assert.match(String(ds[0].message), /passes 13: the program loads, but the call always returns -EINVAL/);
  });
  it('rejects non-printable characters and a non-constant format', () => {
    assert.deepStrictEqual(checkFormatCall({ helper: 'bpf_seq_printf', format: 'a\u0001', args: [], loc: at() }).map((d) => d.code), [Diagnostics.FormatNonPrintable.code]);
    assert.deepStrictEqual(checkFormatCall({ helper: 'bpf_seq_printf', format: null, args: [], loc: at() }).map((d) => d.code), [Diagnostics.FormatNotConstant.code]);
  });
  it('map_percpu_stats: "%lld" with the s64 from bpf_map_sum_elem_count is fine', () => {
    assert.deepStrictEqual(checkFormatCall({ helper: 'bpf_seq_printf', format: '%lld', args: [{ cType: 's64', bits: 64, signed: true, isPointer: false, loc: at() }], loc: at() }), []);
  });
});
