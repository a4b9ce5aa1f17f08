/**
 * `.bpf-iter.json` (service/projectConfig.ts): validated with the key at fault named, found walking up, and applied
 * by `LanguageService.validate`, so the language server hides what the CLI hides.
 */
import * as assert from 'assert';
import { parseProjectConfig, findProjectConfig } from '../../../server/src/service/projectConfig';
import { createLanguageService, defaultSettings } from '../../../server/src/service/languageService';
import { createMemoryHost } from '../../../server/src/service/host';

const PROGRAM = '#define X 1\n#define X 2\n';

describe('.bpf-iter.json (project configuration shared by the CLI and the language server)', () => {
  it('takes disable and warningsAsErrors; refuses anything else naming the key or code', () => {
    assert.deepStrictEqual(parseProjectConfig('{"disable": ["BPF1020"], "warningsAsErrors": true}'),
      { config: { disable: ['BPF1020'], warningsAsErrors: true, limits: {} } });
    assert.deepStrictEqual(parseProjectConfig('{}'), { config: { disable: [], warningsAsErrors: false, limits: {} } });
    assert.match(parseProjectConfig('{"disabled": []}').error!, /^unknown key "disabled"/);
    assert.match(parseProjectConfig('{"disable": "BPF1020"}').error!, /^"disable" must be an array/);
    assert.match(parseProjectConfig('{"disable": ["BPF0001"]}').error!, /unknown diagnostic code "BPF0001"/);
    assert.match(parseProjectConfig('[1]').error!, /one JSON object/);
    assert.match(parseProjectConfig('{').error!, /^not valid JSON/);
  });

  it('the nearest file walking up from the folder wins', () => {
    const files: Record<string, string> = { '/p/.bpf-iter.json': '{"disable": ["BPF1020"]}', '/p/a/b/.bpf-iter.json': '{"warningsAsErrors": true}' };
    const read = (p: string) => files[p];
    assert.deepStrictEqual(findProjectConfig('/p/a/b/c', read), { file: '/p/a/b/.bpf-iter.json', config: { disable: [], warningsAsErrors: true, limits: {} } });
    assert.strictEqual(findProjectConfig('/p/a', read).file, '/p/.bpf-iter.json');
    assert.strictEqual(findProjectConfig('/q', read).file, undefined);
  });

  it('validate() (what the language server publishes) drops the codes the project disables; --enable-like options win', () => {
    const files: Record<string, string> = { '/p/src/x.bpf.c': PROGRAM };
    const service = createLanguageService(createMemoryHost(files), defaultSettings());
    const codes = (options = {}) => service.validate('/p/src/x.bpf.c', PROGRAM, options).map((d) => d.code);
    assert.deepStrictEqual(codes(), ['BPF1020']);
    files['/p/.bpf-iter.json'] = '{"disable": ["BPF1020"]}';
    assert.deepStrictEqual(codes(), []);
    assert.deepStrictEqual(codes({ enableCodes: ['BPF1020'] }), ['BPF1020']);
    delete files['/p/.bpf-iter.json'];
    assert.deepStrictEqual(codes({ disableCodes: ['BPF1020'] }), []);
  });

  it('an invalid file is a BPF1600 warning at the top of each file, and none of its choices apply', () => {
    const files: Record<string, string> = { '/p/src/x.bpf.c': PROGRAM, '/p/.bpf-iter.json': '{"disable": ["BPF1020"], "colour": true}' };
    const service = createLanguageService(createMemoryHost(files), defaultSettings());
    const diags = service.validate('/p/src/x.bpf.c', PROGRAM);
    assert.deepStrictEqual(diags.map((d) => [d.code, d.severity, d.range.start.line]), [['BPF1020', 2, 1], ['BPF1600', 2, 0]]);
    assert.match(String(diags[1].message), /^\/p\/\.bpf-iter\.json: unknown key "colour" .*; its choices are not applied$/);
  });
});
