/**
 * The public complaint form of a tenant (`/f/:slug`), its receipt (`/f/:slug/recu/:cle`) and the dated
 * copy as PDF (`/f/:slug/recu/:cle/pdf`). Server-rendered HTML that works without JavaScript.
 *
 * Flow (DESIGN.md, "The flow of one message"): check everything (fields, number and size of files,
 * types detected on the CONTENT) → journal the submission with the form's idempotency key as external id
 * (acceptInbound commits it before we answer) → 303 to the receipt. When any check fails nothing is
 * journaled nor stored. The same key posted twice (double click, back button) journals nothing new and
 * leads to the same receipt: one complaint.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { fileTypeFromBuffer } from 'file-type';
import type { Deps } from '../../../deps.ts';
import type { Tenant } from '../../../db/types.ts';
import { findTenantBySlug } from '../../../db/repositories/tenants.ts';
import { findJournal, type JournalRow } from '../../../db/repositories/inbound.ts';
import { getComplaint } from '../../../db/repositories/complaints.ts';
import { listComplaintMessages } from '../../../db/repositories/messages.ts';
import { acceptInbound, inboundOutcome } from '../../../intake/journal.ts';
import { COMPLAINANT_TYPES, isTaxonomyKey, type ComplainantType } from '../../../domain/taxonomy.ts';
import { normalizeContractNumber, normalizeEmail, normalizePhone } from '../../../domain/identity.ts';
import { formatDateLong, formatDateTimeParis } from '../../../domain/customer-status.ts';
import {
  base64Size,
  buildWebformPayload,
  readWebformPayload,
  WEBFORM_LIMITS,
  WEBFORM_MAX_FILES,
  webformFileLimit,
  type WebformFields,
  type WebformFileInput,
  type WebformPayload,
} from '../../../../connectors/webform/payload.ts';
import { attrs, html, installPublicErrorPages, layout, messagePage, notFoundPage, sendPage, type SafeHtml } from './html.ts';
import { renderReceiptPdf } from './receipt-pdf.ts';

// --- Idempotency key, rate limit ------------------------------------------------------------------

/** 128 random bits, base64url: 22 characters. Generated when the form is rendered. */
export const IDEMPOTENCY_KEY_RE = /^[A-Za-z0-9_-]{22}$/;

export function newIdempotencyKey(): string {
  return randomBytes(16).toString('base64url');
}

/** Per client IP and per route: enough for a person correcting a form, not for a flood. */
/** Posts per minute and per IP on each public form (FORM_RATE_PER_MINUTE). */
export function publicPostRateLimit(deps: Deps) {
  return { max: deps.config.formRatePerMinute, timeWindow: '1 minute' } as const;
}

/** The visually hidden field only robots fill in. */
export const HONEYPOT_FIELD = 'site_web';

export const PUBLIC_ROUTE_CONFIG = { auth: 'public', csrf: false } as const;

// --- Reading a multipart submission ----------------------------------------------------------------

export interface ReceivedFile {
  fieldname: string;
  filename: string;
  content: Buffer;
  /** Larger than the per-file limit: the content was cut and must be refused. */
  truncated: boolean;
}

export interface Submission {
  fields: Map<string, string>;
  /** Text fields longer than the multipart field limit. */
  truncatedFields: Set<string>;
  files: ReceivedFile[];
  /** More file parts than the parser accepts. */
  tooManyFiles: boolean;
  /** The body could not be read as a form (not multipart, cut, malformed). */
  malformed: boolean;
}

/**
 * Reads the whole multipart body into memory (bounded: at most MAX_FILES + 1 files of `fileLimit` bytes
 * each, 20 small fields). A file over the limit does not abort the parsing (the rest of the body is still
 * read, so that the browser gets our page and the values are kept): it comes back `truncated`.
 */
