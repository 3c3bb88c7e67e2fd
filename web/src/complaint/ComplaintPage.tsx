import { useMemo, useRef } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useComplaint, useSession, useUsers } from '../api/queries.ts';
import type { ComplaintDetail, User } from '../api/types.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { AckDeadline, AnswerDeadline, PriorityBadge, StatusBadge } from '../components/Badges.tsx';
import { ErrorMessage, FormError } from '../components/ErrorMessage.tsx';
import { ShortcutsHelp } from '../components/ShortcutsHelp.tsx';
import { useShortcuts } from '../components/shortcuts.ts';
import { api, ApiError, unwrap } from '../api/client.ts';
import { useToast } from '../components/Toast.tsx';
import { AssignForm, AttachmentsPanel, MergeSuggestions, NoteForm, RequalifyForm, StatusForm } from './Actions.tsx';
import { ReplyForm, type ReplyControl } from './ReplyForm.tsx';
import { Timeline } from './Timeline.tsx';
import { Checklist, MergeComplaintForm, MergedBanner } from './Process.tsx';
import { usePresence } from './presence.ts';
import { useAction } from './useAction.ts';

function Header({ detail }: { detail: ComplaintDetail }) {
  const { t, date, dateTime } = useI18n();
  const c = detail.complaint;
  const warning = c.deadlines.answerDueWarning;
  return (
    <section className="panel complaint-head" aria-labelledby="complaint-title">
      <div className="title-row">
        <h1 id="complaint-title">{c.reference}</h1>
        <StatusBadge status={c.status} />
        <PriorityBadge priority={c.priority} />
        {c.triageReason && <span className="tag tag-warn">{t.complaint.triage}</span>}
        {c.outcome && <span className="tag tag-info">{label(t.taxonomy.outcome, c.outcome)}</span>}
      </div>
      <p className="complaint-subject">{c.subject}</p>
      {c.triageReason && <p className="flag flag-warn">{t.complaint.triageReason(c.triageReason)}</p>}
      <dl className="facts">
        <div>
          <dt>{t.complaint.customer}</dt>
          <dd>{detail.customer ? <Link to={`/clients/${detail.customer.id}`}>{detail.customer.displayName}</Link> : t.app.none}</dd>
        </div>
        <div>
          <dt>{t.complaint.kind}</dt>
          <dd>{label(t.taxonomy.kind, c.kind)}</dd>
        </div>
        <div>
          <dt>{t.complaint.cause}</dt>
          <dd>{label(t.taxonomy.cause, c.cause, t.actions.notSet)}</dd>
        </div>
        <div>
          <dt>{t.complaint.product}</dt>
          <dd>{label(t.taxonomy.product, c.product, t.actions.notSet)}</dd>
        </div>
        <div>
          <dt>{t.complaint.channel}</dt>
          <dd>{label(t.taxonomy.channel, c.channel)}</dd>
        </div>
        <div>
          <dt>{t.complaint.assignee}</dt>
          <dd>{detail.assignee?.name ?? t.inbox.unassigned}</dd>
        </div>
        <div>
          <dt>{t.complaint.sentOn}</dt>
          <dd>
            {date(c.sentOn)}
            {c.sentOnSource === 'received' && <span className="small muted"> ({t.complaint.sentOnReceived})</span>}
          </dd>
        </div>
        <div>
          <dt>{t.complaint.receivedAt}</dt>
          <dd>{dateTime(c.receivedAt)}</dd>
        </div>
        {c.contractNumber && (
          <div>
            <dt>{t.complaint.contractNumber}</dt>
            <dd>{c.contractNumber}</dd>
          </div>
        )}
        <div>
          <dt>{t.complaint.process}</dt>
          <dd>
            {detail.process ? `${detail.process.name}${detail.process.team ? ` — ${t.complaint.team} ${detail.process.team}` : ''}` : t.complaint.noProcess}
          </dd>
        </div>
      </dl>
      <h2 className="sr-only">{t.complaint.deadlines}</h2>
      <div className="deadlines">
        <div className="deadline-card">
          <h3>{t.deadline.ack}</h3>
          <AckDeadline c={c} />
          {c.acknowledgedAt && <p className="small muted">{`${t.complaint.acknowledgedAt} ${dateTime(c.acknowledgedAt)}`}</p>}
        </div>
        <div className="deadline-card">
          <h3>{t.deadline.answer}</h3>
          <AnswerDeadline c={c} />
          {c.answeredAt && <p className="small muted">{`${t.complaint.answeredAt} ${dateTime(c.answeredAt)}`}</p>}
          {warning && <p className="small flag flag-warn">{t.deadline.warning[warning]}</p>}
        </div>
      </div>
    </section>
  );
}

function AcknowledgeButton({ complaintId }: { complaintId: string }) {
  const { t } = useI18n();
  const { run, pending, error } = useAction(complaintId);
  return (
    <div>
      <button
        type="button"
        className="button secondary"
        disabled={pending}
        onClick={() => void run(() => unwrap(api.POST('/api/complaints/{complaintId}/acknowledge', { params: { path: { complaintId } }, body: {} })), t.reply.sent)}
      >
        {t.reply.sendAck}
      </button>
      <FormError text={error} />
    </div>
  );
}

