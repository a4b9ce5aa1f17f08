/**
 * Fourslash-style fixtures: a C source with cursor markers `/*name*\/` written where the cursor stands. The markers
 * are removed; each name maps to the LSP position of the character that followed it.
 */
import * as path from 'path';
import { createLanguageService, defaultSettings, LanguageService, Settings } from '../../../server/src/service/languageService';
import { createMemoryHost, createNodeHost } from '../../../server/src/service/host';

export interface Fixture { text: string; markers: Record<string, { line: number; character: number }> }

export function parseMarkers(source: string): Fixture {
  const markers: Fixture['markers'] = {};
  let text = '';
  let last = 0;
  const re = /\/\*(\w+)\*\//g;
  for (let m = re.exec(source); m; m = re.exec(source)) {
    text += source.slice(last, m.index);
    last = m.index + m[0].length;
    const lines = text.split('\n');
    markers[m[1]] = { line: lines.length - 1, character: lines[lines.length - 1].length };
  }
  text += source.slice(last);
  return { text, markers };
}

export const FIXTURE_PATH = path.join(__dirname, 'fixture.bpf.c');

export function serviceFor(files: Record<string, string> = {}, settings: Partial<Settings> = {}): LanguageService {
  // Without the machine's system folders: fixtures resolve <bpf/...> to the bundled headers on any machine.
  const { systemIncludeFolders: _machineFolders, ...disk } = createNodeHost();
  return createLanguageService(createMemoryHost(files, disk), { ...defaultSettings(), ...settings });
}