export async function readSubmission(request: FastifyRequest, fileLimit: number): Promise<Submission> {
  const submission: Submission = { fields: new Map(), truncatedFields: new Set(), files: [], tooManyFiles: false, malformed: false };
  const options = {
    limits: { fileSize: fileLimit, files: WEBFORM_MAX_FILES + 1, fields: 20, fieldSize: 128 * 1024, parts: 40 },
    // Browsers send UTF-8 file names: busboy's default (latin1) would garble « relevé.pdf ».
    defParamCharset: 'utf8',
    throwFileSizeLimit: false,
  };
  try {
    for await (const part of request.parts(options)) {
      if (part.type === 'file') {
        const content = await part.toBuffer();
        // An <input type="file"> left empty still sends a part with no name and no bytes.
        if (part.filename === '' && content.byteLength === 0) continue;
        const truncated = part.file.truncated === true;
        submission.files.push({ fieldname: part.fieldname, filename: part.filename, content: truncated ? Buffer.alloc(0) : content, truncated });
      } else {
        if (!submission.fields.has(part.fieldname)) submission.fields.set(part.fieldname, typeof part.value === 'string' ? part.value : '');
        if (part.valueTruncated) submission.truncatedFields.add(part.fieldname);
      }
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') submission.tooManyFiles = true;
    else {
      request.log.info({ code }, 'public form: unreadable multipart body');
      submission.malformed = true;
    }
  }
  return submission;
}

// --- Checking the files on their content -------------------------------------------------------------

/**
 * Accepted documents, by the MIME type file-type detects from the first bytes (never the browser's type
 * nor the file name): PDF, photos and scans, office documents (zip-based OOXML / ODF as recognised by
 * file-type: a plain .zip, a macro-enabled .docm or any other archive is refused).
 */
export const ACCEPTED_TYPES: ReadonlyMap<string, string> = new Map([
  ['application/pdf', 'PDF'],
  ['image/jpeg', 'JPEG'],
  ['image/png', 'PNG'],
  ['image/heic', 'HEIC'],
  ['image/heif', 'HEIF'],
  ['image/webp', 'WebP'],
  ['image/gif', 'GIF'],
  ['image/tiff', 'TIFF'],
  ['application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'Word (.docx)'],
  ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'Excel (.xlsx)'],
  ['application/vnd.oasis.opendocument.text', 'OpenDocument (.odt)'],
]);

/**
 * Plain text has no signature. Decision: a file is accepted as `text/plain` when file-type detects no
 * type, its name ends in `.txt`, and its bytes are valid UTF-8 (BOM allowed) with no control character
 * other than tab, line feed, form feed and carriage return. Other text files (.csv, .js, .html…) are
 * refused: they can be scripts, and a letter is better sent as PDF or .txt.
 */
export const PLAIN_TEXT = 'text/plain';

export function isPlainUtf8Text(bytes: Uint8Array): boolean {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u0008\u000B\u000E-\u001F\u007F]/.test(text);
}

/** The name shown and stored: no path, no control characters, at most 200 characters (extension kept). */
export function cleanFilename(name: string): string {
  const base = name.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const cleaned = base.replace(/[\u0000-\u001F\u007F]/g, '').replace(/\s+/g, ' ').trim();
  if (cleaned === '' || cleaned === '.' || cleaned === '..') return 'document';
  if (cleaned.length <= 200) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const ext = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : '';
  return cleaned.slice(0, 200 - ext.length) + ext;
}

/** `12 Ko`, `1,4 Mo`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} octet${bytes > 1 ? 's' : ''}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} Ko`;
  const mb = bytes / 1024 / 1024;
  return `${Number.isInteger(mb) ? mb : mb.toFixed(1).replace('.', ',')} Mo`;
}

export type FileCheck = { ok: true; file: WebformFileInput } | { ok: false; message: string };

/** One file against the allow-list, on its content. */
export async function checkUpload(filename: string, content: Uint8Array): Promise<FileCheck> {
  const name = cleanFilename(filename);
  if (content.byteLength === 0) return { ok: false, message: `« ${name} » est vide.` };
  const detected = await fileTypeFromBuffer(content);
  if (detected && ACCEPTED_TYPES.has(detected.mime)) return { ok: true, file: { filename: name, contentType: detected.mime, content } };
  if (!detected && /\.txt$/i.test(name) && isPlainUtf8Text(content)) {
    return { ok: true, file: { filename: name, contentType: PLAIN_TEXT, content } };
  }
  const what = detected
    ? detected.ext.toUpperCase()
    : isPlainUtf8Text(content)
      ? 'texte ; seuls les fichiers texte « .txt » sont acceptés'
      : /\.txt$/i.test(name)
        ? 'texte dans un encodage autre que UTF-8, ou contenu binaire'
        : 'inconnu';
  return { ok: false, message: `« ${name} » n'est pas un document accepté (type détecté : ${what}).` };
}

export interface FilesResult {
  accepted: WebformFileInput[];
  errors: string[];
  /** A file was over the size limit (the page answers 413). */
  tooLarge: boolean;
}

