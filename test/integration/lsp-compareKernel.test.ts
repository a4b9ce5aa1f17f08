/**
 * bpfIter/compareKernel over stdio: the server runs `bpf-iter run FILE --kernel --json` in a child process and
 * answers with both sides. The example's scenario gives four CPUs their own per-CPU values: a machine without root,
 * or with fewer CPUs, refuses the kernel side in one line; a machine that can make it runs it. The answer's shape is
 * what is tested.
 */
import * as assert from 'assert';
import * as path from 'path';
import { CompareKernelRequestMethod, CompareKernelResult } from '../../shared/src/protocol';
import { TestLspClient, repoRoot } from './lspClient';
import { URI } from '../../server/src/service/uri';

describe('LSP: bpfIter/compareKernel (Compare with Real Kernel)', function () {
  this.timeout(120000);
  let client: TestLspClient;
  before(async () => { client = await TestLspClient.start(); });
  after(async () => { if (client) await client.stop(); });

  it('answers with the simulated and the kernel side and identical, the refusal in one line', async () => {
    const uri = URI.fromPath(path.join(repoRoot, 'examples/map_summary.bpf.c'));
    const r = await client.connection.sendRequest(CompareKernelRequestMethod, { uri }) as CompareKernelResult;
    assert.deepStrictEqual(Object.keys(r), ['simulated', 'kernel', 'identical']);
    if (r.kernel.refused) {
      assert.strictEqual(r.identical, false);
      assert.strictEqual(r.kernel.output, null);
    } else assert.ok(r.kernel.output !== null || r.kernel.error, JSON.stringify(r.kernel));
    if (r.kernel.error) assert.ok(!r.kernel.error.message.includes('\n'), JSON.stringify(r.kernel.error));
    assert.ok(r.simulated.output !== null || r.simulated.error !== null);
  });
});
