import { useId, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import type { ComplaintDetail, User } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { errorText, FormError } from '../components/ErrorMessage.tsx';
import { useAction } from './useAction.ts';

/** The process's steps as a checklist: each tick is saved on the server, with who and when. */
export function Checklist({ detail, users }: { detail: ComplaintDetail; users: Map<string, User> }) {
  const { t, dateTime } = useI18n();
  const c = detail.complaint;
  const { run, pending, error } = useAction(c.id);
  // The tick shows at once; the server's checklist takes over once the complaint is refreshed.
  const [ticking, setTicking] = useState<Record<string, boolean>>({});
  const steps = detail.process?.steps ?? [];
  if (steps.length === 0) return null;
  const toggle = (stepKey: string, done: boolean) => {
    setTicking((m) => ({ ...m, [stepKey]: done }));
    void run(
      () => unwrap(api.PUT('/api/complaints/{complaintId}/checklist/{stepKey}', { params: { path: { complaintId: c.id, stepKey } }, body: { done } })),
      done ? t.complaint.stepChecked : t.complaint.stepUnchecked,
    ).then(() =>
      setTicking((m) => {
        const { [stepKey]: _, ...rest } = m;
        return rest;
      }),
    );
  };
  return (
    <section className="panel" aria-labelledby="checklist-title">
      <h2 id="checklist-title">{t.complaint.steps}</h2>
      <ul className="checklist">
        {steps.map((s) => {
          const state = c.checklist[s.key];
          const done = ticking[s.key] ?? state?.done ?? false;
          const who = state?.by ? users.get(state.by)?.name : undefined;
          return (
            <li key={s.key}>
              <label>
                <input type="checkbox" name={`step-${s.key}`} checked={done} disabled={pending} onChange={(e) => toggle(s.key, e.target.checked)} /> {s.label}
              </label>
              {done && state?.done && <span className="small muted"> — {who ? t.complaint.stepDoneBy(who, dateTime(state.at)) : t.complaint.stepDoneAt(dateTime(state.at))}</span>}
            </li>
          );
        })}
      </ul>
      <FormError text={error} />
    </section>
  );
}

/** Shown when this complaint was merged into another one: where the case now lives. */
export function MergedBanner({ mergedIntoId }: { mergedIntoId: string }) {
  const { t } = useI18n();
  const target = useQuery({
    queryKey: ['complaint-ref', mergedIntoId],
    queryFn: () => unwrap(api.GET('/api/complaints/{complaintId}', { params: { path: { complaintId: mergedIntoId } } })),
    staleTime: 60_000,
  });
  return (
    <p className="flag flag-warn" role="note">
      {t.complaint.mergedInto} <Link to={`/reclamations/${mergedIntoId}`}>{target.data?.complaint.reference ?? t.complaint.mergedIntoOther}</Link>
    </p>
  );
}

type Found = { id: string; reference: string; subject: string };

/** Merging a duplicate of the same customer into this complaint, found by its reference. */
export function MergeComplaintForm({ complaintId, customerId }: { complaintId: string; customerId: string }) {
  const { t } = useI18n();
  const { run, pending, error } = useAction(complaintId);
  const [open, setOpen] = useState(false);
  const [reference, setReference] = useState('');
  const [found, setFound] = useState<Found[] | null>(null);
  const [searchError, setSearchError] = useState<string | null>(null);
  const [searching, setSearching] = useState(false);
  const titleId = useId();

  const search = async (e: FormEvent) => {
    e.preventDefault();
    const q = reference.trim();
    if (!q) return;
    setSearching(true);
    setSearchError(null);
    try {
      const res = await unwrap(api.GET('/api/complaints', { params: { query: { q, customerId, limit: 10 } } }));
      const others = res.items.filter((i) => i.id !== complaintId);
      const exact = others.filter((i) => i.reference.toLowerCase() === q.toLowerCase());
      setFound((exact.length > 0 ? exact : others).map((i) => ({ id: i.id, reference: i.reference, subject: i.subject })));
    } catch (err) {
      setSearchError(errorText(err, t.app.error));
    } finally {
      setSearching(false);
    }
  };

  const merge = (other: Found) =>
    void run(() => unwrap(api.POST('/api/complaints/{complaintId}/merge', { params: { path: { complaintId } }, body: { otherComplaintId: other.id } })), t.complaint.mergeDone).then(
      (ok) => {
        if (ok) {
          setFound(null);
          setReference('');
          setOpen(false);
        }
      },
    );

  if (!open) {
    return (
      <button type="button" className="button secondary" onClick={() => setOpen(true)}>
        {t.complaint.mergeOther}
      </button>
    );
  }
  return (
    <section aria-labelledby={titleId}>
      <h3 id={titleId}>{t.complaint.mergeOther}</h3>
      <p className="small muted">{t.complaint.mergeHelp}</p>
      <form onSubmit={(e) => void search(e)}>
        <label className="field">
          <span>{t.complaint.mergeReference}</span>
          <input name="mergeReference" value={reference} onChange={(e) => setReference(e.target.value)} />
        </label>
        <div className="form-actions">
          <button type="submit" className="button secondary" disabled={searching || !reference.trim()}>
            {t.complaint.mergeSearch}
          </button>
          <button type="button" className="button secondary" onClick={() => setOpen(false)}>
            {t.complaint.mergeCancel}
          </button>
        </div>
      </form>
      <FormError text={searchError} />
      {found && found.length === 0 && <p className="small muted">{t.complaint.mergeNoMatch}</p>}
      {found && found.length > 0 && (
        <ul>
          {found.map((f) => (
            <li key={f.id}>
              {f.reference} — {f.subject}{' '}
              <button type="button" className="button primary" disabled={pending} onClick={() => merge(f)}>
                {t.complaint.mergeConfirm(f.reference)}
              </button>
            </li>
          ))}
        </ul>
      )}
      <FormError text={error} />
    </section>
  );
}