/** All the files of one submission: count, size, then type. Any error refuses the whole submission. */
export async function checkUploads(submission: Submission, fileLimit: number, fieldname = 'pieces'): Promise<FilesResult> {
  const files = submission.files.filter((f) => f.fieldname === fieldname);
  const result: FilesResult = { accepted: [], errors: [], tooLarge: false };
  if (submission.tooManyFiles || files.length > WEBFORM_MAX_FILES) {
    result.errors.push(`Vous pouvez joindre ${WEBFORM_MAX_FILES} fichiers au plus : retirez-en quelques-uns.`);
    return result;
  }
  for (const f of files) {
    if (f.truncated) {
      result.tooLarge = true;
      result.errors.push(`« ${cleanFilename(f.filename)} » dépasse la taille maximale de ${formatSize(fileLimit)} par fichier.`);
      continue;
    }
    const check = await checkUpload(f.filename, f.content);
    if (check.ok) result.accepted.push(check.file);
    else result.errors.push(check.message);
  }
  return result;
}

export function filesHint(fileLimit: number): string {
  return (
    `Facultatif. Jusqu'à ${WEBFORM_MAX_FILES} fichiers de ${formatSize(fileLimit)} chacun au plus : PDF, photos ou scans ` +
    '(JPEG, PNG, HEIC, WebP, GIF, TIFF), documents Word (.docx), Excel (.xlsx), OpenDocument (.odt) ou texte (.txt).'
  );
}

export const FILE_ACCEPT =
  '.pdf,.jpg,.jpeg,.png,.heic,.heif,.webp,.gif,.tif,.tiff,.docx,.xlsx,.odt,.txt,application/pdf,image/*,text/plain,' +
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document,' +
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/vnd.oasis.opendocument.text';

// --- Rendering helpers shared with the tracking page ---------------------------------------------------

export interface FieldError {
  /** The id of the field the summary links to (null: a message about the whole form). */
  field: string | null;
  message: string;
}

export function errorSummary(errors: readonly FieldError[]): SafeHtml {
  if (errors.length === 0) return html``;
  const n = errors.length;
  return html`<div class="error-summary" role="alert" aria-labelledby="erreurs-titre" tabindex="-1">
<h2 id="erreurs-titre">${n === 1 ? 'Le formulaire contient une erreur' : `Le formulaire contient ${n} erreurs`}</h2>
<ul>${errors.map((e) => html`<li>${e.field ? html`<a href="#${e.field}">${e.message}</a>` : e.message}</li>`)}</ul>
</div>`;
}

interface FieldSpec {
  id: string;
  label: string;
  required?: string | undefined;
  hint?: string | undefined;
  errors: readonly FieldError[];
  control: (a: { describedBy: string | undefined; invalid: boolean }) => SafeHtml;
}

export function field(spec: FieldSpec): SafeHtml {
  const messages = spec.errors.filter((e) => e.field === spec.id).map((e) => e.message);
  const hintId = `${spec.id}-aide`;
  const errorId = `${spec.id}-erreur`;
  const describedBy = [spec.hint ? hintId : null, messages.length > 0 ? errorId : null].filter(Boolean).join(' ') || undefined;
  return html`<div class="field${messages.length > 0 ? ' has-error' : ''}">
<label for="${spec.id}">${spec.label}${spec.required ? html` <span class="req">(${spec.required})</span>` : ''}</label>
${spec.hint ? html`<span class="hint" id="${hintId}">${spec.hint}</span>` : ''}
${messages.length > 0 ? html`<div class="error-message" id="${errorId}">${messages.map((m) => html`<p><span class="visually-hidden">Erreur : </span>${m}</p>`)}</div>` : ''}
${spec.control({ describedBy, invalid: messages.length > 0 })}
</div>`;
}

export function honeypot(): SafeHtml {
  return html`<div class="hp" aria-hidden="true"><label for="${HONEYPOT_FIELD}">Ne pas remplir</label><input type="text" id="${HONEYPOT_FIELD}" name="${HONEYPOT_FIELD}" tabindex="-1" autocomplete="off" value=""></div>`;
}

// --- The complaint form ---------------------------------------------------------------------------------

/** Words for the customer (the taxonomy's labels are for agents). */
export const COMPLAINANT_LABELS: Record<ComplainantType, string> = {
  client: 'Client',
  ancien_client: 'Ancien client',
  prospect: 'Futur client (pas encore assuré)',
  beneficiaire: 'Bénéficiaire d’un contrat',
  representant: 'Représentant d’une personne (tuteur, mandataire…)',
  ayant_droit: 'Ayant droit (héritier…)',
};

interface FormValues {
  nom: string;
  email: string;
  telephone: string;
  type: string;
  contrat: string;
  nature: string;
  description: string;
}

const EMPTY_VALUES: FormValues = { nom: '', email: '', telephone: '', type: '', contrat: '', nature: '', description: '' };

