import PDFDocument from 'pdfkit';
import type { Deps } from '../deps.ts';
import { formatDateLong, formatDateTimeParis } from '../domain/customer-status.ts';
import { eventLabel } from '../domain/event-labels.ts';
import { label, type Cause, type Kind, type Outcome, type Priority, type Product, type Status } from '../domain/taxonomy.ts';
import { getTenant } from '../db/repositories/tenants.ts';
import { listUsers } from '../db/repositories/users.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { toWinAnsi } from '../http/routes/public/receipt-pdf.ts';
import type { Actor } from './actor.ts';
import { getComplaintDetail } from './complaints.ts';

const CHANNEL_FR: Record<string, string> = {
  email: 'Email', webform: 'Formulaire en ligne', sms: 'SMS', voice: 'Message vocal', slack: 'Slack',
  letter: 'Courrier', phone: 'Téléphone', in_person: 'En agence', internal: 'Note interne',
};
const DELIVERY_FR: Record<string, string> = { queued: 'en attente d’envoi', sent: 'envoyé', delivered: 'distribué', failed: 'échec', suppressed: 'bloqué' };

/**
 * The whole file of one complaint as a paged PDF, for the médiateur or an inspection: identity, dates and
 * deadlines, qualification, every message across channels, and the history. The export is logged.
 */
