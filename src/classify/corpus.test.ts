import { describe, expect, it } from 'vitest';
import { loadCorpus } from './corpus.ts';
import { CAUSES, PRODUCTS } from '../domain/taxonomy.ts';

describe('training corpus', () => {
  const { examples, digest } = loadCorpus();

  it('has at least 150 examples per product and per cause, and real requests', () => {
    for (const p of PRODUCTS) expect(examples.filter((e) => e.product === p).length, p).toBeGreaterThanOrEqual(150);
    for (const c of CAUSES) expect(examples.filter((e) => e.cause === c).length, c).toBeGreaterThanOrEqual(150);
    const demandes = examples.filter((e) => e.kind === 'demande').length / examples.length;
    expect(demandes).toBeGreaterThan(0.15);
    expect(digest).toMatch(/^[0-9a-f]{12}$/);
  });

  it('is varied: no duplicate texts, many without accents, short and long ones', () => {
    const texts = examples.map((e) => e.text);
    expect(new Set(texts).size).toBe(texts.length);
    const noAccents = texts.filter((t) => !/[àâäéèêëîïôöùûüç]/i.test(t)).length / texts.length;
    expect(noAccents).toBeGreaterThan(0.2);
    expect(texts.filter((t) => t.split(/\s+/).length <= 8).length).toBeGreaterThan(20);
    expect(texts.filter((t) => t.split(/\s+/).length >= 60).length).toBeGreaterThan(50);
  });
});
