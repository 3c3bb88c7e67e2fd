export interface LabelScore {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface Evaluation {
  n: number;
  accuracy: number;
  macroF1: number;
  perLabel: Record<string, LabelScore>;
  confusion: Record<string, Record<string, number>>;
}

const r4 = (x: number) => Number(x.toFixed(4));

/**
 * Accuracy, macro-F1 (over the labels present in the truth or the predictions), per-label scores and the
 * confusion matrix (truth → prediction → count). A true label outside the taxonomy simply never matches.
 */
export function evaluate(truth: string[], predicted: string[]): Evaluation {
  const labels = [...new Set([...truth, ...predicted])].sort();
  const confusion: Record<string, Record<string, number>> = {};
  let correct = 0;
  truth.forEach((t, i) => {
    const p = predicted[i]!;
    confusion[t] ??= {};
    confusion[t][p] = (confusion[t][p] ?? 0) + 1;
    if (t === p) correct++;
  });
  const perLabel: Record<string, LabelScore> = {};
  for (const l of labels) {
    const tp = confusion[l]?.[l] ?? 0;
    const support = truth.filter((t) => t === l).length;
    const predictedCount = predicted.filter((p) => p === l).length;
    const precision = predictedCount ? tp / predictedCount : 0;
    const recall = support ? tp / support : 0;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perLabel[l] = { precision: r4(precision), recall: r4(recall), f1: r4(f1), support };
  }
  const macroF1 = labels.length ? labels.reduce((s, l) => s + perLabel[l]!.f1, 0) / labels.length : 0;
  return { n: truth.length, accuracy: r4(truth.length ? correct / truth.length : 0), macroF1: r4(macroF1), perLabel, confusion };
}