export function ComplaintPage() {
  const { id = '' } = useParams();
  const { t } = useI18n();
  const navigate = useNavigate();
  const toast = useToast();
  const detail = useComplaint(id);
  const users = useUsers();
  const me = useSession().data?.user;
  const viewers = usePresence(id, detail.isSuccess);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  const replyRef = useRef<HTMLTextAreaElement>(null);
  const statusRef = useRef<HTMLSelectElement>(null);
  const replyControl = useRef<ReplyControl>(null);
  const userMap = useMemo(() => new Map<string, User>((users.data?.items ?? []).map((u) => [u.id, u])), [users.data]);

  const focus = (el: HTMLElement | null) => (e: KeyboardEvent) => {
    if (!el) return;
    e.preventDefault();
    el.focus();
    el.scrollIntoView({ block: 'center' });
  };
  useShortcuts({
    Escape: (e) => {
      const target = e.target as HTMLElement;
      if (/^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) target.blur();
      else void navigate('/');
    },
    u: () => void navigate('/'),
    c: (e) => focus(noteRef.current)(e),
    r: (e) => focus(replyRef.current)(e),
    s: (e) => focus(statusRef.current)(e),
    m: () => {
      if (!me || !detail.data || detail.data.complaint.assigneeId === me.id) return;
      void unwrap(api.POST('/api/complaints/{complaintId}/assign', { params: { path: { complaintId: id } }, body: { assigneeId: me.id } }))
        .then(() => toast(t.actions.assigned))
        .then(() => detail.refetch());
    },
  });

  if (detail.isError && detail.error instanceof ApiError && detail.error.status === 404) {
    return (
      <section className="panel" aria-labelledby="not-found-title">
        <h1 id="not-found-title">{t.complaint.notFound}</h1>
        <p>{t.complaint.notFoundHelp}</p>
        <Link to="/">{t.app.backToInbox}</Link>
      </section>
    );
  }
  if (detail.isError) {
    return (
      <>
        <ErrorMessage error={detail.error} onRetry={() => void detail.refetch()} />
        <Link to="/">{t.app.backToInbox}</Link>
      </>
    );
  }
  if (!detail.data || !me) return <p role="status">{t.complaint.loading}</p>;
  const d = detail.data;
  const c = d.complaint;

  return (
    <div className="complaint">
      <div className="page-head">
        <Link to="/">← {t.app.backToInbox}</Link>
        <span className="row-actions">
          <a href={`/api/complaints/${c.id}/export.pdf`} download>
            {t.complaint.exportPdf}
          </a>
          <ShortcutsHelp items={t.complaint.shortcuts} />
        </span>
      </div>
      {d.suggestions.holdingReply && (
        <p className="flag flag-warn" role="note">
          <span>{t.complaint.suggestHolding}</span>
          <button type="button" className="button secondary" onClick={() => replyControl.current?.applyTemplate('holding')}>
            {t.complaint.suggestHoldingAction}
          </button>
        </p>
      )}
      {viewers.length > 0 && (
        <p className="presence" role="status">
          {t.complaint.viewers(viewers.map((v) => v.name).join(', '))}
        </p>
      )}
      {c.mergedIntoId && <MergedBanner mergedIntoId={c.mergedIntoId} />}
      <Header detail={d} />
      <div className="complaint-layout">
        <div>
          <section className="panel">
            <h2>{t.complaint.description}</h2>
            <p className="msg-body">{c.description}</p>
          </section>
          <Checklist detail={d} users={userMap} />
          <Timeline detail={d} users={userMap} />
          <ReplyForm complaint={c} attachments={d.attachments} textareaRef={replyRef} controlRef={replyControl} />
        </div>
        <aside className="panel complaint-side" aria-label={t.complaint.actions}>
          <h2>{t.complaint.actions}</h2>
          {d.suggestions.acknowledgement && (
            <div className="side-section">
              <p className="small flag flag-warn">{t.complaint.suggestAck}</p>
              <AcknowledgeButton complaintId={c.id} />
            </div>
          )}
          <div className="side-section">
            <MergeSuggestions complaintId={c.id} />
            {!c.mergedIntoId && <MergeComplaintForm complaintId={c.id} customerId={c.customerId} />}
            <StatusForm complaint={c} allowed={d.allowedStatuses} selectRef={statusRef} />
          </div>
          <div className="side-section">
            <AssignForm complaint={c} users={users.data?.items ?? []} me={me} />
          </div>
          <div className="side-section">
            <NoteForm complaintId={c.id} textareaRef={noteRef} />
          </div>
          <div className="side-section">
            <RequalifyForm complaint={c} />
          </div>
          <div className="side-section">
            <AttachmentsPanel detail={d} />
          </div>
        </aside>
      </div>
    </div>
  );
}
