import { describe, expect, it } from 'vitest';
import { contentStems, matterScore, textSimilarity } from './similarity.ts';

describe('textSimilarity', () => {
  it('scores the same matter told on two channels high, and different matters low', () => {
    const email =
      'Bonjour, mon dégât des eaux du 3 mars n’est toujours pas indemnisé, l’expert est passé il y a un mois. Merci de me dire où en est le remboursement.';
    const sms = 'bjr toujours pas de remboursement pour le degat des eaux, expert passe depuis 1 mois';
    const other = 'Je souhaite résilier mon assurance auto à l’échéance et obtenir mon relevé d’information.';
    expect(textSimilarity(email, sms)).toBeGreaterThan(0.5);
    expect(textSimilarity(email, other)).toBeLessThan(0.2);
  });

  it('folds accents and stems words, ignores greetings', () => {
    expect([...contentStems('Bonjour Madame, REMBOURSEMENT remboursé')].sort()).toEqual(['rembou']);
  });

  it('damps very short texts', () => {
    expect(textSimilarity('toujours rien', 'toujours rien reçu pour mon sinistre')).toBe(0);
    expect(textSimilarity('sinistre auto', 'sinistre auto du 3 mars, franchise contestée')).toBeLessThan(0.5);
  });

  it('treats a shared contract number as the same matter', () => {
    const s = matterScore(
      { text: 'Où en est mon dossier ?', subject: null, contractNumbers: ['AU2024118734'] },
      { subject: 'Sinistre auto', description: 'Accident du 2 mars', contractNumber: 'AU2024118734' },
    );
    expect(s.score).toBeGreaterThanOrEqual(0.9);
    expect(s.reason).toContain('AU2024118734');
  });
});
