import { describe, expect, it } from 'vitest';
import { contractHints } from './hints.ts';

describe('contractHints', () => {
  it('finds contract, policy, claim and file numbers in free text', () => {
    expect(contractHints('Bonjour, mon contrat n° AU-2024-118734 est concerné.')).toEqual(['AU2024118734']);
    expect(contractHints('police HAB 7781230 depuis mars')).toEqual(['HAB7781230']);
    expect(contractHints('Concernant le sinistre 2025S004512 et le dossier n°45-889-12')).toEqual(['2025S004512', '4588912']);
    expect(contractHints('my policy number: FR-99812345')).toEqual(['FR99812345']);
  });

  it('ignores dates, amounts and numbers without a keyword', () => {
    expect(contractHints('Le 12/03/2026 j’ai payé 1 250 euros, appelez le 06 12 34 56 78.')).toEqual([]);
    expect(contractHints('mon contrat habitation est trop cher')).toEqual([]);
  });
});
