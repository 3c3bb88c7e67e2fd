import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { DEMO_ITEMS } from '../demo/corpus.ts';
import { TASKS, TASK_NAMES, type Example } from './qualifier.ts';

export const CORPUS_DIR = fileURLToPath(new URL('./corpus/', import.meta.url));

/**
 * Every example of the training corpus — the *.jsonl files, plus the demo tenant's complaints (our own
 * texts too, labelled the same way) — checked against the taxonomy.
 */
export function loadCorpus(dir = CORPUS_DIR, options: { withDemo?: boolean } = {}): { examples: Example[]; digest: string } {
  const hash = createHash('sha256');
  const examples: Example[] = [];
  if (options.withDemo !== false) {
    for (const d of DEMO_ITEMS) examples.push({ text: d.text, kind: d.kind, cause: d.cause, product: d.product, priority: d.priority });
    hash.update(JSON.stringify(examples));
  }
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort()) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    hash.update(text);
    text.split('\n').forEach((line, i) => {
      if (!line.trim()) return;
      const o = JSON.parse(line) as Example;
      for (const task of TASK_NAMES) {
        if (!(TASKS[task] as readonly string[]).includes(o[task])) throw new Error(`${file}:${i + 1}: ${task} « ${o[task]} » hors taxonomie`);
      }
      examples.push({ text: o.text, kind: o.kind, cause: o.cause, product: o.product, priority: o.priority });
    });
  }
  return { examples, digest: hash.digest('hex').slice(0, 12) };
}
