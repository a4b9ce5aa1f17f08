/**
 * `bpf-iter check DIR` on a folder of real-world projects (the same folder as the acceptance test
 * test/integration/cli-project-realworld.test.ts): one call with the files in parallel worker threads, against
 * the baseline of the sequential sum, one `bpf-iter check FILE` process per file from its project's root (what a
 * CI script looping over files does), and one call in a single thread (-j 1), which separates what the shared
 * header caches save from what the threads save. Wall-clock times, each measured once in this run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { bpfIter, corpusFolderCopy, FOLDER_PROJECTS } from '../integration/realworldHarness';

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

export async function run(): Promise<void> {
  const folder = corpusFolderCopy(FOLDER_PROJECTS);
  try {
    const jobs = Math.max(1, os.availableParallelism ? os.availableParallelism() : os.cpus().length);
    const parallel = await timed(() => bpfIter(['check', '--json', folder], process.cwd()));
    const files = (JSON.parse(parallel.value.stdout.toString('utf8')) as { files: Array<{ file: string }> }).files.map((f) => path.resolve(f.file));
    const oneThread = await timed(() => bpfIter(['check', '--json', '-j', '1', folder], process.cwd()));
    let sequentialSum = 0;
    for (const file of files) {
      const projectRoot = path.join(folder, path.relative(folder, file).split(path.sep)[0]);
      sequentialSum += (await timed(() => bpfIter(['check', '--json', path.relative(projectRoot, file)], projectRoot))).ms;
    }
    const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
    console.log(`  ${files.length} files of ${FOLDER_PROJECTS.length} projects, ${jobs} worker threads`);
    console.log(`  check DIR, parallel (one call, ${jobs} threads):  ${s(parallel.ms)}`);
    console.log(`  check DIR -j 1 (one call, one thread):         ${s(oneThread.ms)}`);
    console.log(`  baseline: sequential sum of check FILE (${files.length} processes): ${s(sequentialSum)}`);
    console.log(`  parallel / sequential sum: ${(parallel.ms / sequentialSum).toFixed(2)}`);
  } finally {
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