function valuesFrom(submission: Submission): FormValues {
  const get = (k: keyof FormValues) => (submission.fields.get(k) ?? '').replace(/\r\n?/g, '\n');
  return {
    nom: get('nom').trim(),
    email: get('email').trim(),
    telephone: get('telephone').trim(),
    type: get('type').trim(),
    contrat: get('contrat').trim(),
    nature: get('nature').trim(),
    description: get('description').trim(),
  };
}

function tooLong(label: string, max: number): string {
  return `${label} est trop long (${max.toLocaleString('fr-FR').replace(/\s/g, ' ')} caractères au plus).`;
}

function validateComplaint(v: FormValues, submission: Submission): FieldError[] {
  const errors: FieldError[] = [];
  const cut = (k: string) => submission.truncatedFields.has(k);
  if (v.nom === '') errors.push({ field: 'nom', message: 'Indiquez votre nom et votre prénom.' });
  else if (v.nom.length > WEBFORM_LIMITS.name || cut('nom')) errors.push({ field: 'nom', message: tooLong('Le nom', WEBFORM_LIMITS.name) });
  if (v.email === '' && v.telephone === '') {
    errors.push({
      field: 'email',
      message: 'Indiquez une adresse e-mail ou un numéro de téléphone, pour que nous puissions vous répondre.',
    });
  }
  if (v.email !== '' && (v.email.length > WEBFORM_LIMITS.email || !normalizeEmail(v.email))) {
    errors.push({ field: 'email', message: 'L’adresse e-mail n’est pas valide (exemple : prenom.nom@exemple.fr).' });
  }
  if (v.telephone !== '' && (v.telephone.length > WEBFORM_LIMITS.phone || !normalizePhone(v.telephone))) {
    errors.push({ field: 'telephone', message: 'Le numéro de téléphone n’est pas valide (exemple : 06 12 34 56 78).' });
  }
  if (v.type !== '' && !isTaxonomyKey('complainantType', v.type)) {
    errors.push({ field: 'type', message: 'Choisissez une réponse dans la liste.' });
  }
  if (v.contrat !== '' && (v.contrat.length > WEBFORM_LIMITS.contractNumber || !normalizeContractNumber(v.contrat))) {
    errors.push({ field: 'contrat', message: 'Le numéro de contrat ou de dossier doit compter de 4 à 40 lettres ou chiffres.' });
  }
  if (v.nature.length > WEBFORM_LIMITS.nature || cut('nature')) errors.push({ field: 'nature', message: tooLong('Ce résumé', WEBFORM_LIMITS.nature) });
  if (v.description === '') errors.push({ field: 'description', message: 'Décrivez votre réclamation.' });
  else if (v.description.length > WEBFORM_LIMITS.description || cut('description')) {
    errors.push({ field: 'description', message: tooLong('Le texte', WEBFORM_LIMITS.description) });
  }
  return errors;
}

function privacyNotice(tenant: Tenant): SafeHtml {
  return html`<section class="privacy" aria-labelledby="donnees-titre">
<h2 id="donnees-titre">Vos données personnelles</h2>
<p><strong>Responsable du traitement :</strong> ${tenant.name}${tenant.orias ? ` (ORIAS ${tenant.orias})` : ''}, que vous pouvez joindre à l’adresse <a href="mailto:${tenant.email}">${tenant.email}</a>.</p>
<p><strong>Finalité :</strong> traiter votre réclamation, vous répondre et tenir le registre des réclamations, comme la réglementation l’impose aux intermédiaires d’assurance (obligation légale ; recommandation ACPR 2024-R-02). Vos informations ne sont communiquées qu’aux personnes chargées de votre dossier et, si nécessaire, à l’assureur concerné.</p>
<p><strong>Conservation :</strong> pendant le traitement de votre réclamation, puis 5 ans après la clôture du dossier (délai de recours, contrôles) ; elles sont ensuite supprimées ou rendues anonymes.</p>
<p><strong>Vos droits :</strong> vous pouvez accéder à vos données, les faire rectifier, en demander l’effacement (dans la limite des obligations de conservation) ou la limitation, et vous opposer à leur traitement, en écrivant à <a href="mailto:${tenant.email}">${tenant.email}</a>. Vous pouvez aussi adresser une réclamation à la CNIL (www.cnil.fr).</p>
</section>`;
}

function formPath(tenant: Tenant): string {
  return `/f/${encodeURIComponent(tenant.slug)}`;
}

