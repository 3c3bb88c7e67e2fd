import { useEffect, useId, useRef, useState, type FormEvent, type RefObject } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys, useMergeSuggestions } from '../api/queries.ts';
import { CAUSES, KINDS, OUTCOMES, PRIORITIES, PRODUCTS, STATUSES, type Complaint, type ComplaintDetail, type Patch, type User } from '../api/types.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { useToast } from '../components/Toast.tsx';
import { errorText, FormError } from '../components/ErrorMessage.tsx';
import { AttachmentList } from './Timeline.tsx';
import { useAction } from './useAction.ts';

/** The status change, offering only the moves the server allows from the current status (allowedStatuses). */
export function StatusForm({ complaint, allowed, selectRef }: { complaint: Complaint; allowed: readonly Complaint['status'][]; selectRef: RefObject<HTMLSelectElement | null> }) {
  const { t } = useI18n();
  const { run, pending, error } = useAction(complaint.id);
  // In the lifecycle's order, whatever order the API lists them in.
  const choices = STATUSES.filter((s) => s !== complaint.status && allowed.includes(s));
  const first = choices[0];
  const [status, setStatus] = useState<Complaint['status'] | undefined>(first);
  const [outcome, setOutcome] = useState<string>('');
  const [reason, setReason] = useState('');
  useEffect(() => setStatus(first), [complaint.status, first]);
  const reopening = (complaint.status === 'resolue' || complaint.status === 'cloturee') && status === 'en_cours';
  if (!status || choices.length === 0) {
    return (
      <section aria-labelledby="status-title">
        <h3 id="status-title">{t.actions.status}</h3>
        <p className="small muted">{t.actions.noStatusMove(label(t.taxonomy.status, complaint.status))}</p>
      </section>
    );
  }
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(
      () =>
        unwrap(
          api.POST('/api/complaints/{complaintId}/status', {
            params: { path: { complaintId: complaint.id } },
            body: { status, ...(status === 'resolue' && outcome ? { outcome: outcome as NonNullable<Complaint['outcome']> } : {}), ...(reason.trim() ? { reason: reason.trim() } : {}) },
          }),
        ),
      t.actions.statusChanged,
    ).then((ok) => ok && setReason(''));
  };
  return (
    <form onSubmit={submit} aria-labelledby="status-title">
      <h3 id="status-title">{t.actions.status}</h3>
      <div className="form-grid single">
        <label className="field">
          <span>{t.actions.newStatus}</span>
          <select ref={selectRef} name="status" value={status} onChange={(e) => setStatus(e.target.value as Complaint['status'])}>
            {choices.map((s) => (
              <option key={s} value={s}>
                {t.taxonomy.status[s]}
              </option>
            ))}
          </select>
        </label>
        {status === 'resolue' && (
          <label className="field">
            <span>{t.actions.outcome}</span>
            <select name="outcome" value={outcome} required onChange={(e) => setOutcome(e.target.value)}>
              <option value="">—</option>
              {OUTCOMES.map((o) => (
                <option key={o} value={o}>
                  {t.taxonomy.outcome[o]}
                </option>
              ))}
            </select>
          </label>
        )}
        {reopening && (
          <label className="field">
            <span>{t.actions.reason}</span>
            <input name="reason" value={reason} onChange={(e) => setReason(e.target.value)} />
          </label>
        )}
      </div>
      <FormError text={error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={pending}>
          {t.actions.applyStatus}
        </button>
      </div>
    </form>
  );
}

