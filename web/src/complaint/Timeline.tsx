import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { invalidateComplaint } from '../api/queries.ts';
import type { Attachment, ComplaintDetail, ComplaintEvent, Message, User } from '../api/types.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { errorText } from '../components/ErrorMessage.tsx';
import { useToast } from '../components/Toast.tsx';
import { EmailHtml } from './EmailHtml.tsx';

/** Events that only repeat a message card shown in the same timeline. */
const SHOWN_AS_MESSAGE = new Set(['message.received', 'note.added', 'message.attached_as_related', 'message.queued']);

function formatBytes(n: number, lang: string): string {
  const units = lang === 'fr' ? ['o', 'Ko', 'Mo', 'Go'] : ['B', 'KB', 'MB', 'GB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(i === 0 ? 0 : 1)} ${units[i]}`;
}

export function attachmentUrl(complaintId: string, attachmentId: string): string {
  return `/api/complaints/${complaintId}/attachments/${attachmentId}`;
}

export function AttachmentList({ complaintId, items, onRemove }: { complaintId: string; items: Attachment[]; onRemove?: (a: Attachment) => void }) {
  const { t, lang } = useI18n();
  if (items.length === 0) return null;
  return (
    <ul className="attachments" aria-label={t.message.attachments}>
      {items.map((a) => {
        const url = attachmentUrl(complaintId, a.id);
        const image = /^image\/(png|jpe?g|gif|webp)$/i.test(a.contentType);
        return (
          <li key={a.id}>
            {image && <img src={url} alt={a.filename} loading="lazy" />}
            <a href={url} download={a.filename}>
              {a.filename}
            </a>
            <span className="small muted">
              {formatBytes(a.sizeBytes, lang)} · {t.message.download}
            </span>
            {onRemove && (
              <button type="button" className="button link small" onClick={() => onRemove(a)}>
                {t.actions.removeAttachment}
              </button>
            )}
          </li>
        );
      })}
    </ul>
  );
}

function MessageCard({ detail, message, users }: { detail: ComplaintDetail; message: Message; users: Map<string, User> }) {
  const { t, dateTime, number } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  const navigate = useNavigate();
  const [quoted, setQuoted] = useState(false);
  const [html, setHtml] = useState(false);
  const complaintId = detail.complaint.id;
  const author = message.authorUserId ? (users.get(message.authorUserId)?.name ?? null) : null;
  const dir = message.direction;
  const hasQuoted = dir === 'inbound' && message.newText !== null && message.newText.trim() !== message.bodyText.trim();
  const text = hasQuoted && !quoted ? message.newText! : message.bodyText;
  const attachments = detail.attachments.filter((a) => a.messageId === message.id && !a.removedAt);

  const confirm = async () => {
    try {
      await unwrap(api.POST('/api/complaints/{complaintId}/messages/{messageId}/confirm-sender', { params: { path: { complaintId, messageId: message.id } } }));
      toast(t.message.senderConfirmed);
    } catch (err) {
      toast(errorText(err, t.app.error), 'error');
    }
    await invalidateComplaint(qc, complaintId);
  };
  const split = async () => {
    if (!window.confirm(t.message.splitConfirm)) return;
    try {
      const created = await unwrap(api.POST('/api/complaints/{complaintId}/messages/{messageId}/split', { params: { path: { complaintId, messageId: message.id } } }));
      toast(t.message.splitDone(created.reference));
      await invalidateComplaint(qc, complaintId);
      void navigate(`/reclamations/${created.id}`);
    } catch (err) {
      toast(errorText(err, t.app.error), 'error');
    }
  };

  const d = message.delivery;
  return (
    <article className={`msg msg-${dir}`} aria-label={`${t.message[dir]} — ${dateTime(message.sentAt ?? message.createdAt)}`}>
      <header className="msg-head">
        <span className="dir">{t.message[dir]}</span>
        {dir !== 'note' && <span>{label(t.taxonomy.channel, message.channel)}</span>}
        {dir === 'inbound' && detail.customer && (
          <span>
            {t.message.from} {detail.customer.displayName}
          </span>
        )}
        {dir === 'outbound' && message.recipient && (
          <span>
            {t.message.to} {message.recipient}
          </span>
        )}
        {author && (
          <span>
            {t.message.by} {author}
          </span>
        )}
        {message.purpose && <span className="tag tag-info">{t.message.purpose[message.purpose] ?? message.purpose}</span>}
        {message.automatic && <span className="tag tag-info">{t.message.automatic}</span>}
        <time dateTime={message.sentAt ?? message.createdAt} className="muted">
          {dateTime(message.sentAt ?? message.createdAt)}
        </time>
      </header>
      {message.subject && (
        <p className="small">
          <strong>{t.message.subject} :</strong> {message.subject}
        </p>
      )}
      <div className="msg-body">{text}</div>
      <div className="toggle-row">
        {hasQuoted && (
          <button type="button" className="button link small" aria-expanded={quoted} onClick={() => setQuoted((q) => !q)}>
            {quoted ? t.message.hideQuoted : t.message.showQuoted}
          </button>
        )}
        {message.bodyHtml && (
          <button type="button" className="button link small" aria-expanded={html} onClick={() => setHtml((h) => !h)}>
            {html ? t.message.hideHtml : t.message.showHtml}
          </button>
        )}
      </div>
      {html && message.bodyHtml && <EmailHtml html={message.bodyHtml} />}
      <AttachmentList complaintId={complaintId} items={attachments} />
      <div className="msg-flags">
        {message.forwardedBy && <p className="flag flag-info">{t.message.forwardedBy(message.forwardedBy.name ? `${message.forwardedBy.name} <${message.forwardedBy.email}>` : message.forwardedBy.email)}</p>}
        {message.reviewReason && (
          <div className="flag flag-warn" role="note">
            <strong>{t.message.review} :</strong> <span>{message.reviewReason}</span> <span className="small">{t.message.reviewHelp}</span>
            <button type="button" className="button secondary" onClick={() => void confirm()}>
              {t.message.confirmSender}
            </button>
          </div>
        )}
        {message.related && (
          <div className="flag flag-info">
            <span>{t.message.related(message.related.reason, number(message.related.score, 2))}</span>
            <button type="button" className="button secondary" onClick={() => void split()}>
              {t.message.split}
            </button>
          </div>
        )}
        {d && (
          <p className={`flag ${d.status === 'failed' || d.status === 'suppressed' ? 'flag-late' : 'flag-info'}`}>
            <strong>{t.message.delivery[d.status]}</strong>
            {d.error && <span>: {d.error}</span>}
            {d.attempts > 0 && <span className="small">({t.message.attempts(d.attempts)})</span>}
            {d.deliveredAt && <span className="small">{t.message.deliveredAt(dateTime(d.deliveredAt))}</span>}
          </p>
        )}
        {message.refusedAttachments.length > 0 && (
          <div className="flag flag-warn">
            <strong>{t.message.refused} :</strong>
            <ul className="plain">
              {message.refusedAttachments.map((r, i) => (
                <li key={i}>{t.message.refusedItem(r.filename, r.reason)}</li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </article>
  );
}

function describe(e: ComplaintEvent, t: ReturnType<typeof useI18n>['t'], users: Map<string, User>): string | null {
  const d = e.data as Record<string, unknown>;
  const name = (id: unknown) => (typeof id === 'string' ? (users.get(id)?.name ?? id) : t.actions.unassign);
  switch (e.type) {
    case 'complaint.status_changed':
      return t.event.change(label(t.taxonomy.status, String(d.before)), label(t.taxonomy.status, String(d.after))) +
        (d.outcome && d.after === 'resolue' ? ` (${label(t.taxonomy.outcome, String(d.outcome))})` : '') +
        (d.reason ? ` — ${String(d.reason)}` : '');
    case 'complaint.assigned':
      return t.event.change(name(d.before), name(d.after));
    case 'complaint.requalified':
    case 'complaint.updated': {
      const before = (d.before ?? {}) as Record<string, unknown>;
      const after = (d.after ?? {}) as Record<string, unknown>;
      return Object.keys(after)
        .filter((k) => JSON.stringify(before[k]) !== JSON.stringify(after[k]))
        .map((k) => {
          const map = (t.taxonomy as Record<string, Record<string, string>>)[k];
          const show = (v: unknown) => (v === null || v === undefined ? t.app.none : map ? label(map, String(v)) : String(v));
          return `${t.event.fields[k] ?? k} : ${t.event.change(show(before[k]), show(after[k]))}`;
        })
        .join(' ; ');
    }
    case 'attachment.added':
    case 'attachment.removed':
    case 'attachment.refused':
      return typeof d.filename === 'string' ? d.filename : null;
    case 'message.delivery_failed':
    case 'message.suppressed':
      return typeof d.reason === 'string' ? d.reason : null;
    default:
      return null;
  }
}

function EventLine({ event, users }: { event: ComplaintEvent; users: Map<string, User> }) {
  const { t, dateTime } = useI18n();
  const who = event.actorKind === 'system' ? t.event.system : event.actorKind === 'customer' ? t.event.customer : (users.get(event.actorUserId ?? '')?.name ?? t.app.none);
  const detail = describe(event, t, users);
  return (
    <div className="event">
      <time dateTime={event.at}>{dateTime(event.at)}</time>
      <span>
        <strong>{t.event.types[event.type] ?? event.type}</strong>
        {detail ? ` : ${detail}` : ''} — {t.event.by(who)}
      </span>
    </div>
  );
}

/** Messages across channels (inbound, outbound, notes) and the history of the file, in order. */
export function Timeline({ detail, users }: { detail: ComplaintDetail; users: Map<string, User> }) {
  const { t } = useI18n();
  const [events, setEvents] = useState(true);
  const items = detail.timeline.filter((i) => i.kind === 'message' || (events && !SHOWN_AS_MESSAGE.has(i.event.type)));
  return (
    <section className="panel" aria-labelledby="timeline-title">
      <div className="page-head">
        <h2 id="timeline-title">{t.complaint.timeline}</h2>
        <label className="field inline small">
          <input type="checkbox" checked={events} onChange={(e) => setEvents(e.target.checked)} />
          <span>{t.complaint.showEvents}</span>
        </label>
      </div>
      {items.length === 0 ? (
        <p className="muted">{t.complaint.timelineEmpty}</p>
      ) : (
        <ol className="timeline">
          {items.map((item) =>
            item.kind === 'message' ? (
              <li key={`m-${item.message.id}`}>
                <MessageCard detail={detail} message={item.message} users={users} />
              </li>
            ) : (
              <li key={`e-${item.event.id}`}>
                <EventLine event={item.event} users={users} />
              </li>
            ),
          )}
        </ol>
      )}
    </section>
  );
}