export function complaintFormPage(args: {
  tenant: Tenant;
  key: string;
  values?: FormValues;
  errors?: FieldError[];
  filesWereSent?: boolean;
  fileLimit: number;
}): SafeHtml {
  const { tenant, key, fileLimit } = args;
  const v = args.values ?? EMPTY_VALUES;
  const errors = args.errors ?? [];
  const control = (id: keyof FormValues, type: string, extra: Record<string, string | boolean | undefined> = {}) =>
    (a: { describedBy: string | undefined; invalid: boolean }) =>
      html`<input${attrs({ type, id, name: id, value: v[id], 'aria-describedby': a.describedBy, 'aria-invalid': a.invalid ? 'true' : undefined, ...extra })}>`;
  const body = html`<h1>Déposer une réclamation</h1>
<p>Ce formulaire transmet votre réclamation à <strong>${tenant.name}</strong>. Dès l’envoi, vous obtenez sa référence, une copie datée de ce que vous avez envoyé et un lien pour suivre votre dossier.</p>
<p class="notice">Les champs suivis de « (obligatoire) » doivent être remplis.</p>
${errorSummary(errors)}
${args.filesWereSent && errors.length > 0 ? html`<p class="notice"><strong>Pièces jointes :</strong> pour votre sécurité, le navigateur ne garde pas les fichiers choisis ; sélectionnez-les à nouveau avant d’envoyer.</p>` : ''}
<form method="post" action="${formPath(tenant)}" enctype="multipart/form-data" novalidate>
<input type="hidden" name="cle" value="${key}">
<fieldset>
<legend>Vos coordonnées</legend>
${field({ id: 'nom', label: 'Nom et prénom', required: 'obligatoire', errors, control: control('nom', 'text', { autocomplete: 'name', required: true, maxlength: String(WEBFORM_LIMITS.name) }) })}
${honeypot()}
${field({
  id: 'email',
  label: 'Adresse e-mail',
  required: 'e-mail ou téléphone obligatoire',
  hint: 'Indiquez au moins une adresse e-mail ou un numéro de téléphone, pour que nous puissions vous répondre.',
  errors,
  control: control('email', 'email', { autocomplete: 'email', inputmode: 'email', spellcheck: 'false' }),
})}
${field({
  id: 'telephone',
  label: 'Numéro de téléphone',
  required: 'e-mail ou téléphone obligatoire',
  errors,
  control: control('telephone', 'tel', { autocomplete: 'tel' }),
})}
${field({
  id: 'type',
  label: 'Vous êtes',
  hint: 'Facultatif.',
  errors,
  control: (a) => html`<select${attrs({ id: 'type', name: 'type', 'aria-describedby': a.describedBy, 'aria-invalid': a.invalid ? 'true' : undefined })}>
<option value="">Choisissez (facultatif)</option>
${COMPLAINANT_TYPES.map((t) => html`<option${attrs({ value: t, selected: v.type === t })}>${COMPLAINANT_LABELS[t]}</option>`)}
</select>`,
})}
</fieldset>
<fieldset>
<legend>Votre réclamation</legend>
${field({
  id: 'contrat',
  label: 'Numéro de contrat ou de dossier',
  hint: 'Facultatif. Il figure sur vos conditions particulières, vos avis d’échéance ou nos courriers.',
  errors,
  control: control('contrat', 'text', { autocomplete: 'off', spellcheck: 'false' }),
})}
${field({
  id: 'nature',
  label: 'Nature de la réclamation, en quelques mots',
  hint: 'Facultatif. Par exemple : « remboursement refusé », « résiliation non prise en compte ».',
  errors,
  control: control('nature', 'text', { maxlength: String(WEBFORM_LIMITS.nature) }),
})}
${field({
  id: 'description',
  label: 'Description de votre réclamation',
  required: 'obligatoire',
  hint: 'Expliquez ce qui s’est passé, ce que vous contestez et ce que vous attendez de nous. Indiquez les dates utiles.',
  errors,
  control: (a) =>
    html`<textarea${attrs({ id: 'description', name: 'description', rows: 10, required: true, 'aria-describedby': a.describedBy, 'aria-invalid': a.invalid ? 'true' : undefined })}>${v.description}</textarea>`,
})}
${field({
  id: 'pieces',
  label: 'Pièces justificatives',
  hint: filesHint(fileLimit),
  errors,
  control: (a) =>
    html`<input${attrs({ type: 'file', id: 'pieces', name: 'pieces', multiple: true, accept: FILE_ACCEPT, 'aria-describedby': a.describedBy, 'aria-invalid': a.invalid ? 'true' : undefined })}>`,
})}
</fieldset>
<p><button type="submit">Envoyer ma réclamation</button></p>
</form>
${privacyNotice(tenant)}`;
  return layout({ title: `${errors.length > 0 ? 'Erreur : ' : ''}Déposer une réclamation — ${tenant.name}`, siteName: tenant.name, body });
}

