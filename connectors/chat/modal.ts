import type { types } from '@slack/bolt';
import { normalizeContractNumber, normalizeEmail, normalizePhone } from '../../src/domain/identity.ts';
import { COMPLAINANT_TYPES, isTaxonomyKey, label, type ComplainantType } from '../../src/domain/taxonomy.ts';
import { WEBFORM_LIMITS } from '../webform/payload.ts';

/**
 * The complaint modal opened by the `/reclamation` slash command: the fields of the public web form
 * (same French labels, same checks), as Slack Block Kit inputs. Pure: building the view, reading the
 * submitted state and checking it; the webhook does the I/O (views.open, journal).
 */
export const COMPLAINT_COMMAND = '/reclamation';
export const COMPLAINT_MODAL_CALLBACK_ID = 'guichet_reclamation';
/** The action id of every input of the modal (the block id names the field). */
const ACTION = 'valeur';
/** Slack caps a plain-text input at 3,000 characters. */
const SLACK_INPUT_MAX = 3000;

export interface ModalValues {
  name: string;
  email: string;
  phone: string;
  complainantType: ComplainantType | '';
  contractNumber: string;
  nature: string;
  description: string;
}

/** Block id of each field: the web form's field names. */
export const MODAL_BLOCKS = {
  name: 'nom',
  email: 'email',
  phone: 'telephone',
  complainantType: 'type',
  contractNumber: 'contrat',
  nature: 'nature',
  description: 'description',
} as const satisfies Record<keyof ModalValues, string>;

type Block = types.KnownBlock;
type View = types.ModalView;

const plain = (text: string) => ({ type: 'plain_text' as const, text, emoji: false });

function textInput(args: {
  blockId: string;
  label: string;
  hint?: string;
  optional: boolean;
  max: number;
  multiline?: boolean;
  initial?: string | null;
}): Block {
  return {
    type: 'input',
    block_id: args.blockId,
    optional: args.optional,
    label: plain(args.label),
    ...(args.hint ? { hint: plain(args.hint) } : {}),
    element: {
      type: 'plain_text_input',
      action_id: ACTION,
      multiline: args.multiline ?? false,
      max_length: Math.min(args.max, SLACK_INPUT_MAX),
      ...(args.initial ? { initial_value: args.initial.slice(0, Math.min(args.max, SLACK_INPUT_MAX)) } : {}),
    },
  };
}

/** The modal, pre-filled with what the Slack profile tells (name, e-mail) when known. */
export function complaintModal(prefill: { name?: string | null; email?: string | null } = {}): View {
  const typeOptions = COMPLAINANT_TYPES.map((t) => ({ text: plain(label('complainantType', t)), value: t }));
  return {
    type: 'modal',
    callback_id: COMPLAINT_MODAL_CALLBACK_ID,
    title: plain('Déposer une réclamation'),
    submit: plain('Envoyer'),
    close: plain('Annuler'),
    blocks: [
      {
        type: 'section',
        text: plain('Ce formulaire transmet votre réclamation à notre service réclamations. Nous vous répondrons ici, sur Slack.'),
      },
      textInput({ blockId: MODAL_BLOCKS.name, label: 'Nom et prénom', optional: false, max: WEBFORM_LIMITS.name, initial: prefill.name }),
      textInput({
        blockId: MODAL_BLOCKS.email,
        label: 'Adresse e-mail',
        hint: 'Facultatif. Celle de votre dossier, pour relier votre réclamation à vos échanges précédents.',
        optional: true,
        max: WEBFORM_LIMITS.email,
        initial: prefill.email,
      }),
      textInput({ blockId: MODAL_BLOCKS.phone, label: 'Numéro de téléphone', hint: 'Facultatif.', optional: true, max: WEBFORM_LIMITS.phone }),
      {
        type: 'input',
        block_id: MODAL_BLOCKS.complainantType,
        optional: true,
        label: plain('Vous êtes'),
        element: { type: 'static_select', action_id: ACTION, placeholder: plain('Choisissez (facultatif)'), options: typeOptions },
      },
      textInput({
        blockId: MODAL_BLOCKS.contractNumber,
        label: 'Numéro de contrat ou de dossier',
        hint: 'Facultatif. Il figure sur vos conditions particulières, vos avis d’échéance ou nos courriers.',
        optional: true,
        max: WEBFORM_LIMITS.contractNumber,
      }),
      textInput({
        blockId: MODAL_BLOCKS.nature,
        label: 'Nature de la réclamation, en quelques mots',
        hint: 'Facultatif. Par exemple : « remboursement refusé », « résiliation non prise en compte ».',
        optional: true,
        max: WEBFORM_LIMITS.nature,
      }),
      textInput({
        blockId: MODAL_BLOCKS.description,
        label: 'Description de votre réclamation',
        hint: 'Expliquez ce qui s’est passé, ce que vous contestez et ce que vous attendez de nous. Indiquez les dates utiles.',
        optional: false,
        max: WEBFORM_LIMITS.description,
        multiline: true,
      }),
    ],
  };
}

/** Shown in place of the modal once the submission is journaled. */
export function receivedModal(): View {
  return {
    type: 'modal',
    callback_id: `${COMPLAINT_MODAL_CALLBACK_ID}_recue`,
    title: plain('Réclamation envoyée'),
    close: plain('Fermer'),
    blocks: [
      {
        type: 'section',
        text: plain('Votre réclamation a bien été reçue. Nous vous tiendrons informé de son avancement en message privé, ici sur Slack.'),
      },
    ],
  };
}

interface StateValue {
  type?: string;
  value?: string | null;
  selected_option?: { value?: string } | null;
}

/** The submitted values, trimmed (missing fields are empty strings). */
export function readModalValues(state: { values?: Record<string, Record<string, StateValue>> } | undefined): ModalValues {
  const get = (blockId: string): string => {
    const v = state?.values?.[blockId]?.[ACTION];
    const raw = v?.selected_option?.value ?? v?.value ?? '';
    return typeof raw === 'string' ? raw.trim() : '';
  };
  const type = get(MODAL_BLOCKS.complainantType);
  return {
    name: get(MODAL_BLOCKS.name),
    email: get(MODAL_BLOCKS.email),
    phone: get(MODAL_BLOCKS.phone),
    complainantType: isTaxonomyKey('complainantType', type) ? type : '',
    contractNumber: get(MODAL_BLOCKS.contractNumber),
    nature: get(MODAL_BLOCKS.nature),
    description: get(MODAL_BLOCKS.description),
  };
}

/** The web form's checks, as Slack `response_action: errors` (block id → French message); empty when fine. */
export function modalErrors(v: ModalValues): Record<string, string> {
  const errors: Record<string, string> = {};
  if (v.name === '') errors[MODAL_BLOCKS.name] = 'Indiquez votre nom et votre prénom.';
  if (v.email !== '' && !normalizeEmail(v.email)) errors[MODAL_BLOCKS.email] = 'L’adresse e-mail n’est pas valide (exemple : prenom.nom@exemple.fr).';
  if (v.phone !== '' && !normalizePhone(v.phone)) errors[MODAL_BLOCKS.phone] = 'Le numéro de téléphone n’est pas valide (exemple : 06 12 34 56 78).';
  if (v.contractNumber !== '' && !normalizeContractNumber(v.contractNumber)) {
    errors[MODAL_BLOCKS.contractNumber] = 'Le numéro de contrat ou de dossier doit compter de 4 à 40 lettres ou chiffres.';
  }
  if (v.description === '') errors[MODAL_BLOCKS.description] = 'Décrivez votre réclamation.';
  return errors;
}
