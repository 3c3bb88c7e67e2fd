import type { ProcessStep } from '../db/types.ts';

/** One process a tenant starts with; managers adapt them afterwards. */
export interface ProcessTemplate {
  key: string;
  name: string;
  kind: 'reclamation' | 'demande';
  cause: string | null;
  team: string;
  internalTargetDays: number;
  steps: ProcessStep[];
}

const COMPLAINT_STEPS: ProcessStep[] = [
  { key: 'analyse', label: 'Analyser la réclamation et vérifier le contrat' },
  { key: 'elements', label: 'Réunir les éléments (assureur, expert, client)' },
  { key: 'decision', label: 'Décider et motiver la position' },
  { key: 'reponse', label: 'Envoyer la réponse écrite et motivée' },
];

const CLAIM_STEPS: ProcessStep[] = [
  { key: 'analyse', label: 'Analyser le refus ou le montant contesté' },
  { key: 'dossier', label: 'Obtenir le dossier sinistre et le rapport d’expertise' },
  { key: 'assureur', label: 'Saisir l’assureur et suivre sa position' },
  { key: 'decision', label: 'Décider et motiver la position' },
  { key: 'reponse', label: 'Envoyer la réponse (médiateur et voies de recours si refus)' },
];

const CAUSE_PROCESSES: { cause: string; name: string; team: string; target: number; steps?: ProcessStep[] }[] = [
  { cause: 'accueil', name: 'Qualité de l’accueil', team: 'Relation client', target: 5 },
  { cause: 'vente', name: 'Vente et devoir de conseil', team: 'Conformité', target: 10 },
  { cause: 'information', name: 'Information précontractuelle', team: 'Conformité', target: 10 },
  { cause: 'refus_souscription', name: 'Refus de souscription', team: 'Production', target: 10 },
  { cause: 'tarification', name: 'Tarification', team: 'Production', target: 10 },
  { cause: 'delai', name: 'Délais de traitement', team: 'Relation client', target: 5 },
  { cause: 'qualite_reponse', name: 'Qualité de la réponse', team: 'Relation client', target: 10 },
  { cause: 'indemnisation', name: 'Indemnisation et sinistres', team: 'Sinistres', target: 15, steps: CLAIM_STEPS },
  { cause: 'resiliation', name: 'Résiliation', team: 'Gestion des contrats', target: 10 },
  { cause: 'gestion_contrat', name: 'Gestion du contrat', team: 'Gestion des contrats', target: 10 },
  { cause: 'autre', name: 'Autres réclamations', team: 'Relation client', target: 10 },
];

export function defaultProcesses(): ProcessTemplate[] {
  return [
    ...CAUSE_PROCESSES.map((p) => ({
      key: `reclamation-${p.cause}`,
      name: `Réclamation — ${p.name}`,
      kind: 'reclamation' as const,
      cause: p.cause,
      team: p.team,
      internalTargetDays: p.target,
      steps: p.steps ?? COMPLAINT_STEPS,
    })),
    {
      key: 'reclamation-a-qualifier',
      name: 'Réclamation — à qualifier',
      kind: 'reclamation',
      cause: null,
      team: 'Relation client',
      internalTargetDays: 10,
      steps: COMPLAINT_STEPS,
    },
    {
      key: 'demande',
      name: 'Demandes (hors registre)',
      kind: 'demande',
      cause: null,
      team: 'Relation client',
      internalTargetDays: 5,
      steps: [
        { key: 'traiter', label: 'Traiter la demande' },
        { key: 'repondre', label: 'Répondre au client' },
      ],
    },
  ];
}