// --- Receipt ------------------------------------------------------------------------------------------

export type ReceiptState =
  | { kind: 'pending' }
  /** The submission opened its own complaint. */
  | { kind: 'created'; reference: string; answerDueOn: string; trackingToken: string }
  /** Joined an open file, or held for an agent's review: nothing about that file is shown. */
  | { kind: 'joined' }
  /** Quarantined or set aside: an agent handles it. */
  | { kind: 'held' };

/**
 * What became of one journaled submission. The reference, deadline and tracking link are shown only
 * when this very submission opened the complaint: a form's name and e-mail are not verified, so a
 * submission that ingestion joins to an existing file (same e-mail, say) must not reveal that file.
 */
export async function receiptState(deps: Deps, row: JournalRow): Promise<ReceiptState> {
  const outcome = await inboundOutcome(deps, row.tenant_id, row.channel, row.external_id);
  if (outcome.status === 'pending') return { kind: 'pending' };
  if ((outcome.status === 'processed' || outcome.status === 'duplicate') && outcome.complaintId && outcome.messageId) {
    const complaint = await getComplaint(deps.db, row.tenant_id, outcome.complaintId);
    if (!complaint) return { kind: 'held' };
    const messages = await listComplaintMessages(deps.db, row.tenant_id, complaint.id);
    const first = messages.find((m) => m.direction === 'inbound');
    if (first && first.id === outcome.messageId && first.review_reason === null) {
      return { kind: 'created', reference: complaint.reference, answerDueOn: complaint.answer_due_on, trackingToken: complaint.tracking_token };
    }
    return { kind: 'joined' };
  }
  if (outcome.status === 'processed' || outcome.status === 'duplicate') return { kind: 'joined' };
  return { kind: 'held' };
}

/** The fields as submitted, labelled for the customer (HTML copy and PDF). */
export function submittedFields(p: WebformPayload): { label: string; value: string }[] {
  const f: WebformFields = p.fields;
  const rows: { label: string; value: string }[] = [];
  if (f.name) rows.push({ label: 'Nom et prénom', value: f.name });
  if (f.email) rows.push({ label: 'Adresse e-mail', value: f.email });
  if (f.phone) rows.push({ label: 'Téléphone', value: f.phone });
  if (f.complainantType) rows.push({ label: 'Vous êtes', value: COMPLAINANT_LABELS[f.complainantType] });
  if (f.contractNumber) rows.push({ label: 'Contrat ou dossier', value: f.contractNumber });
  if (f.nature) rows.push({ label: 'Nature de la réclamation', value: f.nature });
  rows.push({ label: p.kind === 'follow_up' ? 'Message' : 'Description', value: f.description });
  return rows;
}

export function submittedFiles(p: WebformPayload): { name: string; sizeText: string }[] {
  return p.files.map((f) => ({ name: f.filename, sizeText: formatSize(base64Size(f.base64)) }));
}

export function datedCopy(p: WebformPayload, receivedAt: Date): SafeHtml {
  const files = submittedFiles(p);
  return html`<section aria-labelledby="copie-titre">
<h2 id="copie-titre">Copie de ce que vous avez envoyé</h2>
<p class="notice">Reçu le ${formatDateTimeParis(receivedAt)} (heure de Paris).</p>
<dl class="copy">${submittedFields(p).map((r) => html`<dt>${r.label}</dt><dd>${r.value}</dd>`)}
<dt>Pièces jointes</dt><dd>${files.length === 0 ? 'Aucune' : html`<ul>${files.map((f) => html`<li>${f.name} (${f.sizeText})</li>`)}</ul>`}</dd>
</dl>
</section>`;
}

function statusParagraph(state: ReceiptState): string {
  switch (state.kind) {
    case 'created':
      return 'Votre réclamation est enregistrée. Un conseiller va l’étudier ; vous pouvez suivre son avancement en ligne.';
    case 'joined':
      return 'Votre message a été joint à un dossier déjà ouvert. Un conseiller l’étudiera et reviendra vers vous.';
    case 'held':
    case 'pending':
      return 'Votre message a bien été reçu. Il sera examiné par un conseiller, qui reviendra vers vous.';
  }
}

