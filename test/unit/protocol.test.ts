import * as assert from 'assert';
import { RunRequestMethod, ListProgramsRequestMethod } from '../../shared/src/protocol';

describe('shared protocol', () => {
  it('names the custom requests under the bpfIter/ prefix', () => {
    assert.strictEqual(RunRequestMethod, 'bpfIter/run');
    assert.strictEqual(ListProgramsRequestMethod, 'bpfIter/listPrograms');
  });
});
