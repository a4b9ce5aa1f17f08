/**
 * Baseline files, as the TypeScript compiler's tests keep them: a test renders what the code produces as readable
 * text and compares it with the reference baseline checked into git. On a difference (or when there is no reference
 * yet) the actual text is written under test/baselines/local/<suite>/ (git-ignored) and the test fails with a
 * unified diff. `npm run baseline-accept` (scripts/baseline-accept.js) copies the local files over the references,
 * so every change of a verdict, a message or an output is reviewed as a diff in git.
 */
import * as fs from 'fs';
import * as path from 'path';
import { unifiedDiff } from '../server/src/cli/unifiedDiff';

const repoRoot = path.resolve(__dirname, '../..');

/** Where a suite's actual files go when they differ; scripts/baseline-accept.js reads the same folder. */
export function localBaselineFolder(suite: string): string {
  return path.join(repoRoot, 'test', 'baselines', 'local', suite);
}

/** The reference text, or undefined when the file has none yet. */
export function readReference(referencePath: string): string | undefined {
  return fs.existsSync(referencePath) ? fs.readFileSync(referencePath, 'utf8') : undefined;
}

/**
 * Compares `actual` with the reference at `referencePath`. Equal: removes a stale local copy. Different or missing:
 * writes the local copy and throws an error whose message is the diff and the command that accepts it.
 */
export function assertMatchesBaseline(suite: string, referencePath: string, actual: string): void {
  const local = path.join(localBaselineFolder(suite), path.basename(referencePath));
  const reference = readReference(referencePath);
  if (reference === actual) {
    fs.rmSync(local, { force: true });
    return;
  }
  fs.mkdirSync(path.dirname(local), { recursive: true });
  fs.writeFileSync(local, actual);
  const relativeReference = path.relative(repoRoot, referencePath);
  const relativeLocal = path.relative(repoRoot, local);
  const what = reference === undefined
    ? `no baseline ${relativeReference} yet; the actual one is ${relativeLocal}:\n${actual}`
    : unifiedDiff(reference, actual, relativeReference, relativeLocal);
  const error = new Error(`${what}\nReview it, then \`npm run baseline-accept\` copies test/baselines/local/ over the references.`);
  // mocha prints `message` and, for an AssertionError-like object, a diff of expected/actual: the message is enough
  error.stack = error.message;
  throw error;
}
