import { describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATES, renderTemplate, unknownVariables } from './templates.ts';

describe('templates', () => {
  const values = {
    reference: 'REC-2026-000042',
    client: 'Mme Dupont',
    date_reception: '2 mars 2026',
    date_reponse: '2 mai 2026',
    cabinet: 'Cabinet Duval Assurances',
    mediateur: 'La Médiation de l’Assurance, TSA 50110, 75441 Paris Cedex 09',
    lien_suivi: 'https://guichet.example/suivi/abc',
  };

  it('renders every variable of the default acknowledgement', () => {
    const text = renderTemplate(DEFAULT_TEMPLATES.acknowledgement, values);
    expect(text).toContain('REC-2026-000042');
    expect(text).toContain('au plus tard le 2 mai 2026');
    expect(text).toContain('La Médiation de l’Assurance');
    expect(text).not.toMatch(/\{\{/);
  });

  it('finds unknown variables, tolerating spaces inside braces', () => {
    expect(unknownVariables('Réf {{ reference }} pour {{nom_client}} {{date}}')).toEqual(['nom_client', 'date']);
    for (const t of Object.values(DEFAULT_TEMPLATES)) expect(unknownVariables(t)).toEqual([]);
  });
});
