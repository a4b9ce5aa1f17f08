import * as assert from 'assert';
import { isBpfSource, isBpfTarget } from '../../../server/src/service/bpfSources';
import { createMemoryHost } from '../../../server/src/service/host';

describe('service: which C files are BPF program sources (the server validates them, check takes them from a folder)', () => {
  const files: Record<string, string> = {
    '/p/bpf/.clangd': 'CompileFlags:\n  Add: [--target=bpf]\n',
    '/p/probes/compile_flags.txt': '-target\nbpfel\n',
    '/p/host/compile_flags.txt': '--target=x86_64-linux-gnu\n',
  };
  const host = createMemoryHost(files);
  const decide = (file: string, text = 'int helper(int x) { return x; }\n') => isBpfSource(file, () => text, host);

  it('a *.bpf.c is one whatever it holds; a header never is', () => {
    assert.strictEqual(decide('/p/tools/empty.bpf.c', ''), true);
    assert.strictEqual(decide('/p/bpf/common.h', 'SEC("xdp") int f(void *c) { return 0; }'), false);
  });

  it('a .c with a section: SEC("..."), __section("...") or a section attribute', () => {
    assert.strictEqual(decide('/p/tools/a.c', 'SEC("tc") int f(void *c) { return 0; }'), true);
    assert.strictEqual(decide('/p/tools/b.c', '__section("from-container") int f(void *c) { return 0; }'), true);
    assert.strictEqual(decide('/p/tools/c.c', 'int f(void *c) __attribute__((section("xdp"), used));'), true);
  });

  it('a .c its build setup compiles for BPF (.clangd, compile_flags.txt; bpfel/bpfeb too); other C is not', () => {
    assert.strictEqual(decide('/p/bpf/helper.c'), true);
    assert.strictEqual(decide('/p/probes/helper.c'), true);
    assert.strictEqual(decide('/p/host/loader.c'), false);
    assert.strictEqual(decide('/p/tools/main.c', 'int main(void) { return 0; }\n'), false);
    assert.deepStrictEqual(['bpf', 'bpfel-unknown-none', 'bpfeb', 'x86_64', undefined].map(isBpfTarget), [true, true, true, false, false]);
  });
});
