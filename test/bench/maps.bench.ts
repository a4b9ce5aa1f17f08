// Cost of the embedded default system: creating and filling its maps, against a baseline of one small hash map,
// both measured in this run.
import { Kernel } from '../../server/src/kernel';
import { defaultScenario } from '../../server/src/exec/scenario';
import { createScenarioMap, fillScenarioMap } from '../../server/src/exec/scenarioMaps';

function loadDefault(): void {
  const s = defaultScenario();
  const k = new Kernel({ cpus: s.cpus });
  const fds = new Map<string, number>();
  const created: Array<[number, typeof s.maps[number]]> = [];
  for (const m of s.maps) {
    const fd = createScenarioMap(k, { name: m.name, type: m.type!, key_size: m.key_size!, value_size: m.value_size!, max_entries: m.max_entries!,
      flags: m.flags, mapExtra: m.mapExtra, btf: m.btf, innerMap: m.innerMap }, m.path, fds);
    if (m.name) fds.set(m.name, fd);
    created.push([fd, m]);
  }
  for (const [fd, m] of created) fillScenarioMap(k, fd, m.entries, m.name, fds);
}
function baseline(): void {
  const k = new Kernel();
  const fd = k.createMap({ type: 1, keySize: 4, valueSize: 8, maxEntries: 64 });
  k.mapUpdate(fd, new Uint8Array(4), new Uint8Array(8));
}
function timeMs(fn: () => void, n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / 1e6 / n;
}

export async function run(): Promise<void> {
  timeMs(loadDefault, 2);
  const base = timeMs(baseline, 200);
  const def = timeMs(loadDefault, 10);
  console.log(`maps: default system (${defaultScenario().maps.length} maps) created+filled in ${def.toFixed(2)} ms = ${(def / base).toFixed(0)}x one small hash map (${base.toFixed(3)} ms)`);
}
