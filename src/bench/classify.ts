import { readFileSync } from 'node:fs';
import { BASE_MODEL_PATH, Qualifier, type SerializedModel } from '../classify/qualifier.ts';
import { loadCorpus } from '../classify/corpus.ts';
import { words } from '../classify/text.ts';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/**
 * Qualification speed of the shipped model on the corpus texts, one message at a time (as the classify
 * job does), beside a baseline measured in the same run: only splitting the same texts into words.
 */
export async function benchClassify(args: string[]) {
  const i = args.indexOf('--n');
  const n = i >= 0 ? Number(args[i + 1]) : 5000;
  const texts = loadCorpus().examples.map((e) => e.text);
  const sample = Array.from({ length: n }, (_, k) => texts[k % texts.length]!);
  global.gc?.();
  const heapBefore = process.memoryUsage().heapUsed;
  const model = Qualifier.deserialize(JSON.parse(readFileSync(BASE_MODEL_PATH, 'utf8')) as SerializedModel);
  global.gc?.();
  const footprintMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
  for (const t of sample.slice(0, 200)) model.qualify(t); // warm-up
  const latencies: number[] = [];
  const t0 = performance.now();
  for (const t of sample) {
    const s = performance.now();
    model.qualify(t);
    latencies.push(performance.now() - s);
  }
  const seconds = (performance.now() - t0) / 1000;
  const b0 = performance.now();
  let tokens = 0;
  for (const t of sample) tokens += words(t).length;
  const baselineSeconds = (performance.now() - b0) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    bench: 'classify',
    modelVersion: model.version,
    messages: n,
    perSecond: Math.round(n / seconds),
    p50Ms: Number(percentile(latencies, 50).toFixed(3)),
    p95Ms: Number(percentile(latencies, 95).toFixed(3)),
    baselineTokenizePerSecond: Math.round(n / baselineSeconds),
    ratioToTokenize: Number((baselineSeconds / seconds).toFixed(4)),
    modelFeatures: model.vectorizer.size,
    modelHeapMb: Number(footprintMb.toFixed(1)),
    tokens,
  };
}
