/**
 * Taxonomy keys (stable, used in code and the database) and their labels (French first, English).
 * Source: shared/REGULATION.md § Taxonomies (ACPR 2024-R-02 examples of causes, ReclamPro statuses).
 */

export const KINDS = ['reclamation', 'demande'] as const;
export type Kind = (typeof KINDS)[number];

/** Causes arising before the contract is signed (ACPR examples). */
export const CAUSES_BEFORE_SUBSCRIPTION = ['accueil', 'vente', 'information', 'refus_souscription', 'tarification'] as const;
/** Causes arising during the life of the contract. */
export const CAUSES_DURING_CONTRACT = ['delai', 'qualite_reponse', 'indemnisation', 'resiliation', 'gestion_contrat'] as const;
export const CAUSES = [...CAUSES_BEFORE_SUBSCRIPTION, ...CAUSES_DURING_CONTRACT, 'autre'] as const;
export type Cause = (typeof CAUSES)[number];

export const CAUSE_GROUPS = ['before_subscription', 'during_contract', 'other'] as const;
export type CauseGroup = (typeof CAUSE_GROUPS)[number];

export const PRODUCTS = [
  'auto',
  'moto',
  'habitation',
  'sante',
  'prevoyance',
  'vie',
  'credit',
  'animaux',
  'rc_pro',
  'voyage',
  'protection_juridique',
  'autre',
] as const;
export type Product = (typeof PRODUCTS)[number];

