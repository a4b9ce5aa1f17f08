import * as assert from 'assert';
import { checkIterProgram, CheckOptions } from '../../../server/src/lang/checker';
import { Diagnostics } from '../../../server/src/lang/diagnostics';
import { U8, S32 } from '../../../server/src/lang/ir';
import {
  at, c, ld, st, local, assign, add, or, isNull, cast, helper, mapAddr, if_, ret, decl, expr, program, K, V, seq, U64, U32,
  bin, loop, stackAddr, copy, brk, globalAddr,
} from './irBuilders';
import { only, assertAt } from './nullness.test';

const elem: CheckOptions = { target: 'bpf_map_elem', cpus: 4, gplCompatible: true };
const I32 = S32;

/** `key = ctx->key; val = ctx->value; if (!key || !val) return 0;` */
const guard = () => [decl(1, K()), decl(2, V()), if_(or(isNull(local(1)), isNull(local(2))), ret(c(0)))];
const locals = [{ id: 1 }, { id: 2 }, { id: 3, type: I32 }, { id: 4, type: I32 }];

describe('checker/accessSize: max_rdonly_access / max_rdwr_access (check_buffer_access, bpf_iter_attach_map)', () => {
  it('a 12-byte-key hash dump: 12-byte key read and 8-byte value read give 12/8', () => {
    const keyLoc = at(), valLoc = at();
    const ir = program({ locals, slots: [{ id: 0, offset: 0, size: 12, align: 4 }], stackSize: 16, body: [...guard(),
      expr(copy(stackAddr(0), local(1), 12, keyLoc)),
      expr(ld(local(2), 0, U64, valLoc)), ret(c(0))] });
    const r = checkIterProgram(ir, 0, elem);
    assert.deepStrictEqual(r.diagnostics, []);
    assert.strictEqual(r.maxRdonlyAccess, 12);
    assert.strictEqual(r.maxRdwrAccess, 8);
    assert.deepStrictEqual(r.maxRdonlyLoc, keyLoc);
    assert.deepStrictEqual(r.maxRdwrLoc, valLoc);
  });

  it('hash map: attaching to hashmap2 (key 8 < 12) is EACCES at the access, with the map definition related', () => {
    const keyLoc = at();
    const mapLoc = at();
    const ir = program({ locals, slots: [{ id: 0, offset: 0, size: 12, align: 4 }], stackSize: 16, body: [...guard(),
      expr(copy(stackAddr(0), local(1), 12, keyLoc)), expr(ld(local(2), 0, U64)), ret(c(0))] });
    const r = checkIterProgram(ir, 0, { ...elem, attachMap: { key_size: 8, value_size: 8, percpu: false, cpus: 4, name: 'hashmap2', loc: mapLoc } });
    assert.strictEqual(r.diagnostics.length, 1);
    const d = r.diagnostics[0];
    assert.strictEqual(d.code, Diagnostics.AttachKeyAccessTooLarge.code);
    assertAt(d, keyLoc);
    assert.strictEqual(d.message, 'This reads 12 bytes of the key, but map hashmap2 has key_size 8: attaching the iterator fails with EACCES');
    assert.deepStrictEqual(d.related, [{ ...mapLoc, message: 'map hashmap2 is defined here' }]);
    assert.strictEqual(r.attachError?.errno, 'EACCES');
    assert.deepStrictEqual(r.attachError?.loc, keyLoc);
  });

  it('hash map: hashmap3 (value 4 < 8) is EACCES at the value read', () => {
    const valLoc = at();
    const ir = program({ locals, body: [...guard(), expr(ld(local(2), 0, U64, valLoc)), ret(c(0))] });
    const d = only(ir, { ...elem, attachMap: { key_size: 12, value_size: 4, percpu: false, cpus: 4, name: 'hashmap3' } });
    assert.strictEqual(d.code, Diagnostics.AttachValueAccessTooLarge.code);
    assertAt(d, valLoc);
    assert.ok(d.message.includes('accesses 8 bytes of the value, but map hashmap3 allows 4'));
  });

  it('per-CPU hash: a loop over CPUs reading value + 8*i gives 8(N-1)+4 and attaches', () => {
    const N = 4;
    const readLoc = at();
    const ir = program({ locals, body: [...guard(),
      loop({ init: decl(3, c(0)), test: bin('lt', local(3, I32), c(N)), update: assign(3, bin('add', local(3, I32), c(1)), I32),
        body: expr(ld(add(local(2), local(3, I32), 8), 0, U32, readLoc)) }), ret(c(0))] });
    const r = checkIterProgram(ir, 0, { ...elem, attachMap: { key_size: 12, value_size: 4, percpu: true, cpus: N, name: 'hashmap1' } });
    assert.deepStrictEqual(r.diagnostics, []);
    assert.strictEqual(r.maxRdwrAccess, 8 * (N - 1) + 4);
    assert.deepStrictEqual(r.maxRdwrLoc, readLoc);
  });

  it('per-CPU hash with a rodata CPU count: the loop bound is the frozen .rodata num_cpus (bpf_map_direct_read)', () => {
    const N = 4;
    const init = new Uint8Array([N, 0, 0, 0]);
    const ir = program({ locals, sections: [{ name: '.rodata', size: 4, readonly: true }],
      globals: [{ name: 'num_cpus', section: '.rodata', offset: 0, size: 4, readonly: true, init, cType: 'const volatile __u32', loc: at() }],
      body: [...guard(),
        loop({ init: decl(3, c(0)), test: bin('lt', local(3, I32), ld(globalAddr('num_cpus', '.rodata'), 0, U32)), update: assign(3, bin('add', local(3, I32), c(1)), I32),
          body: expr(ld(add(local(2), local(3, I32), 8), 0, U32)) }), ret(c(0))] });
    const r = checkIterProgram(ir, 0, { ...elem, attachMap: { key_size: 12, value_size: 4, percpu: true, cpus: N, name: 'hashmap1' } });
    assert.deepStrictEqual(r.diagnostics, []);
    assert.strictEqual(r.maxRdwrAccess, 8 * (N - 1) + 4);
  });

  it('per-CPU limit is round_up(value_size, 8) * cpus: 9 CPUs of reads on a 4-CPU map fail', () => {
    const readLoc = at();
    const ir = program({ locals, body: [...guard(),
      loop({ init: decl(3, c(0)), test: bin('lt', local(3, I32), c(5)), update: assign(3, bin('add', local(3, I32), c(1)), I32),
        body: expr(ld(add(local(2), local(3, I32), 8), 0, U32, readLoc)) }), ret(c(0))] });
    const d = only(ir, { ...elem, attachMap: { key_size: 12, value_size: 4, percpu: true, cpus: 4, name: 'pc' } });
    assert.strictEqual(d.code, Diagnostics.AttachValueAccessTooLarge.code);
    assert.ok(d.message.includes('accesses 36 bytes of the value, but map pc allows 32 (round_up(4, 8) * 4 CPUs)'), d.message);
  });

  it('reading u32 at key+12 gives max_rdonly 16 and EACCES on a 12-byte key', () => {
    const loc = at();
    const ir = program({ locals, body: [...guard(), expr(ld(add(local(1), c(12)), 0, U32, loc)), ret(c(0))] });
    const r = checkIterProgram(ir, 0, { ...elem, attachMap: { key_size: 12, value_size: 8, percpu: false, cpus: 4, name: 'hashmap1' } });
    assert.strictEqual(r.maxRdonlyAccess, 16);
    assert.strictEqual(r.diagnostics.length, 1);
    assertAt(r.diagnostics[0], loc);
    assert.strictEqual(r.attachError?.errno, 'EACCES');
  });

  it('two too-wide key reads: both are reported, and the attach error names the widest (max_rdonly_access)', () => {
    const narrowLoc = at(), wideLoc = at();
    const ir = program({ locals, body: [...guard(),
      expr(ld(add(local(1), c(8)), 0, U32, narrowLoc)), expr(ld(add(local(1), c(16)), 0, U64, wideLoc)), ret(c(0))] });
    const r = checkIterProgram(ir, 0, { ...elem, attachMap: { key_size: 8, value_size: 8, percpu: false, cpus: 4, name: 'small' } });
    assert.deepStrictEqual(r.diagnostics.map((d) => d.code), [Diagnostics.AttachKeyAccessTooLarge.code, Diagnostics.AttachKeyAccessTooLarge.code]);
    assert.strictEqual(r.maxRdonlyAccess, 24);
    assert.strictEqual(r.attachError?.errno, 'EACCES');
    assert.deepStrictEqual(r.attachError?.loc, wideLoc);
    assert.match(r.attachError!.message, /reads 24 bytes of the key/);
  });

  it('reading u32 at value-4 fails to load with "invalid rdwr buffer access: off=-4, size=4"', () => {
    const loc = at();
    const ir = program({ locals, body: [...guard(), expr(ld(add(local(2), c(-4)), 0, U32, loc)), ret(c(0))] });
    const d = only(ir);
    assert.strictEqual(d.code, Diagnostics.NegativeBufferOffset.code);
    assertAt(d, loc);
    assert.ok(d.message.includes('R? invalid rdwr buffer access: off=-4, size=4'), d.message);
  });

  it('negative key offsets say rdonly', () => {
    const loc = at();
    const d = only(program({ locals, body: [...guard(), expr(ld(local(1), -1, U8, loc)), ret(c(0))] }));
    assert.ok(d.message.includes('R? invalid rdonly buffer access: off=-1, size=1'), d.message);
  });

  it('rejects any store through ctx->key: "cannot write into rdonly_buf"', () => {
    const loc = at();
    const d = only(program({ locals, body: [...guard(), expr(st(local(1), 0, 4, c(1), loc)), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.WriteIntoRdonlyBuf.code);
    assertAt(d, loc);
    assert.ok(d.message.includes('R? cannot write into rdonly_buf'));
  });

  it('rejects a helper writing into the key (bpf_probe_read_kernel dst = key)', () => {
    const argLoc = at();
    const d = only(program({ locals, body: [...guard(), expr(helper('bpf_probe_read_kernel', 113, [{ ...local(1), loc: argLoc }, c(4), c(0, U64)])), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.WriteIntoRdonlyBuf.code);
    assertAt(d, argLoc);
  });

  it('accepts stores through ctx->value and counts them in max_rdwr_access', () => {
    const r = checkIterProgram(program({ locals, body: [...guard(), expr(st(local(2), 4, 4, c(0))), ret(c(0))] }), 0, elem);
    assert.deepStrictEqual(r.diagnostics, []);
    assert.strictEqual(r.maxRdwrAccess, 8);
  });

  it('counts helper arguments: bpf_seq_write(seq, key, 4) is a 4-byte key read', () => {
    const l1 = at(), l2 = at();
    const r = checkIterProgram(program({ locals, body: [...guard(),
      expr(helper('bpf_seq_write', 127, [seq(), { ...local(1), loc: l1 }, c(4)])),
      expr(helper('bpf_seq_write', 127, [seq(), { ...local(2), loc: l2 }, c(8)])), ret(c(0))] }), 0, elem);
    assert.deepStrictEqual(r.diagnostics, []);
    assert.strictEqual(r.maxRdonlyAccess, 4);
    assert.strictEqual(r.maxRdwrAccess, 8);
    assert.deepStrictEqual(r.maxRdonlyLoc, l1);
    assert.deepStrictEqual(r.maxRdwrLoc, l2);
  });

  it('rejects a masked unknown index into the value: "invalid variable buffer offset" with the tnum', () => {
    const loc = at();
    const d = only(program({ locals, body: [...guard(), decl(3, bin('and', helper('bpf_get_prandom_u32', 7, []), c(7), U32)),
      expr(ld(add(local(2), local(3, U32), 1), 0, U8, loc)), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.VariableBufferOffset.code);
    assertAt(d, loc);
    assert.ok(d.message.includes('R? invalid variable buffer offset: off=0, var_off=(0x0; 0x7)'), d.message);
  });

  it('accepts a path-constant index chosen by a branch', () => {
    const r = checkIterProgram(program({ locals, body: [...guard(), decl(3, c(0)),
      if_(bin('gt', helper('bpf_get_prandom_u32', 7, []), c(5)), expr(assign(3, c(8), I32))),
      expr(ld(add(local(2), local(3, I32), 1), 0, U64)), ret(c(0))] }), 0, elem);
    assert.deepStrictEqual(r.diagnostics, []);
    assert.strictEqual(r.maxRdwrAccess, 16);
  });

  it('takes the maximum over paths, with the loc of the access that set it', () => {
    const big = at();
    const r = checkIterProgram(program({ locals, body: [...guard(),
      if_(bin('gt', helper('bpf_get_prandom_u32', 7, []), c(5)), expr(ld(local(2), 8, U64, big)), expr(ld(local(2), 0, U32))), ret(c(0))] }), 0, elem);
    assert.strictEqual(r.maxRdwrAccess, 16);
    assert.deepStrictEqual(r.maxRdwrLoc, big);
  });

  it('passing the read-only key as a map key is "type=rdonly_buf expected=..." (pass the value instead)', () => {
    const maps = [{ name: 'hashmap1', type: 'hash', key_size: 8, value_size: 4, max_entries: 10, map_flags: 0, loc: at() }];
    const argLoc = at();
    const d = only(program({ maps, locals, body: [...guard(),
      expr(helper('bpf_map_update_elem', 2, [mapAddr('hashmap1'), { ...local(1), loc: argLoc }, local(2), c(0, U64)])), ret(c(0))] }));
    assert.strictEqual(d.code, Diagnostics.RdonlyBufAsHelperArg.code);
    assertAt(d, argLoc);
    assert.ok(d.message.includes('R2 type=rdonly_buf expected=fp, pkt, pkt_meta, map_key, map_value'));
  });

  it('bpf_map_update_elem(&hashmap1, val, val) counts key_size and value_size of hashmap1 as value reads', () => {
    const maps = [{ name: 'hashmap1', type: 'hash', key_size: 8, value_size: 4, max_entries: 10, map_flags: 0, loc: at() }];
    const r = checkIterProgram(program({ maps, locals, body: [...guard(),
      expr(helper('bpf_map_update_elem', 2, [mapAddr('hashmap1'), local(2), local(2), c(0, U64)])), ret(c(0))] }), 0, elem);
    assert.deepStrictEqual(r.diagnostics, []);
    assert.strictEqual(r.maxRdwrAccess, 8);
  });

  it('a break out of a counted loop still bounds the offsets', () => {
    const r = checkIterProgram(program({ locals, body: [...guard(),
      loop({ init: decl(3, c(0)), update: assign(3, bin('add', local(3, I32), c(1)), I32),
        body: { op: 'block', loc: at(), body: [if_(bin('ge', local(3, I32), c(3)), brk()), expr(ld(add(local(1), local(3, I32), 4), 0, U32))] } }),
      ret(c(0))] }), 0, elem);
    assert.deepStrictEqual(r.diagnostics, []);
    assert.strictEqual(r.maxRdonlyAccess, 12);
  });

  it('does not count accesses of a program that never touches key/value', () => {
    const r = checkIterProgram(program({ body: [ret(c(0))] }), 0, elem);
    assert.strictEqual(r.maxRdonlyAccess, 0);
    assert.strictEqual(r.maxRdwrAccess, 0);
    assert.strictEqual(r.maxRdonlyLoc, undefined);
  });

  it('cast pointers keep their offsets: ((u64 *)val)[1] is off 8 size 8', () => {
    const r = checkIterProgram(program({ locals, body: [...guard(), expr(ld(add(cast(local(2)), c(1), 8), 0, U64)), ret(c(0))] }), 0, elem);
    assert.strictEqual(r.maxRdwrAccess, 16);
  });
});
