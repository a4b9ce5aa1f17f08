import { OutputDocument } from '../../client/src/panel/outputDocument';

/**
 * The Run panel's share of a 100 MB iterator output: indexing its lines, one scroll window, a search.
 * Ratios are against splitting the same text with String.prototype.split, measured in the same run.
 */
export async function run(): Promise<void> {
  const line = '  42 conntrack             4     8     1024        3\n';
  const text = line.repeat(Math.ceil((100 * 1024 * 1024) / line.length));
  const time = (fn: () => void) => { const t = process.hrtime.bigint(); fn(); return Number(process.hrtime.bigint() - t) / 1e6; };

  const baseline = time(() => { text.split('\n'); });
  let doc!: OutputDocument;
  const index = time(() => { doc = new OutputDocument(text); });
  const window = time(() => { doc.lines(Math.floor(doc.lineCount / 2), 2000); });
  const search = time(() => { doc.search('conntrack', 1000); });
  const searchMiss = time(() => { doc.search('no such text', 1000); });
  const mb = (text.length / 1024 / 1024).toFixed(0);
  console.log(`client panel: ${mb} MB, ${doc.lineCount} lines`);
  console.log(`client panel: line index ${index.toFixed(0)} ms (${(index / baseline).toFixed(2)}x split('\\n') ${baseline.toFixed(0)} ms)`);
  console.log(`client panel: 2000-line window ${window.toFixed(2)} ms; search first 1000 hits ${search.toFixed(1)} ms; search with no hit ${searchMiss.toFixed(0)} ms`);
}

if (require.main === module) void run();
