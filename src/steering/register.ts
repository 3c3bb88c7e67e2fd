import PDFDocument from 'pdfkit';
import { stringify } from 'csv-stringify/sync';
import type { Deps } from '../deps.ts';
import { localDateOf } from '../domain/calendar.ts';
import { formatDateTimeParis } from '../domain/customer-status.ts';
import { ValidationError, NotFoundError } from '../domain/errors.ts';
import { label, type Cause, type ComplainantType, type Outcome, type Product, type Status } from '../domain/taxonomy.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { getUser } from '../db/repositories/users.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { listRegister, type RegisterRow } from '../db/repositories/register.ts';
import { toWinAnsi } from '../http/routes/public/receipt-pdf.ts';
import type { Actor } from '../services/actor.ts';

export const CHANNEL_LABELS_FR: Record<string, string> = {
  email: 'Email', webform: 'Formulaire en ligne', sms: 'SMS', voice: 'Message vocal', slack: 'Slack',
  letter: 'Courrier', phone: 'Téléphone', in_person: 'En agence',
};
const ACTION_STATUS_FR: Record<string, string> = { ouverte: 'ouverte', en_cours: 'en cours', terminee: 'terminée', abandonnee: 'abandonnée' };

export interface RegisterPeriod {
  from: string;
  to: string;
}

/** Default: from 1 January of the current year to today (Europe/Paris). */
export function registerPeriod(q: { from?: string | undefined; to?: string | undefined }, now: Date): RegisterPeriod {
  const today = localDateOf(now);
  const to = q.to ?? today;
  const from = q.from ?? `${to.slice(0, 4)}-01-01`;
  if (from > to) throw new ValidationError('Période invalide.', { from: 'La date de début doit précéder la date de fin.' });
  return { from, to };
}

/** The register entry as the API shows it: every field of the register, with French labels beside the keys. */
export function registerEntry(r: RegisterRow) {
  return {
    id: r.id,
    reference: r.reference,
    complainant: {
      customerId: r.customerId,
      name: r.customerName,
      type: r.complainantType,
      typeLabel: label('complainantType', r.complainantType as ComplainantType) ?? r.complainantType,
      emails: r.emails,
      phones: r.phones,
    },
    sentOn: r.sentOn,
    sentOnIsReceipt: r.sentOnSource === 'received',
    receivedAt: r.receivedAt.toISOString(),
    receivedOn: localDateOf(r.receivedAt),
    channel: r.channel,
    channelLabel: CHANNEL_LABELS_FR[r.channel] ?? r.channel,
    nature: r.nature ?? r.subject,
    cause: r.cause,
    causeLabel: r.cause ? label('cause', r.cause as Cause) : null,
    product: r.product,
    productLabel: r.product ? label('product', r.product as Product) : null,
    contractNumber: r.contractNumber,
    status: r.status,
    statusLabel: label('status', r.status as Status),
    acknowledgedOn: r.acknowledgedAt ? localDateOf(r.acknowledgedAt) : null,
    answeredOn: r.answeredAt ? localDateOf(r.answeredAt) : null,
    outcome: r.outcome,
    outcomeLabel: r.outcome ? label('outcome', r.outcome as Outcome) : null,
    closedOn: r.closedAt ? localDateOf(r.closedAt) : null,
    correctiveMeasures: r.actions.map((a) => ({ actionId: a.id, title: a.title, status: a.status, completedOn: a.completedOn })),
  };
}
export type RegisterEntry = ReturnType<typeof registerEntry>;

export async function registerPage(deps: Deps, actor: Actor, q: { from?: string | undefined; to?: string | undefined; page?: number | undefined; pageSize?: number | undefined }) {
  const period = registerPeriod(q, deps.clock.now());
  const pageSize = Math.min(Math.max(q.pageSize ?? 50, 1), 500);
  const page = Math.max(q.page ?? 1, 1);
  const { rows, total } = await listRegister(deps.db, actor.tenantId, { ...period, limit: pageSize, offset: (page - 1) * pageSize });
  return { period, page, pageSize, total, items: rows.map(registerEntry) };
}

/** Every entry of the period, read in keyset batches. */
async function allEntries(deps: Deps, tenantId: string, period: RegisterPeriod): Promise<RegisterEntry[]> {
  const out: RegisterEntry[] = [];
  let after: { receivedAt: Date; id: string } | undefined;
  for (;;) {
    const { rows } = await listRegister(deps.db, tenantId, { ...period, limit: 1000, after });
    out.push(...rows.map(registerEntry));
    if (rows.length < 1000) return out;
    const last = rows[rows.length - 1]!;
    after = { receivedAt: last.receivedAt, id: last.id };
  }
}