export function AssignForm({ complaint, users, me }: { complaint: Complaint; users: User[]; me: User }) {
  const { t } = useI18n();
  const { run, pending, error } = useAction(complaint.id);
  const [assignee, setAssignee] = useState(complaint.assigneeId ?? '');
  useEffect(() => setAssignee(complaint.assigneeId ?? ''), [complaint.assigneeId]);
  const assign = (id: string | null) =>
    run(() => unwrap(api.POST('/api/complaints/{complaintId}/assign', { params: { path: { complaintId: complaint.id } }, body: { assigneeId: id } })), t.actions.assigned);
  const active = users.filter((u) => u.status === 'active');
  return (
    <form
      aria-labelledby="assign-title"
      onSubmit={(e) => {
        e.preventDefault();
        void assign(assignee || null);
      }}
    >
      <h3 id="assign-title">{t.actions.assign}</h3>
      <div className="form-grid single">
        <label className="field">
          <span>{t.actions.assignee}</span>
          <select name="assignee" value={assignee} onChange={(e) => setAssignee(e.target.value)}>
            <option value="">{t.actions.unassign}</option>
            {active.map((u) => (
              <option key={u.id} value={u.id}>
                {u.name} ({t.taxonomy.role[u.role]})
              </option>
            ))}
          </select>
        </label>
      </div>
      <FormError text={error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={pending}>
          {t.actions.assign}
        </button>
        {complaint.assigneeId !== me.id && (
          <button type="button" className="button secondary" disabled={pending} onClick={() => void assign(me.id)}>
            {t.actions.assignToMe}
          </button>
        )}
      </div>
    </form>
  );
}

export function NoteForm({ complaintId, textareaRef }: { complaintId: string; textareaRef: RefObject<HTMLTextAreaElement | null> }) {
  const { t } = useI18n();
  const { run, pending, error } = useAction(complaintId);
  const [text, setText] = useState('');
  const id = useId();
  return (
    <form
      aria-labelledby="note-title"
      onSubmit={(e) => {
        e.preventDefault();
        if (!text.trim()) return;
        void run(() => unwrap(api.POST('/api/complaints/{complaintId}/notes', { params: { path: { complaintId } }, body: { text } })), t.actions.noteAdded).then((ok) => ok && setText(''));
      }}
    >
      <h3 id="note-title">
        <label htmlFor={id}>{t.actions.note}</label>
      </h3>
      <textarea id={id} ref={textareaRef} name="note" value={text} rows={3} onChange={(e) => setText(e.target.value)} aria-describedby="note-help" />
      <p id="note-help" className="small muted">
        {t.actions.noteHelp}
      </p>
      <FormError text={error} />
      <button type="submit" className="button primary" disabled={pending || !text.trim()}>
        {t.actions.addNote}
      </button>
    </form>
  );
}

export function RequalifyForm({ complaint }: { complaint: Complaint }) {
  const { t } = useI18n();
  const { run, pending, error } = useAction(complaint.id);
  const initial = () => ({
    kind: complaint.kind as string,
    cause: complaint.cause ?? '',
    product: complaint.product ?? '',
    priority: complaint.priority as string,
    nature: complaint.nature ?? '',
    contractNumber: complaint.contractNumber ?? '',
    sentOn: complaint.sentOn,
  });
  const [v, setV] = useState(initial);
  // A live update of the complaint refreshes the fields, unless the agent has started changing them: what
  // they are typing is never wiped by someone else's change.
  const synced = useRef(initial());
  useEffect(() => {
    const next = initial();
    setV((current) => (JSON.stringify(current) === JSON.stringify(synced.current) ? next : current));
    synced.current = next;
  }, [complaint.updatedAt]);
  const set = (k: keyof ReturnType<typeof initial>) => (e: { target: { value: string } }) => setV((o) => ({ ...o, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body: Patch = {};
    if (v.kind !== complaint.kind) body.kind = v.kind as Patch['kind'];
    if ((v.cause || null) !== complaint.cause) body.cause = (v.cause || null) as Patch['cause'];
    if ((v.product || null) !== complaint.product) body.product = (v.product || null) as Patch['product'];
    if (v.priority !== complaint.priority) body.priority = v.priority as Patch['priority'];
    if ((v.nature.trim() || null) !== complaint.nature) body.nature = v.nature.trim() || null;
    if ((v.contractNumber.trim() || null) !== complaint.contractNumber) body.contractNumber = v.contractNumber.trim() || null;
    if (v.sentOn && v.sentOn !== complaint.sentOn) body.sentOn = v.sentOn;
    if (Object.keys(body).length === 0) return;
    void run(() => unwrap(api.PATCH('/api/complaints/{complaintId}', { params: { path: { complaintId: complaint.id } }, body })), t.actions.requalified);
  };
  const select = (name: 'kind' | 'cause' | 'product' | 'priority', title: string, values: readonly string[], labels: Record<string, string>, allowNone: boolean) => (
    <label className="field">
      <span>{title}</span>
      <select name={name} value={v[name]} onChange={set(name)}>
        {allowNone && <option value="">{t.actions.notSet}</option>}
        {values.map((x) => (
          <option key={x} value={x}>
            {labels[x] ?? x}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form onSubmit={submit} aria-labelledby="requalify-title">
      <h3 id="requalify-title">{t.actions.requalify}</h3>
      <p className="small muted">{t.actions.requalifyHelp}</p>
      <div className="form-grid">
        {select('kind', t.complaint.kind, KINDS, t.taxonomy.kind, false)}
        {select('priority', t.complaint.priority, PRIORITIES, t.taxonomy.priority, false)}
        {select('cause', t.complaint.cause, CAUSES, t.taxonomy.cause, true)}
        {select('product', t.complaint.product, PRODUCTS, t.taxonomy.product, true)}
        <label className="field">
          <span>{t.complaint.nature}</span>
          <input name="nature" value={v.nature} onChange={set('nature')} />
        </label>
        <label className="field">
          <span>{t.complaint.contractNumber}</span>
          <input name="contractNumber" value={v.contractNumber} onChange={set('contractNumber')} />
        </label>
        <label className="field">
          <span>{t.complaint.sentOn}</span>
          <input type="date" name="sentOn" value={v.sentOn} onChange={set('sentOn')} />
        </label>
      </div>
      <FormError text={error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={pending}>
          {t.actions.requalify}
        </button>
      </div>
    </form>
  );
}

export function AttachmentsPanel({ detail }: { detail: ComplaintDetail }) {
  const { t } = useI18n();
  const complaintId = detail.complaint.id;
  const { run, pending, error } = useAction(complaintId);
  const [files, setFiles] = useState<FileList | null>(null);
  const [inputKey, setInputKey] = useState(0);
  const own = detail.attachments.filter((a) => !a.removedAt && !a.messageId);
  const upload = (e: FormEvent) => {
    e.preventDefault();
    if (!files || files.length === 0) return;
    const form = new FormData();
    for (const f of Array.from(files)) form.append('file', f, f.name);
    const count = files.length;
    void run(
      () =>
        unwrap(
          api.POST('/api/complaints/{complaintId}/attachments', {
            params: { path: { complaintId } },
            body: form as never,
            bodySerializer: (b: unknown) => b as FormData,
          }),
        ),
      t.actions.uploaded(count),
    ).then((ok) => {
      if (ok) {
        setFiles(null);
        setInputKey((k) => k + 1);
      }
    });
  };
  const remove = (a: { id: string; filename: string }) => {
    if (!window.confirm(t.actions.removeConfirm(a.filename))) return;
    void run(() => unwrap(api.DELETE('/api/complaints/{complaintId}/attachments/{attachmentId}', { params: { path: { complaintId, attachmentId: a.id } } })), t.actions.removeAttachment);
  };
  return (
    <form onSubmit={upload} aria-labelledby="upload-title">
      <h3 id="upload-title">{t.message.attachments}</h3>
      <AttachmentList complaintId={complaintId} items={own} onRemove={remove} />
      <label className="field">
        <span>{t.actions.upload}</span>
        <input key={inputKey} type="file" name="file" multiple onChange={(e) => setFiles(e.target.files)} aria-describedby="upload-help" />
      </label>
      <p id="upload-help" className="small muted">
        {t.actions.uploadHelp}
      </p>
      <FormError text={error} />
      <button type="submit" className="button secondary" disabled={pending || !files || files.length === 0}>
        {t.actions.uploadSubmit}
      </button>
    </form>
  );
}

/** Merge suggestions raised by this complaint's messages (or about its customer). */
export function MergeSuggestions({ complaintId, customerId }: { complaintId?: string; customerId?: string }) {
  const { t } = useI18n();
  const list = useMergeSuggestions();
  const qc = useQueryClient();
  const toast = useToast();
  const items = (list.data?.items ?? []).filter(
    (s) => (complaintId && s.complaintId === complaintId) || (customerId && (s.customerId === customerId || s.otherCustomerId === customerId)),
  );
  if (items.length === 0) return null;
  const act = async (fn: () => Promise<unknown>, done: string) => {
    try {
      await fn();
      toast(done);
    } catch (err) {
      toast(errorText(err, t.app.error), 'error');
    }
    await Promise.all([
      qc.invalidateQueries({ queryKey: keys.mergeSuggestions }),
      qc.invalidateQueries({ queryKey: ['customer'] }),
      qc.invalidateQueries({ queryKey: ['complaint'] }),
      qc.invalidateQueries({ queryKey: keys.complaints }),
    ]);
  };
  return (
    <section aria-labelledby="merge-title">
      <h3 id="merge-title">{t.actions.mergeSuggestions}</h3>
      <ul className="plain">
        {items.map((s) => (
          <li key={s.id} className="flag flag-warn">
            <span>
              {t.actions.mergeSuggestion(s.customerName, s.otherCustomerName)} — {s.reason}
            </span>
            <span className="row-actions">
              <button
                type="button"
                className="button secondary"
                onClick={() => void act(() => unwrap(api.POST('/api/merge-suggestions/{suggestionId}/accept', { params: { path: { suggestionId: s.id } } })), t.actions.merged)}
              >
                {t.actions.accept}
              </button>
              <button
                type="button"
                className="button secondary"
                onClick={() => void act(() => unwrap(api.POST('/api/merge-suggestions/{suggestionId}/reject', { params: { path: { suggestionId: s.id } } })), t.actions.rejected)}
              >
                {t.actions.reject}
              </button>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
