import { describe, it, expect } from 'vitest';
import { defaultProcesses } from '../routing/default-processes.ts';
import {
  DEMO_AGENTS,
  DEMO_ANSWERS,
  DEMO_CAUSES,
  DEMO_CHANNELS,
  DEMO_INCIDENT,
  DEMO_ITEMS,
  DEMO_NOTES,
  DEMO_PEOPLE,
  DEMO_PRODUCTS,
} from './corpus.ts';

function countBy<T extends string>(values: readonly T[]): Map<T, number> {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

describe('demo corpus', () => {
  it('has at least 200 items', () => {
    expect(DEMO_ITEMS.length).toBeGreaterThanOrEqual(200);
  });

  it('represents every cause at least 3 times', () => {
    const counts = countBy(DEMO_ITEMS.map((i) => i.cause));
    for (const cause of DEMO_CAUSES) expect(counts.get(cause) ?? 0, cause).toBeGreaterThanOrEqual(3);
  });

  it('represents every product at least 3 times', () => {
    const counts = countBy(DEMO_ITEMS.map((i) => i.product));
    for (const product of DEMO_PRODUCTS) expect(counts.get(product) ?? 0, product).toBeGreaterThanOrEqual(3);
  });

  it('uses every channel', () => {
    const used = new Set(DEMO_ITEMS.map((i) => i.channel));
    for (const channel of DEMO_CHANNELS) expect(used.has(channel), channel).toBe(true);
  });

  it('has 15 to 25% demandes', () => {
    const share = DEMO_ITEMS.filter((i) => i.kind === 'demande').length / DEMO_ITEMS.length;
    expect(share).toBeGreaterThanOrEqual(0.15);
    expect(share).toBeLessThanOrEqual(0.25);
  });

  it('has non-empty, unique texts and subjects', () => {
    for (const item of DEMO_ITEMS) {
      expect(item.text.trim().length).toBeGreaterThan(0);
      expect(item.subject.trim().length).toBeGreaterThan(0);
    }
    const texts = DEMO_ITEMS.map((i) => i.text.trim());
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('uses all three priorities, mostly normale', () => {
    const counts = countBy(DEMO_ITEMS.map((i) => i.priority));
    expect(counts.get('haute') ?? 0).toBeGreaterThan(0);
    expect(counts.get('urgente') ?? 0).toBeGreaterThan(0);
    expect((counts.get('normale') ?? 0) / DEMO_ITEMS.length).toBeGreaterThan(0.7);
  });

  it('has at least 100 people with names and cities, including overseas and Alsace-Moselle', () => {
    expect(DEMO_PEOPLE.length).toBeGreaterThanOrEqual(100);
    for (const p of DEMO_PEOPLE) {
      expect(p.firstName.trim()).not.toBe('');
      expect(p.lastName.trim()).not.toBe('');
      expect(p.city.trim()).not.toBe('');
    }
    const cities = new Set(DEMO_PEOPLE.map((p) => p.city));
    for (const city of ['Fort-de-France', 'Saint-Denis de La Réunion', 'Pointe-à-Pitre', 'Cayenne', 'Mamoudzou', 'Metz', 'Strasbourg', 'Colmar']) {
      expect(cities.has(city), city).toBe(true);
    }
  });

  it('has 5 agents of the demo firm, at least one manager', () => {
    expect(DEMO_AGENTS.length).toBe(5);
    expect(DEMO_AGENTS.some((a) => a.role === 'manager')).toBe(true);
    for (const a of DEMO_AGENTS) expect(a.email).toMatch(/^[a-z.]+@duval-assurances\.example$/);
    expect(new Set(DEMO_AGENTS.map((a) => a.email)).size).toBe(5);
  });

  it('puts every agent in teams the default processes use (the « Mon équipe » view)', () => {
    const teams = new Set(defaultProcesses().map((p) => p.team));
    for (const a of DEMO_AGENTS) {
      expect(a.teams.length).toBeGreaterThan(0);
      for (const t of a.teams) expect(teams).toContain(t);
    }
  });

  it('has internal notes and reasoned answers; refusals name the médiateur and voies de recours', () => {
    expect(DEMO_NOTES.length).toBeGreaterThanOrEqual(25);
    for (const outcome of ['accepte', 'partiel', 'refuse'] as const) {
      expect(DEMO_ANSWERS[outcome].length).toBeGreaterThan(0);
    }
    for (const answer of [...DEMO_ANSWERS.partiel, ...DEMO_ANSWERS.refuse]) {
      expect(answer).toMatch(/[Mm]édiateur de l'assurance/);
      expect(answer).toMatch(/voies de recours/);
    }
  });

  it('has an incident of one cause and product, large enough for a cluster signal, each in its own words', () => {
    expect(DEMO_INCIDENT.length).toBeGreaterThanOrEqual(5);
    expect(new Set(DEMO_INCIDENT.map((i) => `${i.cause}/${i.product}`))).toEqual(new Set(['gestion_contrat/auto']));
    expect(new Set(DEMO_INCIDENT.map((i) => i.text)).size).toBe(DEMO_INCIDENT.length);
    expect(new Set(DEMO_INCIDENT.map((i) => i.channel)).size).toBeGreaterThanOrEqual(4);
  });
});
