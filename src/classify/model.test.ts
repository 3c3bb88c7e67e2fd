import { describe, expect, it } from 'vitest';
import { Qualifier, type Example } from './qualifier.ts';
import { contentStems } from './text.ts';

const ex = (text: string, product: string, cause = 'indemnisation', kind = 'reclamation', priority = 'normale'): Example => ({ text, kind, cause, product, priority });

const TRAIN: Example[] = [
  ex('Mon pare-brise est fissuré et le bris de glace est refusé', 'auto'),
  ex('Accident de voiture, le constat amiable est bloqué chez l’expert', 'auto'),
  ex('Ma voiture est au garage depuis trois semaines sans expertise', 'auto', 'delai'),
  ex('Le bonus malus de mon véhicule est faux sur le relevé', 'auto', 'gestion_contrat'),
  ex('La mutuelle ne rembourse pas mes lunettes', 'sante'),
  ex('Remboursement dentaire refusé pour ma couronne', 'sante'),
  ex('Le tiers payant ne fonctionne pas à la pharmacie', 'sante', 'gestion_contrat'),
  ex('Ma complémentaire santé ne m’a toujours pas remboursé l’hospitalisation', 'sante', 'delai'),
  ex('Le vétérinaire a facturé 300 euros et rien n’est remboursé pour mon chien', 'animaux'),
  ex('Mon chat a été opéré, les frais vétérinaires sont refusés', 'animaux'),
  ex('Pouvez-vous m’envoyer l’attestation pour mon chien ?', 'animaux', 'gestion_contrat', 'demande'),
  ex('Assurance animaux : la stérilisation de ma chatte est-elle couverte ?', 'animaux', 'information', 'demande'),
];

describe('qualifier', () => {
  it('stems French words so that spellings meet, with and without accents', () => {
    expect(contentStems('dégâts')).toEqual(contentStems('degat'));
    expect(contentStems('remboursé')).toEqual(contentStems('remboursement'));
    expect(contentStems('bjr tjs pas de remboursement')).toEqual(contentStems('bonjour toujours pas de remboursement'));
  });

  it('learns products from examples and generalises to unseen wording, with confidence and evidence', () => {
    const q = Qualifier.train(TRAIN, { train: { epochs: 40 } });
    const car = q.qualify('bjr le parebrise de ma voiture est toujours pas remplacé');
    expect(car.product.label).toBe('auto');
    expect(car.product.confidence).toBeGreaterThan(0.2); // 12 products: chance is 0.08
    expect(car.product.evidence.length).toBeGreaterThan(0);
    expect(q.qualify('les lunettes de ma fille ne sont pas remboursées par la mutuelle').product.label).toBe('sante');
    expect(q.qualify('mon chiot doit être vacciné, le véto coûte cher').product.label).toBe('animaux');
  });

  it('raises priority on regulatory and vulnerability signals, whatever the model says', () => {
    const q = Qualifier.train(TRAIN);
    expect(q.qualify('Sans réponse sous 8 jours je saisis le médiateur et l’ACPR').priority.label).toBe('haute');
    expect(q.qualify('Ma maison est inhabitable depuis l’incendie, nous sommes à la rue').priority.label).toBe('urgente');
    expect(q.qualify('Mon remboursement de lunettes').priority.label).toBe('normale');
  });

  it('round-trips through its serialised form with the same predictions', () => {
    const q = Qualifier.train(TRAIN, { version: 'test-1' });
    const back = Qualifier.deserialize(JSON.parse(JSON.stringify(q.serialize())));
    const text = 'le garage attend l’expert pour ma voiture';
    expect(back.version).toBe('test-1');
    expect(back.qualify(text).product).toEqual(q.qualify(text).product);
  });

  it('detects English', () => {
    const q = Qualifier.train(TRAIN);
    expect(q.qualify('My claim has not been paid and nobody answers my emails').language).toBe('en');
    expect(q.qualify('Ma demande est restée sans réponse').language).toBe('fr');
  });
});
