/**
 * Recurring causes (EIOPA guidelines 4–5, ISO 10002 §9): every day, the last complete ISO week is compared
 * with the weeks before it.
 * - volume: a cause or a product whose weekly count rises above mean + k·sd of the previous weeks
 *   (sd floored at √mean and 1: weekly counts are Poisson-like), with a minimum count;
 * - cluster: complaints of the week whose texts are alike (the TF-IDF vectors of src/classify), grouped
 *   greedily around centroids; a group of a minimum size whose look-alikes rose above their own baseline.
 */
import type { Deps } from '../deps.ts';
import { addDays, localDateOf } from '../domain/calendar.ts';
import { label, type Cause, type Product } from '../domain/taxonomy.ts';
import { Vectorizer, type SparseVector } from '../classify/model.ts';
import { stem, words } from '../classify/text.ts';
import { weeklyByDimension } from '../db/repositories/steering.ts';
import { complaintTexts, listTenantIds, saveWeekSignals, type ComplaintText, type NewSignal } from '../db/repositories/steering-signals.ts';
import { DEFAULT_SPIKE_RULE, spike, weekStart, type SpikeRule } from './stats.ts';

export interface SignalRule extends SpikeRule {
  /** Smallest group of look-alike complaints reported. */
  minClusterSize: number;
  /** Cosine similarity to a group's centroid to join it. */
  similarity: number;
  /** Texts read per week (newest first). */
  maxTexts: number;
}

export const DEFAULT_SIGNAL_RULE: SignalRule = { ...DEFAULT_SPIKE_RULE, minClusterSize: 5, similarity: 0.4, maxTexts: 1000 };

// Stems plus character 4-grams: "prélèvement", "prélevé" and "prélevée" meet (measured on paraphrases: 0.26–0.34
// cosine with stems and bigrams, one group with 4-grams at 0.4).
const TEXT_FEATURES = { bigrams: false, charGrams: true, lexicon: false };

function textOf(c: Pick<ComplaintText, 'subject' | 'description'>): string {
  return `${c.subject} ${c.description}`;
}

/** Sum of sparse vectors, with its norm. */
class Centroid {
  readonly weights = new Map<number, number>();
  members: number[] = [];
  private normCache: number | null = 0;

  add(v: SparseVector, index: number): void {
    for (let i = 0; i < v.idx.length; i++) this.weights.set(v.idx[i]!, (this.weights.get(v.idx[i]!) ?? 0) + v.val[i]!);
    this.members.push(index);
    this.normCache = null;
  }

  get norm(): number {
    if (this.normCache === null) {
      let s = 0;
      for (const w of this.weights.values()) s += w * w;
      this.normCache = Math.sqrt(s);
    }
    return this.normCache;
  }

  cosine(v: SparseVector): number {
    if (this.norm === 0) return 0;
    let dot = 0;
    for (let i = 0; i < v.idx.length; i++) dot += (this.weights.get(v.idx[i]!) ?? 0) * v.val[i]!;
    return dot / this.norm;
  }
}

/** Greedy single-pass grouping: each text joins the most similar group above the threshold, else starts one. */
export function clusterTexts(vectors: readonly SparseVector[], similarity: number): Centroid[] {
  const groups: Centroid[] = [];
  vectors.forEach((v, i) => {
    if (v.idx.length === 0) return;
    let best: Centroid | null = null;
    let bestScore = similarity;
    for (const g of groups) {
      const s = g.cosine(v);
      if (s >= bestScore) {
        best = g;
        bestScore = s;
      }
    }
    if (!best) {
      best = new Centroid();
      groups.push(best);
    }
    best.add(v, i);
  });
  return groups;
}

/** The heaviest words of a group, as its name: `expert · retard · sinistr`. */
function topTerms(vectorizer: Vectorizer, c: Centroid, n = 3): string[] {
  return [...c.weights]
    .filter(([j]) => vectorizer.features[j]!.startsWith('w:'))
    .sort((a, b) => b[1] - a[1] || a[0] - b[0])
    .slice(0, n)
    .map(([j]) => vectorizer.features[j]!.slice(2));
}

/**
 * The words a reader sees for the group's stems: for each stem, the form its texts use most
 * ("prelev" → "prélèvement"), the stem itself when no word of the texts gives it.
 */
export function readableTerms(stems: readonly string[], texts: readonly string[]): string[] {
  const forms = new Map<string, Map<string, number>>(stems.map((s) => [s, new Map()]));
  for (const text of texts) {
    for (const match of text.toLowerCase().matchAll(/\p{L}+/gu)) {
      const folded = words(match[0]);
      if (folded.length !== 1) continue;
      const seen = forms.get(stem(folded[0]!));
      if (seen) seen.set(match[0], (seen.get(match[0]) ?? 0) + 1);
    }
  }
  return stems.map((s) => {
    const best = [...forms.get(s)!].sort((a, b) => b[1] - a[1] || a[0].length - b[0].length || a[0].localeCompare(b[0]));
    return best[0]?.[0] ?? s;
  });
}

/** One decimal, French style (1,8). */
const decimal = (n: number) => n.toFixed(1).replace('.', ',');

export interface SignalsReport {
  tenantId: string;
  week: string;
  volume: number;
  cluster: number;
  created: number;
  removed: number;
}

