import { describe, it, expect } from 'vitest';
import {
  CAUSES,
  CAUSES_BEFORE_SUBSCRIPTION,
  CAUSES_DURING_CONTRACT,
  CHANNELS,
  COMPLAINANT_TYPES,
  KINDS,
  LABELS_EN,
  LABELS_FR,
  OUTCOMES,
  PRIORITIES,
  PRODUCTS,
  STATUSES,
  TAXONOMY,
  causeGroupOf,
  isTaxonomyKey,
  label,
} from './taxonomy.ts';
import type { Category } from './taxonomy.ts';

describe('taxonomy keys', () => {
  it('match REGULATION.md', () => {
    expect(KINDS).toEqual(['reclamation', 'demande']);
    expect(CAUSES_BEFORE_SUBSCRIPTION).toEqual(['accueil', 'vente', 'information', 'refus_souscription', 'tarification']);
    expect(CAUSES_DURING_CONTRACT).toEqual(['delai', 'qualite_reponse', 'indemnisation', 'resiliation', 'gestion_contrat']);
    expect(CAUSES).toHaveLength(11);
    expect(CAUSES.at(-1)).toBe('autre');
    expect(PRODUCTS).toEqual([
      'auto', 'moto', 'habitation', 'sante', 'prevoyance', 'vie', 'credit', 'animaux', 'rc_pro', 'voyage',
      'protection_juridique', 'autre',
    ]);
    expect(PRIORITIES).toEqual(['normale', 'haute', 'urgente']);
    expect(STATUSES).toEqual(['nouvelle', 'en_cours', 'en_attente', 'resolue', 'cloturee']);
    expect(OUTCOMES).toEqual(['accepte', 'partiel', 'refuse']);
    expect(CHANNELS).toEqual(['email', 'webform', 'sms', 'voice', 'slack', 'letter', 'phone', 'in_person']);
    expect(COMPLAINANT_TYPES).toEqual(['client', 'ancien_client', 'prospect', 'beneficiaire', 'representant', 'ayant_droit']);
  });

  it('has no duplicate keys', () => {
    for (const keys of Object.values(TAXONOMY)) expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('labels', () => {
  it('cover exactly every key, in both languages, non-empty', () => {
    for (const labels of [LABELS_FR, LABELS_EN]) {
      for (const [category, keys] of Object.entries(TAXONOMY)) {
        const table = labels[category as Category] as Record<string, string>;
        expect(Object.keys(table).sort()).toEqual([...keys].sort());
        for (const value of Object.values(table)) expect(value.trim()).not.toBe('');
      }
    }
  });

  it('speak correct French', () => {
    expect(LABELS_FR.status).toEqual({
      nouvelle: 'Nouvelle',
      en_cours: 'En cours',
      en_attente: 'En attente',
      resolue: 'Résolue',
      cloturee: 'Clôturée',
    });
    expect(LABELS_FR.cause.accueil).toBe("Qualité de l'accueil");
    expect(LABELS_FR.cause.vente).toBe('Technique de vente, pression commerciale');
    expect(LABELS_FR.kind.reclamation).toBe('Réclamation');
    expect(LABELS_FR.product.sante).toBe('Santé');
    expect(LABELS_FR.product.prevoyance).toBe('Prévoyance');
    expect(LABELS_FR.complainantType.beneficiaire).toBe('Bénéficiaire');
    expect(LABELS_FR.channel.phone).toBe('Téléphone');
  });

  it('label() looks up by category, key and language', () => {
    expect(label('status', 'cloturee')).toBe('Clôturée');
    expect(label('status', 'cloturee', 'en')).toBe('Closed');
    expect(label('channel', 'in_person', 'fr')).toBe('En personne');
    expect(label('outcome', 'partiel')).toBe('Acceptée partiellement');
    expect(label('status', 'inconnu' as never)).toBe('inconnu');
    expect(label('status', 'resolue', 'de' as never)).toBe('Résolue');
  });
});

describe('helpers', () => {
  it('isTaxonomyKey', () => {
    expect(isTaxonomyKey('product', 'rc_pro')).toBe(true);
    expect(isTaxonomyKey('product', 'bateau')).toBe(false);
    expect(isTaxonomyKey('status', 42)).toBe(false);
  });

  it('causeGroupOf', () => {
    expect(causeGroupOf('vente')).toBe('before_subscription');
    expect(causeGroupOf('indemnisation')).toBe('during_contract');
    expect(causeGroupOf('autre')).toBe('other');
  });
});