function receiptPage(tenant: Tenant, key: string, row: JournalRow, payload: WebformPayload | null, state: ReceiptState, alreadySent: boolean): SafeHtml {
  const receivedText = formatDateTimeParis(row.received_at);
  const pdfLink = html`<a href="${formPath(tenant)}/recu/${key}/pdf">Télécharger la copie datée (PDF)</a>`;
  const again = alreadySent
    ? html`<div class="panel info"><p>Ce formulaire avait déjà été envoyé : aucune nouvelle réclamation n’a été créée, voici l’accusé de votre premier envoi. Pour une autre réclamation, <a href="${formPath(tenant)}">ouvrez un nouveau formulaire</a>.</p></div>`
    : '';
  let head: SafeHtml;
  if (state.kind === 'created') {
    const tracking = `/suivi/${encodeURIComponent(state.trackingToken)}`;
    head = html`<h1>Votre réclamation a bien été enregistrée</h1>
${again}
<div class="panel">
<p>Référence de votre dossier : <span class="reference">${state.reference}</span></p>
<p>Reçue le ${receivedText} (heure de Paris).</p>
<p>Nous vous répondrons au plus tard le <strong>${formatDateLong(state.answerDueOn)}</strong>.</p>
</div>
<p>${statusParagraph(state)}</p>
<ul>
<li>${pdfLink}</li>
<li><a href="${tracking}">Suivre ma réclamation</a> — ce lien est personnel : gardez-le et ne le partagez pas.</li>
</ul>`;
  } else {
    head = html`<h1>Votre message a bien été reçu</h1>
${again}
<div class="panel"><p>Reçu le ${receivedText} (heure de Paris).</p><p>${statusParagraph(state)}</p></div>
<ul><li>${pdfLink}</li></ul>`;
  }
  // The copy by e-mail (to the address given) is sent by the email connector once it exists: not here.
  const body = html`${head}${payload ? datedCopy(payload, row.received_at) : ''}
<p><a href="${formPath(tenant)}">Déposer une autre réclamation</a></p>`;
  return layout({ title: `${state.kind === 'created' ? 'Réclamation enregistrée' : 'Message reçu'} — ${tenant.name}`, siteName: tenant.name, body });
}

function pendingPage(tenant: Tenant, heading: string): SafeHtml {
  return messagePage(
    heading,
    ['Cela ne prend que quelques secondes : cette page se met à jour toute seule.', 'Vous pouvez aussi la recharger vous-même. N’envoyez pas le formulaire une seconde fois.'],
    tenant.name,
    2,
  );
}

// --- Routes -------------------------------------------------------------------------------------------

async function tenantOr404(deps: Deps, slug: string, reply: FastifyReply): Promise<Tenant | null> {
  const tenant = /^[a-z0-9-]{1,100}$/.test(slug) ? await findTenantBySlug(deps.db, slug) : undefined;
  if (!tenant) {
    sendPage(reply, 404, notFoundPage());
    return null;
  }
  return tenant;
}

async function submissionFor(deps: Deps, tenant: Tenant, key: string): Promise<{ row: JournalRow; payload: WebformPayload | null } | null> {
  if (!IDEMPOTENCY_KEY_RE.test(key)) return null;
  const row = await findJournal(deps.db, tenant.id, 'webform', key);
  if (!row) return null;
  const read = readWebformPayload(row.payload);
  if (read.ok && read.value.kind !== 'complaint') return null;
  return { row, payload: read.ok ? read.value : null };
}

