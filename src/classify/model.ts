import { lexiconFeatures } from './lexicon.ts';
import { contentStems, fold } from './text.ts';

/** Sparse vector: parallel arrays of feature indices (ascending) and values. */
export interface SparseVector {
  idx: Int32Array;
  val: Float32Array;
}

export interface FeatureOptions {
  bigrams: boolean;
  /** Character 4-grams inside words: robust to typos and SMS spelling. */
  charGrams: boolean;
  lexicon: boolean;
}

export const DEFAULT_FEATURES: FeatureOptions = { bigrams: true, charGrams: true, lexicon: true };
/**
 * Character grams count less than whole stems: they catch typos without drowning the keywords (5-fold
 * on our corpus: weight 0.5 gave cause +0.03 / product -0.03 macro-F1 against no char grams; 0.3 splits it).
 */
const CHAR_GRAM_WEIGHT = 0.3;

/** Raw feature counts of one text: stems, stem bigrams, character 4-grams, lexicon concepts. */
export function featureCounts(text: string, opt: FeatureOptions = DEFAULT_FEATURES): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (f: string, n = 1) => counts.set(f, (counts.get(f) ?? 0) + n);
  const stems = contentStems(text);
  for (let i = 0; i < stems.length; i++) {
    add(`w:${stems[i]}`);
    if (opt.bigrams && i + 1 < stems.length) add(`b:${stems[i]}_${stems[i + 1]}`);
  }
  if (opt.charGrams) {
    for (const w of fold(text).split(/[^a-z]+/)) {
      if (w.length < 5) continue;
      const padded = `<${w}>`;
      for (let i = 0; i + 4 <= padded.length; i++) add(`c:${padded.slice(i, i + 4)}`, CHAR_GRAM_WEIGHT);
    }
  }
  if (opt.lexicon) for (const f of lexiconFeatures(text)) add(f, 2);
  return counts;
}

/** TF-IDF over a fixed vocabulary (features seen in at least `minDf` training texts), L2-normalised. */
export class Vectorizer {
  constructor(
    readonly features: string[],
    readonly idf: Float32Array,
    readonly options: FeatureOptions,
    private readonly index = new Map(features.map((f, i) => [f, i])),
  ) {}

  static fit(texts: string[], options: FeatureOptions = DEFAULT_FEATURES, minDf = 2): Vectorizer {
    const df = new Map<string, number>();
    for (const t of texts) for (const f of featureCounts(t, options).keys()) df.set(f, (df.get(f) ?? 0) + 1);
    const features = [...df].filter(([f, n]) => n >= minDf || f.startsWith('LEX:')).map(([f]) => f).sort();
    const n = texts.length;
    const idf = Float32Array.from(features, (f) => Math.log((n + 1) / ((df.get(f) ?? 0) + 1)) + 1);
    return new Vectorizer(features, idf, options);
  }

  get size(): number {
    return this.features.length;
  }

  transform(text: string): SparseVector {
    const pairs: [number, number][] = [];
    for (const [f, c] of featureCounts(text, this.options)) {
      const j = this.index.get(f);
      if (j !== undefined) pairs.push([j, Math.log1p(c) * this.idf[j]!]);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    let norm = 0;
    for (const [, v] of pairs) norm += v * v;
    norm = Math.sqrt(norm) || 1;
    return { idx: Int32Array.from(pairs, (p) => p[0]), val: Float32Array.from(pairs, (p) => p[1] / norm) };
  }
}

export interface TrainOptions {
  epochs: number;
  learningRate: number;
  l2: number;
  /** Weigh classes by inverse frequency, so that rare causes are not drowned. */
  balanced: boolean;
  seed: number;
}

export const DEFAULT_TRAIN: TrainOptions = { epochs: 30, learningRate: 0.5, l2: 1e-5, balanced: true, seed: 7 };

/** Multinomial logistic regression (softmax) trained by SGD on sparse vectors. */
export class SoftmaxModel {
  constructor(
    readonly classes: string[],
    readonly dims: number,
    readonly weights: Float32Array,
    readonly bias: Float32Array,
  ) {}

  static train(x: SparseVector[], y: string[], classes: string[], dims: number, opt: TrainOptions = DEFAULT_TRAIN): SoftmaxModel {
    const k = classes.length;
    const w = new Float32Array(k * dims);
    const b = new Float32Array(k);
    const yi = y.map((label) => classes.indexOf(label));
    const freq = new Float64Array(k);
    for (const c of yi) freq[c]!++;
    const weightOf = (c: number) => (opt.balanced ? x.length / (k * Math.max(1, freq[c]!)) : 1);
    let state = opt.seed >>> 0;
    const rand = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296);
    const order = x.map((_, i) => i);
    const scores = new Float64Array(k);
    for (let epoch = 0; epoch < opt.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      const lr = opt.learningRate / (1 + epoch * 0.3);
      for (const n of order) {
        const v = x[n]!;
        const target = yi[n]!;
        if (target < 0) continue;
        softmaxScores(w, b, dims, k, v, scores);
        const sw = weightOf(target);
        for (let c = 0; c < k; c++) {
          const g = (scores[c]! - (c === target ? 1 : 0)) * sw * lr;
          if (g === 0) continue;
          const row = c * dims;
          for (let t = 0; t < v.idx.length; t++) {
            const j = row + v.idx[t]!;
            w[j] = w[j]! * (1 - lr * opt.l2) - g * v.val[t]!;
          }
          b[c] = b[c]! - g * 0.1;
        }
      }
    }
    return new SoftmaxModel(classes, dims, w, b);
  }

  probabilities(v: SparseVector): Float64Array {
    const out = new Float64Array(this.classes.length);
    softmaxScores(this.weights, this.bias, this.dims, this.classes.length, v, out);
    return out;
  }

  /** The features that pushed most towards class `c` in this vector. */
  topFeatures(v: SparseVector, c: number, n: number): { index: number; weight: number }[] {
    const row = c * this.dims;
    const contrib: { index: number; weight: number }[] = [];
    for (let t = 0; t < v.idx.length; t++) {
      const j = v.idx[t]!;
      const weight = this.weights[row + j]! * v.val[t]!;
      if (weight > 0) contrib.push({ index: j, weight });
    }
    return contrib.sort((a, b) => b.weight - a.weight).slice(0, n);
  }
}

function softmaxScores(w: Float32Array, b: Float32Array, dims: number, k: number, v: SparseVector, out: Float64Array): void {
  let max = -Infinity;
  for (let c = 0; c < k; c++) {
    let s = b[c]!;
    const row = c * dims;
    for (let t = 0; t < v.idx.length; t++) s += w[row + v.idx[t]!]! * v.val[t]!;
    out[c] = s;
    if (s > max) max = s;
  }
  let sum = 0;
  for (let c = 0; c < k; c++) {
    out[c] = Math.exp(out[c]! - max);
    sum += out[c]!;
  }
  for (let c = 0; c < k; c++) out[c] = out[c]! / sum;
}
