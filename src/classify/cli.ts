import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { loadCorpus } from './corpus.ts';
import { evaluate } from './metrics.ts';
import { BASE_MODEL_PATH, Qualifier, shippedQualifier, TASK_NAMES, type Example, type Task } from './qualifier.ts';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** `guichet train`: builds the shipped model from the corpus; the file is versioned with the code. */
export function trainCommand(): void {
  const { examples, digest } = loadCorpus();
  const t0 = performance.now();
  const q = Qualifier.train(examples, { version: `base-${digest}` });
  mkdirSync(path.dirname(BASE_MODEL_PATH), { recursive: true });
  writeFileSync(BASE_MODEL_PATH, `${JSON.stringify(q.serialize())}\n`);
  console.log(JSON.stringify({ version: q.version, examples: examples.length, features: q.vectorizer.size, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)), file: path.relative(process.cwd(), BASE_MODEL_PATH) }));
}

/**
 * Public contract: `guichet eval-classifier --data FILE.csv --field product|cause|kind` classifies each
 * `text` of a `text,label` CSV with the shipped model (no training on it) and prints
 * `{ n, accuracy, macroF1, perLabel, confusion }` on its last line.
 */
export function evalClassifierCommand(args: string[]): void {
  const file = flag(args, 'data');
  const field = flag(args, 'field') as Task | undefined;
  if (!file || !field || !['product', 'cause', 'kind', 'priority'].includes(field)) {
    console.error('Usage : guichet eval-classifier --data FICHIER.csv --field product|cause|kind');
    process.exit(2);
  }
  const rows = parse(readFileSync(file), { columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, trim: false }) as Record<string, string>[];
  if (rows.length > 0 && (!('text' in rows[0]!) || !('label' in rows[0]!))) {
    console.error('Le fichier doit avoir les colonnes text,label.');
    process.exit(2);
  }
  const q = shippedQualifier();
  const truth = rows.map((r) => (r.label ?? '').trim());
  const predicted = rows.map((r) => q.predictTask(field, r.text ?? '').label);
  console.log(JSON.stringify(evaluate(truth, predicted)));
}

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** `npm run eval`: 5-fold cross-validation on our own corpus, per task (mean and spread of the folds). */
export function crossValidate(examples: Example[], folds = 5, seed = 42) {
  const data = shuffled(examples, seed);
  const perTask = Object.fromEntries(TASK_NAMES.map((t) => [t, { accuracy: [] as number[], macroF1: [] as number[] }]));
  for (let f = 0; f < folds; f++) {
    const test = data.filter((_, i) => i % folds === f);
    const train = data.filter((_, i) => i % folds !== f);
    const q = Qualifier.train(train);
    for (const t of TASK_NAMES) {
      const e = evaluate(test.map((x) => x[t]), test.map((x) => q.predictTask(t, x.text).label));
      perTask[t]!.accuracy.push(e.accuracy);
      perTask[t]!.macroF1.push(e.macroF1);
    }
  }
  const summary = (xs: number[]) => {
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    return { mean: Number(mean.toFixed(4)), sd: Number(sd.toFixed(4)) };
  };
  return Object.fromEntries(TASK_NAMES.map((t) => [t, { accuracy: summary(perTask[t]!.accuracy), macroF1: summary(perTask[t]!.macroF1) }]));
}

export function evalCommand(): void {
  const { examples } = loadCorpus();
  console.log(JSON.stringify({ folds: 5, examples: examples.length, tasks: crossValidate(examples) }));
}