/** `2026-03-05` → `05/03/2026`, the form French Excel reads as a date. */
export function frenchDate(iso: string | null): string {
  return iso ? `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}` : '';
}

function measuresText(e: RegisterEntry): string {
  return e.correctiveMeasures.map((m) => `${m.title} (${ACTION_STATUS_FR[m.status] ?? m.status}${m.completedOn ? ` le ${frenchDate(m.completedOn)}` : ''})`).join(' ; ');
}

/** A cell a spreadsheet would run as a formula (`=…`, `@…`, `+A1`) is prefixed with an apostrophe; phone numbers stay. */
export function neutraliseFormula(value: string): string {
  return /^[=@\t\r]/.test(value) || /^[+-][^\d\s]/.test(value) ? `'${value}` : value;
}

export const REGISTER_CSV_COLUMNS = [
  'Référence', 'Réclamant', 'Qualité du réclamant', 'Email', 'Téléphone', 'Date d’envoi', 'Date de réception', 'Canal',
  'Nature de la réclamation', 'Cause', 'Produit', 'Contrat ou opération concerné', 'Accusé de réception', 'Date de traitement (réponse)',
  'Réponse apportée', 'Statut', 'Date de clôture', 'Mesures correctives',
] as const;

async function logExport(deps: Deps, actor: Actor, format: 'csv' | 'pdf', period: RegisterPeriod, rows: number, bytes: number): Promise<void> {
  await insertEvents(deps.db, [
    { tenantId: actor.tenantId, actorUserId: actor.userId, actorKind: 'user', type: 'register.exported', data: { format, from: period.from, to: period.to, rows, bytes }, at: deps.clock.now() },
  ]);
}

/** The register as CSV for French Excel: UTF-8 with BOM, `;` separator, CRLF, dates as dd/mm/yyyy. Logged. */
export async function registerCsv(deps: Deps, actor: Actor, q: { from?: string | undefined; to?: string | undefined }): Promise<{ filename: string; csv: Buffer }> {
  const period = registerPeriod(q, deps.clock.now());
  const entries = await allEntries(deps, actor.tenantId, period);
  const text = stringify(
    entries.map((e) => [
      e.reference, e.complainant.name, e.complainant.typeLabel, e.complainant.emails.join(', '), e.complainant.phones.join(', '),
      frenchDate(e.sentOn) + (e.sentOnIsReceipt ? ' (date de réception)' : ''), frenchDate(e.receivedOn), e.channelLabel, e.nature,
      e.causeLabel ?? '', e.productLabel ?? '', e.contractNumber ?? '', frenchDate(e.acknowledgedOn), frenchDate(e.answeredOn),
      e.outcomeLabel ?? '', e.statusLabel, frenchDate(e.closedOn), measuresText(e),
    ]),
    { bom: true, delimiter: ';', record_delimiter: '\r\n', header: true, columns: [...REGISTER_CSV_COLUMNS], cast: { string: neutraliseFormula } },
  );
  const csv = Buffer.from(text, 'utf8');
  await logExport(deps, actor, 'csv', period, entries.length, csv.length);
  return { filename: `registre-reclamations-${period.from}-${period.to}.csv`, csv };
}

