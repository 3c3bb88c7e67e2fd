import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CAUSES, KINDS, PRIORITIES, PRODUCTS } from '../domain/taxonomy.ts';
import { LEXICON } from './lexicon.ts';
import { DEFAULT_FEATURES, DEFAULT_TRAIN, SoftmaxModel, Vectorizer, type FeatureOptions, type TrainOptions } from './model.ts';
import { fold, words } from './text.ts';

export const TASKS = { kind: KINDS, cause: CAUSES, product: PRODUCTS, priority: PRIORITIES } as const;
export type Task = keyof typeof TASKS;
export const TASK_NAMES = Object.keys(TASKS) as Task[];

export interface Example {
  text: string;
  kind: string;
  cause: string;
  product: string;
  priority: string;
}

export interface Prediction {
  label: string;
  confidence: number;
  /** The words (stems, concepts) that weighed most towards this label. */
  evidence: string[];
}

export interface Qualification {
  kind: Prediction;
  cause: Prediction;
  product: Prediction;
  priority: Prediction;
  language: 'fr' | 'en';
  modelVersion: string;
}

interface SerializedTask {
  classes: string[];
  /** Weights rounded to 4 decimals, class-major (classes × features). */
  weights: number[];
  bias: number[];
}

export interface SerializedModel {
  format: 'guichet-qualifier/1';
  version: string;
  trainedOn: number;
  features: FeatureOptions;
  vocabulary: string[];
  idf: number[];
  tasks: Record<Task, SerializedTask>;
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;

/** Priority signals that no model should be trusted to miss (REGULATION.md: haute and urgente). */
function priorityByRule(text: string): { label: 'haute' | 'urgente'; evidence: string } | null {
  const f = fold(text);
  const urgent = LEXICON.urgence!.exec(f);
  if (urgent) return { label: 'urgente', evidence: urgent[0] };
  for (const name of ['menace', 'repetition', 'vulnerable'] as const) {
    const m = LEXICON[name]!.exec(f);
    if (m) return { label: 'haute', evidence: m[0] };
  }
  return null;
}

const EN = new Set(['the', 'and', 'my', 'is', 'not', 'have', 'with', 'for', 'you', 'your', 'this', 'was', 'claim', 'insurance', 'please', 'been']);
const FR = new Set(['le', 'la', 'les', 'et', 'mon', 'ma', 'est', 'pas', 'avec', 'pour', 'vous', 'votre', 'ce', 'une', 'des', 'je', 'assurance']);
export function detectLanguage(text: string): 'fr' | 'en' {
  let en = 0;
  let fr = 0;
  for (const w of words(text)) {
    if (EN.has(w)) en++;
    if (FR.has(w)) fr++;
  }
  return en > fr ? 'en' : 'fr';
}

/** The four classifiers on one shared vocabulary, trained, saved and loaded together. */
export class Qualifier {
  constructor(
    readonly version: string,
    readonly vectorizer: Vectorizer,
    readonly models: Record<Task, SoftmaxModel>,
    readonly trainedOn: number,
  ) {}

  static train(examples: Example[], options: { features?: FeatureOptions; train?: Partial<TrainOptions>; version?: string } = {}): Qualifier {
    const vectorizer = Vectorizer.fit(examples.map((e) => e.text), options.features ?? DEFAULT_FEATURES);
    const x = examples.map((e) => vectorizer.transform(e.text));
    const opt = { ...DEFAULT_TRAIN, ...options.train };
    const models = Object.fromEntries(
      TASK_NAMES.map((task) => [task, SoftmaxModel.train(x, examples.map((e) => e[task]), [...TASKS[task]], vectorizer.size, opt)]),
    ) as Record<Task, SoftmaxModel>;
    return new Qualifier(options.version ?? 'dev', vectorizer, models, examples.length);
  }

  predictTask(task: Task, text: string): Prediction {
    return this.predictVector(task, this.vectorizer.transform(text));
  }

  private predictVector(task: Task, v: ReturnType<Vectorizer['transform']>): Prediction {
    const model = this.models[task];
    const p = model.probabilities(v);
    let best = 0;
    for (let c = 1; c < p.length; c++) if (p[c]! > p[best]!) best = c;
    const evidence = model.topFeatures(v, best, 5).map(({ index }) => this.vectorizer.features[index]!.replace(/^(w|b|c|LEX):/, '').replace(/_/g, ' '));
    return { label: model.classes[best]!, confidence: Number(p[best]!.toFixed(4)), evidence };
  }

  qualify(text: string): Qualification {
    const v = this.vectorizer.transform(text);
    const priority = this.predictVector('priority', v);
    const rule = priorityByRule(text);
    const rank = { normale: 0, haute: 1, urgente: 2 } as Record<string, number>;
    const finalPriority =
      rule && rank[rule.label]! > rank[priority.label]!
        ? { label: rule.label, confidence: 0.9, evidence: [rule.evidence, ...priority.evidence.slice(0, 2)] }
        : priority;
    return {
      kind: this.predictVector('kind', v),
      cause: this.predictVector('cause', v),
      product: this.predictVector('product', v),
      priority: finalPriority,
      language: detectLanguage(text),
      modelVersion: this.version,
    };
  }

  serialize(): SerializedModel {
    return {
      format: 'guichet-qualifier/1',
      version: this.version,
      trainedOn: this.trainedOn,
      features: this.vectorizer.options,
      vocabulary: this.vectorizer.features,
      idf: Array.from(this.vectorizer.idf, round),
      tasks: Object.fromEntries(
        TASK_NAMES.map((t) => {
          const m = this.models[t];
          return [t, { classes: m.classes, weights: Array.from(m.weights, round), bias: Array.from(m.bias, round) }];
        }),
      ) as Record<Task, SerializedTask>,
    };
  }

  static deserialize(s: SerializedModel): Qualifier {
    if (s.format !== 'guichet-qualifier/1') throw new Error(`unknown model format ${String(s.format)}`);
    const vectorizer = new Vectorizer(s.vocabulary, Float32Array.from(s.idf), s.features);
    const models = Object.fromEntries(
      TASK_NAMES.map((t) => {
        const m = s.tasks[t];
        return [t, new SoftmaxModel(m.classes, s.vocabulary.length, Float32Array.from(m.weights), Float32Array.from(m.bias))];
      }),
    ) as Record<Task, SoftmaxModel>;
    return new Qualifier(s.version, vectorizer, models, s.trainedOn);
  }
}

export const BASE_MODEL_PATH = fileURLToPath(new URL('./model/base-model.json', import.meta.url));

let shipped: Qualifier | undefined;
/** The model shipped in the repository (built by `npm run train`). */
export function shippedQualifier(): Qualifier {
  shipped ??= Qualifier.deserialize(JSON.parse(readFileSync(BASE_MODEL_PATH, 'utf8')) as SerializedModel);
  return shipped;
}

/**
 * Loads the shipped model and the French stemmer now (about a second of parsing and module loading), so
 * that a worker pays it at start rather than on the first message it qualifies.
 */
export function warmUpQualifier(): void {
  shippedQualifier().qualify('Mon sinistre dégât des eaux n’est toujours pas indemnisé.');
}
