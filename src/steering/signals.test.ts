import { describe, expect, it } from 'vitest';
import { readableTerms } from './signals.ts';

describe('readableTerms', () => {
  it('names each stem by the form its texts use most, accents kept', () => {
    const texts = ['Ma cotisation a été prélevée deux fois.', 'Double prélèvement de la cotisation.', 'Un prélèvement en double sur ma cotisation'];
    expect(readableTerms(['cotis', 'prelev', 'doubl'], texts)).toEqual(['cotisation', 'prélèvement', 'double']);
  });

  it('keeps a stem that no word of the texts gives', () => {
    expect(readableTerms(['xyz'], ['Rien à voir.'])).toEqual(['xyz']);
  });
});