/** The register as a paged PDF (landscape A4) with the firm's header, the totals and one line per complaint. Logged. */
export async function registerPdf(deps: Deps, actor: Actor, q: { from?: string | undefined; to?: string | undefined }): Promise<{ filename: string; pdf: Buffer }> {
  const period = registerPeriod(q, deps.clock.now());
  const tenant = await getTenant(deps.db, actor.tenantId);
  if (!tenant) throw new NotFoundError('Cabinet introuvable.');
  const user = await getUser(deps.db, actor.tenantId, actor.userId);
  const entries = await allEntries(deps, actor.tenantId, period);
  const t = toWinAnsi;
  const doc = new PDFDocument({ size: 'A4', layout: 'landscape', margin: 36, bufferPages: true, lang: 'fr-FR', info: { Title: t(`Registre des réclamations ${period.from} – ${period.to}`), Author: t(tenant.name) } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const left = doc.page.margins.left;
  const width = doc.page.width - left - doc.page.margins.right;
  const bottomLimit = () => doc.page.height - doc.page.margins.bottom - 20;

  doc.font('Helvetica-Bold').fontSize(12).fillColor('#0b3d91').text(t(tenant.name + (tenant.orias ? ` — ORIAS ${tenant.orias}` : '')), { width });
  doc.font('Helvetica').fontSize(9).fillColor('#444444').text(t([tenant.email, tenant.phone].filter(Boolean).join(' — ')), { width });
  doc.moveDown(0.5);
  doc.font('Helvetica-Bold').fontSize(17).fillColor('#111111').text(t('Registre des réclamations'), { width });
  doc.font('Helvetica').fontSize(10).fillColor('#222222').text(t(`Réclamations reçues du ${frenchDate(period.from)} au ${frenchDate(period.to)} — édité le ${formatDateTimeParis(deps.clock.now())}${user ? ` par ${user.name}` : ''}`), { width });
  doc.moveDown(0.5);
  const answered = entries.filter((e) => e.answeredOn).length;
  const outcomes = (['accepte', 'partiel', 'refuse'] as const).map((o) => `${label('outcome', o).toLowerCase()} : ${entries.filter((e) => e.outcome === o).length}`).join(', ');
  const withMeasures = entries.filter((e) => e.correctiveMeasures.length > 0).length;
  doc.font('Helvetica-Bold').fontSize(10).text(t(`Total : ${entries.length} réclamation${entries.length > 1 ? 's' : ''}`), { continued: true });
  doc.font('Helvetica').text(t(` — réponses apportées : ${answered} (${outcomes}) — en attente de réponse : ${entries.length - answered} — avec mesures correctives : ${withMeasures}`), { width });
  doc.moveDown(0.6);

  const columns: { title: string; width: number; value: (e: RegisterEntry) => string }[] = [
    { title: 'Référence', width: 84, value: (e) => e.reference },
    { title: 'Réclamant', width: 110, value: (e) => [e.complainant.name, e.complainant.typeLabel, ...e.complainant.emails, ...e.complainant.phones].join('\n') },
    { title: 'Envoi / réception', width: 70, value: (e) => `${frenchDate(e.sentOn)}\n${frenchDate(e.receivedOn)}\n${e.channelLabel}` },
    { title: 'Nature', width: 138, value: (e) => e.nature },
    { title: 'Cause / produit', width: 88, value: (e) => [e.causeLabel ?? 'non qualifiée', e.productLabel].filter(Boolean).join('\n') },
    { title: 'Contrat ou opération', width: 72, value: (e) => e.contractNumber ?? '—' },
    { title: 'Traitement et réponse', width: 96, value: (e) => (e.answeredOn ? `${frenchDate(e.answeredOn)}\n${e.outcomeLabel ?? 'réponse envoyée'}` : `${e.statusLabel}${e.acknowledgedOn ? `\nAR le ${frenchDate(e.acknowledgedOn)}` : ''}`) },
    { title: 'Mesures correctives', width: 0, value: (e) => measuresText(e) || '—' },
  ];
  columns[columns.length - 1]!.width = width - columns.slice(0, -1).reduce((s, c) => s + c.width, 0);
  const pad = 3;
  const drawRow = (cells: string[], bold: boolean) => {
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    const heights = cells.map((text, i) => doc.heightOfString(t(text), { width: columns[i]!.width - 2 * pad }));
    const h = Math.max(...heights) + 2 * pad;
    if (doc.y + h > bottomLimit()) {
      doc.addPage();
      if (!bold) drawRow(columns.map((c) => c.title), true);
    }
    const y = doc.y;
    let x = left;
    if (bold) doc.rect(left, y, width, h).fill('#e8edf7');
    doc.fillColor('#111111');
    cells.forEach((text, i) => {
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8).text(t(text), x + pad, y + pad, { width: columns[i]!.width - 2 * pad });
      x += columns[i]!.width;
    });
    doc.moveTo(left, y + h).lineTo(left + width, y + h).lineWidth(0.5).strokeColor('#9aa5b8').stroke();
    doc.x = left;
    doc.y = y + h;
  };
  drawRow(columns.map((c) => c.title), true);
  if (entries.length === 0) {
    doc.moveDown(0.5).font('Helvetica').fontSize(10).text(t('Aucune réclamation reçue sur la période.'), left, doc.y, { width });
  }
  for (const e of entries) drawRow(columns.map((c) => c.value(e)), false);

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('Helvetica').fontSize(8).fillColor('#666666').text(t(`${tenant.name} — registre des réclamations du ${frenchDate(period.from)} au ${frenchDate(period.to)} — page ${i + 1} sur ${range.count}`), left, doc.page.height - 24, { width, align: 'center' });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  const pdf = await done;
  await logExport(deps, actor, 'pdf', period, entries.length, pdf.length);
  return { filename: `registre-reclamations-${period.from}-${period.to}.pdf`, pdf };
}