export const PRIORITIES = ['normale', 'haute', 'urgente'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const STATUSES = ['nouvelle', 'en_cours', 'en_attente', 'resolue', 'cloturee'] as const;
export type Status = (typeof STATUSES)[number];

export const OUTCOMES = ['accepte', 'partiel', 'refuse'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const CHANNELS = ['email', 'webform', 'sms', 'voice', 'slack', 'letter', 'phone', 'in_person'] as const;
export type Channel = (typeof CHANNELS)[number];

export const COMPLAINANT_TYPES = ['client', 'ancien_client', 'prospect', 'beneficiaire', 'representant', 'ayant_droit'] as const;
export type ComplainantType = (typeof COMPLAINANT_TYPES)[number];

/** Every taxonomy by category name, e.g. for validation or building select lists. */
export const TAXONOMY = {
  kind: KINDS,
  cause: CAUSES,
  causeGroup: CAUSE_GROUPS,
  product: PRODUCTS,
  priority: PRIORITIES,
  status: STATUSES,
  outcome: OUTCOMES,
  channel: CHANNELS,
  complainantType: COMPLAINANT_TYPES,
} as const;

export type Category = keyof typeof TAXONOMY;
export type KeyOf<C extends Category> = (typeof TAXONOMY)[C][number];
export type Labels = { readonly [C in Category]: Readonly<Record<KeyOf<C>, string>> };

export const LANGS = ['fr', 'en'] as const;
export type Lang = (typeof LANGS)[number];

export const LABELS_FR = {
  kind: {
    reclamation: 'Réclamation',
    demande: 'Demande',
  },
  cause: {
    accueil: "Qualité de l'accueil",
    vente: 'Technique de vente, pression commerciale',
    information: 'Information précontractuelle, conseil',
    refus_souscription: 'Refus de souscription',
    tarification: 'Tarification',
    delai: 'Absence de réponse, délai de traitement',
    qualite_reponse: 'Qualité de la réponse',
    indemnisation: 'Indemnisation (refus de prise en charge, montant contesté)',
    resiliation: 'Résiliation, clôture',
    gestion_contrat: 'Gestion du contrat (modifications, documents, paiements)',
    autre: 'Autre',
  },
  causeGroup: {
    before_subscription: 'Avant la souscription',
    during_contract: 'Pendant la vie du contrat',
    other: 'Autre',
  },
  product: {
    auto: 'Automobile',
    moto: 'Moto, deux-roues',
    habitation: 'Habitation',
    sante: 'Santé',
    prevoyance: 'Prévoyance',
    vie: 'Assurance vie, épargne',
    credit: 'Assurance emprunteur',
    animaux: 'Animaux',
    rc_pro: 'Responsabilité civile professionnelle',
    voyage: 'Voyage',
    protection_juridique: 'Protection juridique',
    autre: 'Autre',
  },
  priority: {
    normale: 'Normale',
    haute: 'Haute',
    urgente: 'Urgente',
  },
  status: {
    nouvelle: 'Nouvelle',
    en_cours: 'En cours',
    en_attente: 'En attente',
    resolue: 'Résolue',
    cloturee: 'Clôturée',
  },
  outcome: {
    accepte: 'Acceptée',
    partiel: 'Acceptée partiellement',
    refuse: 'Refusée',
  },
  channel: {
    email: 'E-mail',
    webform: 'Formulaire web',
    sms: 'SMS',
    voice: 'Message vocal',
    slack: 'Slack',
    letter: 'Courrier',
    phone: 'Téléphone',
    in_person: 'En personne',
  },
  complainantType: {
    client: 'Client',
    ancien_client: 'Ancien client',
    prospect: 'Prospect',
    beneficiaire: 'Bénéficiaire',
    representant: 'Représentant',
    ayant_droit: 'Ayant droit',
  },
} as const satisfies Labels;

export const LABELS_EN = {
  kind: {
    reclamation: 'Complaint',
    demande: 'Request',
  },
  cause: {
    accueil: 'Quality of welcome',
    vente: 'Sales technique, commercial pressure',
    information: 'Pre-contract information, advice',
    refus_souscription: 'Refusal to insure',
    tarification: 'Pricing',
    delai: 'No answer, slow handling',
    qualite_reponse: 'Quality of the answer',
    indemnisation: 'Claim settlement (claim refused, amount disputed)',
    resiliation: 'Termination, closing',
    gestion_contrat: 'Contract management (changes, documents, payments)',
    autre: 'Other',
  },
  causeGroup: {
    before_subscription: 'Before subscription',
    during_contract: 'During the contract',
    other: 'Other',
  },
  product: {
    auto: 'Motor',
    moto: 'Motorcycle, two-wheeler',
    habitation: 'Home',
    sante: 'Health',
    prevoyance: 'Protection (death, disability)',
    vie: 'Life insurance, savings',
    credit: 'Borrower insurance',
    animaux: 'Pets',
    rc_pro: 'Professional liability',
    voyage: 'Travel',
    protection_juridique: 'Legal expenses',
    autre: 'Other',
  },
  priority: {
    normale: 'Normal',
    haute: 'High',
    urgente: 'Urgent',
  },
  status: {
    nouvelle: 'New',
    en_cours: 'In progress',
    en_attente: 'On hold',
    resolue: 'Resolved',
    cloturee: 'Closed',
  },
  outcome: {
    accepte: 'Accepted',
    partiel: 'Partially accepted',
    refuse: 'Refused',
  },
  channel: {
    email: 'Email',
    webform: 'Web form',
    sms: 'SMS',
    voice: 'Voice message',
    slack: 'Slack',
    letter: 'Letter',
    phone: 'Phone',
    in_person: 'In person',
  },
  complainantType: {
    client: 'Customer',
    ancien_client: 'Former customer',
    prospect: 'Prospect',
    beneficiaire: 'Beneficiary',
    representant: 'Representative',
    ayant_droit: 'Heir, successor',
  },
} as const satisfies Labels;

const LABELS: Record<Lang, Labels> = { fr: LABELS_FR, en: LABELS_EN };

/** The label of a taxonomy key; falls back to French, then to the key itself for an unknown key. */
export function label<C extends Category>(category: C, key: KeyOf<C>, lang: Lang = 'fr'): string {
  const table = (LABELS[lang] ?? LABELS_FR)[category] as Readonly<Record<string, string>>;
  return table[key] ?? key;
}

/** Type guard: is `value` a key of the given taxonomy? */
export function isTaxonomyKey<C extends Category>(category: C, value: unknown): value is KeyOf<C> {
  return typeof value === 'string' && (TAXONOMY[category] as readonly string[]).includes(value);
}

/** Which group (before subscription, during the contract, other) a cause belongs to. */
export function causeGroupOf(cause: Cause): CauseGroup {
  if ((CAUSES_BEFORE_SUBSCRIPTION as readonly string[]).includes(cause)) return 'before_subscription';
  if ((CAUSES_DURING_CONTRACT as readonly string[]).includes(cause)) return 'during_contract';
  return 'other';
}
