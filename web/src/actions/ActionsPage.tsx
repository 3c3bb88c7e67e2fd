import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { keys, useUsers } from '../api/queries.ts';
import { ACTION_STATUSES, ACTION_TYPES, CAUSES, PRODUCTS, type ActionDetail, type ActionInput, type ActionPatch, type ActionStatus } from '../api/types.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { ErrorMessage, errorText, FormError } from '../components/ErrorMessage.tsx';
import { useToast } from '../components/Toast.tsx';
import { FilterForm, useSearchUpdate } from '../components/FilterForm.tsx';

const PAGE_SIZE = 50;

function OwnerSelect({ value, onChange, name = 'owner' }: { value: string; onChange: (v: string) => void; name?: string }) {
  const { t } = useI18n();
  const users = useUsers();
  return (
    <select name={name} value={value} onChange={(e) => onChange(e.target.value)}>
      <option value="">{t.steering.actions.noOwner}</option>
      {(users.data?.items ?? [])
        .filter((u) => u.status === 'active')
        .map((u) => (
          <option key={u.id} value={u.id}>
            {u.name}
          </option>
        ))}
    </select>
  );
}

/** A new action, from a signal (its cause and examples) or from complaints chosen on the dashboard. */
function CreateForm({ signalId, complaintIds, onDone }: { signalId: string | null; complaintIds: string[]; onDone: (id: string | null) => void }) {
  const { t } = useI18n();
  const a = t.steering.actions;
  const qc = useQueryClient();
  const toast = useToast();
  const heading = useRef<HTMLHeadingElement>(null);
  const signals = useQuery({ queryKey: keys.signals, queryFn: () => unwrap(api.GET('/api/signals')), enabled: !!signalId });
  const signal = signals.data?.items.find((s) => s.id === signalId) ?? null;
  const [v, setV] = useState({ title: '', type: 'corrective', rootCause: '', cause: '', product: '', ownerId: '', dueOn: '' });
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  useEffect(() => heading.current?.focus(), []);
  useEffect(() => {
    if (signal) setV((o) => ({ ...o, title: o.title || signal.label, cause: o.cause || (signal.dimension === 'cause' ? (signal.value ?? '') : ''), product: o.product || (signal.dimension === 'product' ? (signal.value ?? '') : '') }));
  }, [signal?.id]);
  const set = (k: keyof typeof v) => (e: { target: { value: string } }) => setV((o) => ({ ...o, [k]: e.target.value }));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setPending(true);
    setError(null);
    const body: ActionInput = {
      title: v.title.trim(),
      type: v.type as ActionInput['type'],
      rootCause: v.rootCause.trim(),
      cause: (v.cause || null) as ActionInput['cause'],
      product: (v.product || null) as ActionInput['product'],
      ownerId: v.ownerId || null,
      dueOn: v.dueOn || null,
      ...(signalId ? { signalId } : {}),
      ...(complaintIds.length ? { complaintIds } : {}),
    };
    try {
      const created = await unwrap(api.POST('/api/actions', { body }));
      toast(a.created);
      await qc.invalidateQueries({ queryKey: keys.actions });
      onDone(created.id);
    } catch (err) {
      setError(errorText(err, t.app.error));
    } finally {
      setPending(false);
    }
  };
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby="action-new-title">
      <h2 id="action-new-title" ref={heading} tabIndex={-1}>
        {a.createTitle}
      </h2>
      {signal && <p className="flag flag-info">{a.fromSignal(signal.label)}</p>}
      {complaintIds.length > 0 && <p className="flag flag-info">{a.fromComplaints(complaintIds.length)}</p>}
      <div className="form-grid">
        <label className="field wide-field">
          <span>{a.name}</span>
          <input name="title" value={v.title} onChange={set('title')} required maxLength={200} />
        </label>
        <label className="field">
          <span>{a.type}</span>
          <select name="type" value={v.type} onChange={set('type')}>
            {ACTION_TYPES.map((x) => (
              <option key={x} value={x}>
                {label(a.types, x)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t.steering.cause}</span>
          <select name="cause" value={v.cause} onChange={set('cause')}>
            <option value="">{t.actions.notSet}</option>
            {CAUSES.map((x) => (
              <option key={x} value={x}>
                {label(t.taxonomy.cause, x)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t.steering.product}</span>
          <select name="product" value={v.product} onChange={set('product')}>
            <option value="">{t.actions.notSet}</option>
            {PRODUCTS.map((x) => (
              <option key={x} value={x}>
                {label(t.taxonomy.product, x)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{a.owner}</span>
          <OwnerSelect value={v.ownerId} onChange={(x) => setV((o) => ({ ...o, ownerId: x }))} />
        </label>
        <label className="field">
          <span>{a.dueOn}</span>
          <input type="date" name="dueOn" value={v.dueOn} onChange={set('dueOn')} />
        </label>
      </div>
      <label className="field">
        <span>{a.rootCause}</span>
        <textarea name="rootCause" rows={3} value={v.rootCause} onChange={set('rootCause')} />
      </label>
      <FormError text={error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={pending || !v.title.trim()}>
          {a.createTitle}
        </button>
        <button type="button" className="button secondary" onClick={() => onDone(null)}>
          {t.app.cancel}
        </button>
      </div>
    </form>
  );
}

function Effectiveness({ e }: { e: NonNullable<ActionDetail['effectiveness']> }) {
  const { t, number, date } = useI18n();
  const a = t.steering.actions;
  const pct = (x: number | null) => (x === null ? t.app.none : `${number(100 * x, 1)} %`);
  return (
    <section aria-labelledby="eff-title">
      <h3 id="eff-title">{a.effectiveness}</h3>
      <div className="table-wrap">
        <table className="figures">
          <caption className="sr-only">{a.effectiveness}</caption>
          <thead>
            <tr>
              <th scope="col">{a.window}</th>
              <th scope="col">{a.causeComplaints}</th>
              <th scope="col">{a.perWeek}</th>
              <th scope="col">{a.shareOfAll}</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th scope="row">{`${a.before} (${date(e.before.from)} – ${date(e.before.to)})`}</th>
              <td>{number(e.before.complaints)}</td>
              <td>{e.before.perWeek === null ? t.app.none : number(e.before.perWeek, 2)}</td>
              <td>{pct(e.before.share)}</td>
            </tr>
            <tr>
              <th scope="row">{`${a.after} (${date(e.after.from)} – ${date(e.after.to)})`}</th>
              <td>{number(e.after.complaints)}</td>
              <td>{e.after.perWeek === null ? t.app.none : number(e.after.perWeek, 2)}</td>
              <td>{pct(e.after.share)}</td>
            </tr>
          </tbody>
        </table>
      </div>
      {e.change !== null && <p>{a.change(`${e.change > 0 ? '+' : ''}${number(100 * e.change, 1)}`)}</p>}
      {!e.complete && <p className="small muted">{a.incomplete(e.after.weeksElapsed)}</p>}
    </section>
  );
}

/** One action: edit its status, owner and due date; its complaints; its effectiveness once done. */
function ActionPanel({ id, onClose }: { id: string; onClose: () => void }) {
  const { t, date } = useI18n();
  const a = t.steering.actions;
  const qc = useQueryClient();
  const toast = useToast();
  const heading = useRef<HTMLHeadingElement>(null);
  const detail = useQuery({ queryKey: keys.action(id), queryFn: () => unwrap(api.GET('/api/actions/{actionId}', { params: { path: { actionId: id } } })) });
  const [v, setV] = useState({ status: '', ownerId: '', dueOn: '' });
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (detail.data) setV({ status: detail.data.status, ownerId: detail.data.ownerId ?? '', dueOn: detail.data.dueOn ?? '' });
  }, [detail.data?.updatedAt]);
  useEffect(() => heading.current?.focus(), [id, !!detail.data]);
  if (detail.isError) return <ErrorMessage error={detail.error} onRetry={() => void detail.refetch()} />;
  if (!detail.data) return <p role="status">{t.app.loading}</p>;
  const d = detail.data;
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const body: ActionPatch = {};
    if (v.status !== d.status) body.status = v.status as ActionStatus;
    if ((v.ownerId || null) !== d.ownerId) body.ownerId = v.ownerId || null;
    if ((v.dueOn || null) !== d.dueOn) body.dueOn = v.dueOn || null;
    if (Object.keys(body).length === 0) return;
    try {
      await unwrap(api.PATCH('/api/actions/{actionId}', { params: { path: { actionId: id } }, body }));
      toast(a.saved);
    } catch (err) {
      setError(errorText(err, t.app.error));
    }
    await qc.invalidateQueries({ queryKey: keys.actions });
  };
  return (
    <section className="panel action-panel" aria-labelledby="action-title">
      <div className="page-head">
        <h2 id="action-title" ref={heading} tabIndex={-1}>
          {d.title}
        </h2>
        <button type="button" className="button secondary" onClick={onClose}>
          {a.close}
        </button>
      </div>
      <p>
        <span className="tag tag-info">{label(a.types, d.type)}</span>
        {d.overdue && <span className="tag tag-late">{a.overdue}</span>}
        {d.cause && <span className="tag">{label(t.taxonomy.cause, d.cause)}</span>}
        {d.product && <span className="tag">{label(t.taxonomy.product, d.product)}</span>}
      </p>
      {d.rootCause && (
        <p>
          <strong>{a.rootCause} :</strong> {d.rootCause}
        </p>
      )}
      <form onSubmit={(e) => void save(e)} aria-label={a.edit}>
        <div className="form-grid">
          <label className="field">
            <span>{a.status}</span>
            <select name="status" value={v.status} onChange={(e) => setV((o) => ({ ...o, status: e.target.value }))}>
              {ACTION_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {label(a.statuses, s)}
                </option>
              ))}
            </select>
          </label>
          <label className="field">
            <span>{a.owner}</span>
            <OwnerSelect name="action-owner" value={v.ownerId} onChange={(x) => setV((o) => ({ ...o, ownerId: x }))} />
          </label>
          <label className="field">
            <span>{a.dueOn}</span>
            <input type="date" name="action-due" value={v.dueOn} onChange={(e) => setV((o) => ({ ...o, dueOn: e.target.value }))} />
          </label>
          <div className="form-actions">
            <button type="submit" className="button primary">
              {a.save}
            </button>
          </div>
        </div>
        <FormError text={error} />
      </form>
      {d.completedOn && <p className="small muted">{`${a.completedOn} ${date(d.completedOn)}`}</p>}
      <h3>{a.linked}</h3>
      {d.complaints.length === 0 ? (
        <p className="muted">{t.app.none}</p>
      ) : (
        <ul className="plain">
          {d.complaints.map((c) => (
            <li key={c.id}>
              <Link to={`/reclamations/${c.id}`}>{c.reference}</Link> — {c.subject} <span className="small muted">({label(t.taxonomy.status, c.status)})</span>
            </li>
          ))}
        </ul>
      )}
      {d.effectiveness ? <Effectiveness e={d.effectiveness} /> : <p className="small muted">{a.effectivenessPending}</p>}
    </section>
  );
}

export function ActionsPage() {
  const { t, date, number } = useI18n();
  const a = t.steering.actions;
  const [params, update] = useSearchUpdate();
  const status = params.get('statut') ?? '';
  const overdue = params.get('retard') === '1';
  const creating = params.get('nouvelle') === '1';
  const signalId = params.get('signal');
  const complaintIds = (params.get('reclamations') ?? '').split(',').filter(Boolean);
  const openId = params.get('action');
  const query = { ...(status ? { status: status as ActionStatus } : {}), ...(overdue ? { overdue: '1' as const } : {}), pageSize: PAGE_SIZE };
  const list = useQuery({ queryKey: keys.actionList(query), queryFn: () => unwrap(api.GET('/api/actions', { params: { query } })), placeholderData: (p) => p });
  return (
    <div className="steering actions">
      <div className="page-head">
        <h1>{a.title}</h1>
        {!creating && (
          <button type="button" className="button primary" onClick={() => update({ nouvelle: '1', action: null })}>
            {a.create}
          </button>
        )}
      </div>
      <p className="muted">{a.intro}</p>
      {creating && <CreateForm signalId={signalId} complaintIds={complaintIds} onDone={(id) => update({ nouvelle: null, signal: null, reclamations: null, action: id })} />}
      {openId && <ActionPanel id={openId} onClose={() => update({ action: null })} />}
      <FilterForm
        label={t.steering.filters}
        applyOnChange
        filters={[
          { kind: 'select', param: 'statut', label: a.filterStatus, any: t.steering.any, options: ACTION_STATUSES.map((s) => ({ value: s, label: label(a.statuses, s) })) },
          { kind: 'checkbox', param: 'retard', label: a.onlyOverdue },
        ]}
      />
      {list.isError && <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && list.data.items.length === 0 && <p className="empty">{a.empty}</p>}
      {list.data && list.data.items.length > 0 && (
        <div className="table-wrap">
          <table className="complaints actions-table">
            <caption className="sr-only">{a.title}</caption>
            <thead>
              <tr>
                <th scope="col">{a.name}</th>
                <th scope="col">{a.type}</th>
                <th scope="col">{a.status}</th>
                <th scope="col">{a.owner}</th>
                <th scope="col">{a.dueOn}</th>
                <th scope="col">{a.complaints}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((x) => (
                <tr key={x.id} className={x.id === openId ? 'selected' : undefined}>
                  <th scope="row">
                    <button type="button" className="button link" onClick={() => update({ action: x.id, nouvelle: null })} aria-label={a.open(x.title)}>
                      {x.title}
                    </button>
                    {x.cause && <span className="small muted block">{label(t.taxonomy.cause, x.cause)}</span>}
                  </th>
                  <td>{label(a.types, x.type)}</td>
                  <td>
                    {label(a.statuses, x.status)}
                    {x.overdue && <span className="tag tag-late">{a.overdue}</span>}
                  </td>
                  <td>{x.ownerName ?? t.app.none}</td>
                  <td>{date(x.dueOn)}</td>
                  <td>{x.complaintCount === null ? t.app.none : number(x.complaintCount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