export function formRoutes(deps: Deps): FastifyPluginAsync {
  return async (app) => {
    installPublicErrorPages(app);
    const fileLimit = webformFileLimit(deps.config.maxUploadBytes);
    const routeOptions = { schema: { hide: true }, config: PUBLIC_ROUTE_CONFIG };

    app.get<{ Params: { slug: string } }>('/:slug', routeOptions, async (request, reply) => {
      const tenant = await tenantOr404(deps, request.params.slug, reply);
      if (!tenant) return reply;
      return sendPage(reply, 200, complaintFormPage({ tenant, key: newIdempotencyKey(), fileLimit }), { cache: 'private' });
    });

    app.post<{ Params: { slug: string } }>(
      '/:slug',
      { schema: { hide: true }, config: { ...PUBLIC_ROUTE_CONFIG, rateLimit: publicPostRateLimit(deps) } },
      async (request, reply) => {
        const tenant = await tenantOr404(deps, request.params.slug, reply);
        if (!tenant) return reply;
        const submission = await readSubmission(request, fileLimit);
        if ((submission.fields.get(HONEYPOT_FIELD) ?? '').trim() !== '') {
          request.log.info({ tenantId: tenant.id }, 'public form: honeypot filled, nothing journaled');
          return reply.redirect(`${formPath(tenant)}/merci`, 303);
        }
        const values = valuesFrom(submission);
        const postedKey = submission.fields.get('cle') ?? '';
        const keyOk = IDEMPOTENCY_KEY_RE.test(postedKey);
        const errors: FieldError[] = [];
        if (submission.malformed) {
          errors.push({ field: null, message: 'Le formulaire n’a pas été reçu en entier. Vérifiez vos informations et envoyez-le à nouveau.' });
        } else if (!keyOk) {
          errors.push({ field: null, message: 'Ce formulaire a expiré. Vérifiez vos informations et envoyez-le à nouveau.' });
        }
        errors.push(...validateComplaint(values, submission));
        const files = await checkUploads(submission, fileLimit);
        errors.push(...files.errors.map((message) => ({ field: 'pieces', message })));
        if (errors.length > 0) {
          const page = complaintFormPage({
            tenant,
            key: keyOk ? postedKey : newIdempotencyKey(),
            values,
            errors,
            filesWereSent: submission.files.length > 0,
            fileLimit,
          });
          return sendPage(reply, files.tooLarge ? 413 : 400, page);
        }

        const now = deps.clock.now();
        const { payload, contentType } = buildWebformPayload({
          tenantId: tenant.id,
          kind: 'complaint',
          fields: {
            name: values.nom,
            email: values.email,
            phone: values.telephone,
            contractNumber: values.contrat,
            nature: values.nature,
            description: values.description,
            ...(values.type !== '' ? { complainantType: values.type as ComplainantType } : {}),
          },
          files: files.accepted,
          submittedAt: now,
          language: 'fr',
        });
        const accepted = await acceptInbound(deps, { tenantId: tenant.id, channel: 'webform', externalId: postedKey, payload, contentType, receivedAt: now });
        request.log.info(
          { tenantId: tenant.id, journalId: accepted.journalId, duplicate: accepted.duplicate, files: files.accepted.length },
          'public form: complaint journaled',
        );
        return reply.redirect(`${formPath(tenant)}/recu/${postedKey}${accepted.duplicate ? '?deja=1' : ''}`, 303);
      },
    );

    app.get<{ Params: { slug: string } }>('/:slug/merci', routeOptions, async (request, reply) => {
      const tenant = await tenantOr404(deps, request.params.slug, reply);
      if (!tenant) return reply;
      return sendPage(reply, 200, messagePage('Merci, votre message a été transmis', ['Il sera traité dans les meilleurs délais.'], tenant.name));
    });

    app.get<{ Params: { slug: string; cle: string }; Querystring: { deja?: string } }>('/:slug/recu/:cle', routeOptions, async (request, reply) => {
      const tenant = await tenantOr404(deps, request.params.slug, reply);
      if (!tenant) return reply;
      const found = await submissionFor(deps, tenant, request.params.cle);
      if (!found) return sendPage(reply, 404, notFoundPage(tenant.name));
      const state = await receiptState(deps, found.row);
      if (state.kind === 'pending') return sendPage(reply, 200, pendingPage(tenant, 'Votre réclamation est en cours d’enregistrement'));
      return sendPage(reply, 200, receiptPage(tenant, request.params.cle, found.row, found.payload, state, request.query.deja === '1'));
    });

    app.get<{ Params: { slug: string; cle: string } }>('/:slug/recu/:cle/pdf', routeOptions, async (request, reply) => {
      const tenant = await tenantOr404(deps, request.params.slug, reply);
      if (!tenant) return reply;
      const found = await submissionFor(deps, tenant, request.params.cle);
      if (!found) return sendPage(reply, 404, notFoundPage(tenant.name));
      const state = await receiptState(deps, found.row);
      if (state.kind === 'pending') return reply.redirect(`${formPath(tenant)}/recu/${request.params.cle}`, 303);
      const pdf = await renderReceiptPdf({
        tenantName: tenant.name,
        tenantOrias: tenant.orias,
        reference: state.kind === 'created' ? state.reference : null,
        receivedAtText: formatDateTimeParis(found.row.received_at),
        answerDueText: state.kind === 'created' ? formatDateLong(state.answerDueOn) : null,
        statusText: statusParagraph(state),
        fields: found.payload ? submittedFields(found.payload) : [],
        attachments: found.payload ? submittedFiles(found.payload) : [],
      });
      const name = state.kind === 'created' ? `reclamation-${state.reference}.pdf` : 'copie-datee-reclamation.pdf';
      return reply
        .status(200)
        .header('content-type', 'application/pdf')
        .header('content-disposition', `inline; filename="${name}"`)
        .header('cache-control', 'no-store')
        .header('x-content-type-options', 'nosniff')
        .header('referrer-policy', 'no-referrer')
        .header('x-robots-tag', 'noindex')
        .send(pdf);
    });
  };
}
