import { describe, expect, it } from 'vitest';
import { evaluate } from './metrics.ts';

describe('evaluate', () => {
  it('computes accuracy, macro-F1, per-label scores and the confusion matrix', () => {
    const e = evaluate(['auto', 'auto', 'sante', 'vie'], ['auto', 'sante', 'sante', 'vie']);
    expect(e.n).toBe(4);
    expect(e.accuracy).toBe(0.75);
    expect(e.perLabel.auto).toEqual({ precision: 1, recall: 0.5, f1: 0.6667, support: 2 });
    expect(e.perLabel.sante).toEqual({ precision: 0.5, recall: 1, f1: 0.6667, support: 1 });
    expect(e.macroF1).toBeCloseTo((0.6667 + 0.6667 + 1) / 3, 3);
    expect(e.confusion).toEqual({ auto: { auto: 1, sante: 1 }, sante: { sante: 1 }, vie: { vie: 1 } });
  });

  it('counts a label outside the taxonomy as an error, never a crash', () => {
    const e = evaluate(['voiture'], ['auto']);
    expect(e.accuracy).toBe(0);
    expect(e.perLabel.voiture!.recall).toBe(0);
  });
});