export async function exportComplaintPdf(deps: Deps, actor: Actor, complaintId: string): Promise<{ filename: string; pdf: Buffer }> {
  const detail = await getComplaintDetail(deps, actor, complaintId);
  const tenant = (await getTenant(deps.db, actor.tenantId))!;
  const users = new Map((await listUsers(deps.db, actor.tenantId)).map((u) => [u.id, u.name]));
  const c = detail.complaint;
  const t = toWinAnsi;
  const doc = new PDFDocument({ size: 'A4', margin: 50, bufferPages: true, lang: 'fr-FR', info: { Title: t(`Dossier de réclamation ${c.reference}`), Author: t(tenant.name) } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - doc.page.margins.left - doc.page.margins.right;
  const heading = (text: string) => {
    doc.moveDown(0.8);
    doc.font('Helvetica-Bold').fontSize(13).fillColor('#0b3d91').text(t(text), { width });
    doc.moveDown(0.3);
  };
  const field = (name: string, value: string | null | undefined) => {
    doc.font('Helvetica-Bold').fontSize(10).fillColor('#111111').text(t(`${name} : `), { continued: true });
    doc.font('Helvetica').text(t(value && value.trim() ? value : '—'), { width });
  };
  const date = (iso: string | null) => (iso ? formatDateTimeParis(new Date(iso)) : null);

  doc.font('Helvetica-Bold').fontSize(11).fillColor('#0b3d91').text(t(tenant.name + (tenant.orias ? ` — ORIAS ${tenant.orias}` : '')), { width });
  doc.font('Helvetica').fontSize(9).fillColor('#444444').text(t(`Dossier édité le ${formatDateTimeParis(deps.clock.now())} par ${users.get(actor.userId) ?? 'un utilisateur'}`));
  doc.moveDown(0.8);
  doc.font('Helvetica-Bold').fontSize(18).fillColor('#111111').text(t(`Réclamation ${c.reference}`), { width });
  doc.font('Helvetica').fontSize(11).fillColor('#222222').text(t(c.subject), { width });

  heading('Réclamant');
  field('Nom', detail.customer?.displayName);
  field('Qualité', detail.customer ? label('complainantType', detail.customer.complainantType as never) : null);
  for (const i of detail.customer?.identities ?? []) field({ email: 'Email', phone: 'Téléphone', slack: 'Slack', contract: 'Contrat' }[i.kind] ?? i.kind, i.value);

  heading('Dates et délais');
  field('Canal', CHANNEL_FR[c.channel] ?? c.channel);
  field('Envoyée le', formatDateLong(c.sentOn) + (c.sentOnSource === 'received' ? ' (date de réception, date d’envoi inconnue)' : ''));
  field('Reçue le', date(c.receivedAt));
  field('Accusé de réception dû le', formatDateLong(c.deadlines.ackDueOn));
  field('Accusé de réception envoyé', date(c.acknowledgedAt) ?? 'non');
  field('Réponse due le', formatDateLong(c.deadlines.answerDueOn));
  field('Réponse envoyée', date(c.answeredAt) ?? 'non');
  field('Clôturée', date(c.closedAt) ?? 'non');

  heading('Qualification et traitement');
  field('Type', label('kind', c.kind as Kind));
  field('Cause', c.cause ? label('cause', c.cause as Cause) : null);
  field('Produit', c.product ? label('product', c.product as Product) : null);
  field('Priorité', label('priority', c.priority as Priority));
  field('Statut', label('status', c.status as Status));
  field('Issue', c.outcome ? label('outcome', c.outcome as Outcome) : null);
  field('Contrat ou dossier', c.contractNumber);
  field('Processus', detail.process?.name);
  field('Responsable', detail.assignee?.name);
  field('Nature déclarée', c.nature);

  heading('Échanges');
  if (detail.messages.length === 0) doc.font('Helvetica').fontSize(10).fillColor('#111111').text(t('Aucun message.'));
  for (const m of detail.messages) {
    const who = m.direction === 'inbound' ? 'Client' : m.direction === 'note' ? `Note de ${users.get(m.authorUserId ?? '') ?? 'un agent'}` : m.authorUserId ? users.get(m.authorUserId) ?? 'Agent' : 'Envoi automatique';
    const meta = [date(m.sentAt ?? m.createdAt), CHANNEL_FR[m.channel] ?? m.channel, who, m.delivery ? DELIVERY_FR[m.delivery.status] : null].filter(Boolean).join(' · ');
    doc.moveDown(0.4);
    doc.font('Helvetica-Bold').fontSize(9.5).fillColor('#333333').text(t(meta), { width });
    if (m.subject) doc.font('Helvetica-Oblique').fontSize(10).fillColor('#111111').text(t(m.subject), { width });
    doc.font('Helvetica').fontSize(10).fillColor('#111111').text(t((m.newText ?? m.bodyText).trim() || '(sans texte)'), { width });
    if (m.related) doc.font('Helvetica-Oblique').fontSize(9).fillColor('#555555').text(t(`Rattaché automatiquement : ${m.related.reason} (similarité ${m.related.score.toFixed(2)})`), { width });
  }

  heading('Pièces jointes');
  if (detail.attachments.length === 0) doc.font('Helvetica').fontSize(10).fillColor('#111111').text(t('Aucune.'));
  for (const a of detail.attachments) {
    doc.font('Helvetica').fontSize(10).fillColor('#111111').text(t(`• ${a.filename} (${a.contentType}, ${Math.max(1, Math.round(a.sizeBytes / 1024))} Ko)${a.removedAt ? ` — retirée le ${date(a.removedAt)}` : ''} — empreinte SHA-256 ${a.sha256.slice(0, 16)}…`), { width });
  }

  heading('Historique');
  for (const e of detail.events) {
    const actorName = e.actorKind === 'user' ? users.get(e.actorUserId ?? '') ?? 'Utilisateur' : e.actorKind === 'customer' ? 'Client' : 'Guichet';
    doc.font('Helvetica').fontSize(9).fillColor('#222222').text(t(`${date(e.at)} — ${eventLabel(e.type)} — ${actorName}`), { width });
  }

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc.font('Helvetica').fontSize(8).fillColor('#666666').text(t(`${tenant.name} — ${c.reference} — page ${i + 1} sur ${range.count}`), doc.page.margins.left, doc.page.height - 30, { width, align: 'center' });
    doc.page.margins.bottom = bottom;
  }
  doc.end();
  const pdf = await done;
  await insertEvents(deps.db, [{ tenantId: actor.tenantId, complaintId, actorUserId: actor.userId, actorKind: 'user', type: 'complaint.exported', data: { format: 'pdf', bytes: pdf.length }, at: deps.clock.now() }]);
  return { filename: `${c.reference}.pdf`, pdf };
}