/** Computes (again) the signals of the last complete week for one tenant. Idempotent. */
export async function computeSignals(deps: Deps, tenantId: string, rule: SignalRule = DEFAULT_SIGNAL_RULE): Promise<SignalsReport> {
  const now = deps.clock.now();
  const week = addDays(weekStart(localDateOf(now)), -7);
  const baselineWeeks = Array.from({ length: rule.baselineWeeks }, (_, i) => addDays(week, -7 * (rule.baselineWeeks - i)));
  const trendWeeks = [...baselineWeeks, week];
  const signals: NewSignal[] = [];

  for (const dim of ['cause', 'product'] as const) {
    const rows = await weeklyByDimension(deps.db, tenantId, dim, trendWeeks[0]!, week);
    const byValue = new Map<string, Map<string, number>>();
    for (const r of rows) {
      const m = byValue.get(r.val) ?? new Map<string, number>();
      m.set(r.week, (m.get(r.week) ?? 0) + r.n);
      byValue.set(r.val, m);
    }
    for (const [val, counts] of byValue) {
      const count = counts.get(week) ?? 0;
      const s = spike(count, baselineWeeks.map((w) => counts.get(w) ?? 0), rule);
      if (!s.isSpike) continue;
      const name = dim === 'cause' ? label('cause', val as Cause) : label('product', val as Product);
      const examples = await complaintTexts(deps.db, tenantId, { from: week, toExclusive: addDays(week, 7), limit: 5, [dim]: val });
      signals.push({
        tenant_id: tenantId,
        kind: 'volume',
        week,
        key: `${dim}:${val}`,
        dimension: dim,
        value: val,
        label: `Hausse des réclamations ${dim === 'cause' ? 'de cause' : 'sur le produit'} « ${name} » : ${count} sur la semaine (moyenne ${decimal(s.mean)} les ${rule.baselineWeeks} semaines précédentes)`,
        count,
        baseline_mean: round(s.mean),
        baseline_sd: round(s.sd),
        threshold: round(s.threshold),
        trend: trendWeeks.map((w) => ({ week: w, count: counts.get(w) ?? 0 })),
        examples: examples.map((e) => ({ complaintId: e.id, reference: e.reference, subject: e.subject })),
      });
    }
  }

  const texts = await complaintTexts(deps.db, tenantId, { from: week, toExclusive: addDays(week, 7), limit: rule.maxTexts });
  if (texts.length >= rule.minClusterSize) {
    const vectorizer = Vectorizer.fit(texts.map(textOf), TEXT_FEATURES, 2);
    const vectors = texts.map((t) => vectorizer.transform(textOf(t)));
    const groups = clusterTexts(vectors, rule.similarity).filter((g) => g.members.length >= rule.minClusterSize);
    if (groups.length > 0) {
      // The look-alikes of each group in the baseline weeks: its trend.
      const history = new Map<string, SparseVector[]>();
      for (const w of baselineWeeks) {
        const older = await complaintTexts(deps.db, tenantId, { from: w, toExclusive: addDays(w, 7), limit: rule.maxTexts });
        history.set(w, older.map((t) => vectorizer.transform(textOf(t))));
      }
      for (const g of groups) {
        const count = g.members.length;
        const baseline = baselineWeeks.map((w) => history.get(w)!.filter((v) => g.cosine(v) >= rule.similarity).length);
        const s = spike(count, baseline, rule);
        if (!s.isSpike) continue;
        const terms = topTerms(vectorizer, g);
        const examples = g.members
          .map((i) => ({ t: texts[i]!, score: g.cosine(vectors[i]!) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, 5);
        signals.push({
          tenant_id: tenantId,
          kind: 'cluster',
          week,
          key: [...terms].sort().join(' '),
          dimension: null,
          value: null,
          label: `${count} réclamations aux textes proches (${readableTerms(terms, g.members.map((i) => textOf(texts[i]!))).join(', ')}), contre ${decimal(s.mean)} par semaine auparavant`,
          count,
          baseline_mean: round(s.mean),
          baseline_sd: round(s.sd),
          threshold: round(s.threshold),
          trend: [...baselineWeeks.map((w, i) => ({ week: w, count: baseline[i]! })), { week, count }],
          examples: examples.map(({ t, score }) => ({ complaintId: t.id, reference: t.reference, subject: t.subject, similarity: round(score) })),
        });
      }
    }
  }
  // Two groups may share their top terms: keep the larger under that key.
  const unique = new Map<string, NewSignal>();
  for (const s of signals) {
    const k = `${s.kind}/${s.key}`;
    if (!unique.has(k) || unique.get(k)!.count < s.count) unique.set(k, s);
  }
  const saved = await saveWeekSignals(deps.db, tenantId, week, [...unique.values()], now);
  const list = [...unique.values()];
  return { tenantId, week, volume: list.filter((s) => s.kind === 'volume').length, cluster: list.filter((s) => s.kind === 'cluster').length, created: saved.created, removed: saved.removed };
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}

/** The daily run over every tenant (worker timer, `guichet signals`). */
export async function computeAllSignals(deps: Deps, options: { tenantId?: string } = {}): Promise<SignalsReport[]> {
  const tenants = options.tenantId ? [{ id: options.tenantId }] : await listTenantIds(deps.db);
  const out: SignalsReport[] = [];
  for (const t of tenants) out.push(await computeSignals(deps, t.id));
  return out;
}
