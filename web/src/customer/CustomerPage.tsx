import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys, useCustomer } from '../api/queries.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { ComplaintTable } from '../components/ComplaintTable.tsx';
import { ErrorMessage, errorText } from '../components/ErrorMessage.tsx';
import { useToast } from '../components/Toast.tsx';
import { MergeSuggestions } from '../complaint/Actions.tsx';

interface DoneMerge {
  mergeId: string;
  otherName: string;
  undone: boolean;
}

function MergeForm({ customerId, customerName }: { customerId: string; customerName: string }) {
  const { t, number } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  const [q, setQ] = useState('');
  const [asked, setAsked] = useState('');
  const [merges, setMerges] = useState<DoneMerge[]>([]);
  const results = useQuery({
    queryKey: keys.customerSearch(asked),
    queryFn: () => unwrap(api.GET('/api/customers', { params: { query: { q: asked, limit: 10 } } })),
    enabled: asked.length >= 2,
  });
  const refresh = () =>
    Promise.all([qc.invalidateQueries({ queryKey: ['customer'] }), qc.invalidateQueries({ queryKey: ['customer-search'] }), qc.invalidateQueries({ queryKey: keys.complaints })]);

  const merge = async (otherId: string, otherName: string) => {
    if (!window.confirm(t.customer.mergeConfirm(otherName, customerName))) return;
    try {
      const r = await unwrap(api.POST('/api/customers/{customerId}/merge', { params: { path: { customerId } }, body: { otherCustomerId: otherId } }));
      setMerges((m) => [{ mergeId: r.mergeId, otherName, undone: false }, ...m]);
      toast(t.customer.merged);
    } catch (err) {
      toast(errorText(err, t.app.error), 'error');
    }
    await refresh();
  };
  const undo = async (mergeId: string) => {
    try {
      await unwrap(api.POST('/api/customer-merges/{mergeId}/undo', { params: { path: { mergeId } } }));
      setMerges((m) => m.map((x) => (x.mergeId === mergeId ? { ...x, undone: true } : x)));
      toast(t.customer.undone);
    } catch (err) {
      toast(errorText(err, t.app.error), 'error');
    }
    await refresh();
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setAsked(q.trim());
  };
  const others = (results.data?.items ?? []).filter((c) => c.id !== customerId);
  return (
    <section className="panel" aria-labelledby="merge-form-title">
      <h2 id="merge-form-title">{t.customer.merge}</h2>
      <p className="small muted">{t.customer.mergeHelp}</p>
      <form onSubmit={submit} role="search">
        <label className="field">
          <span>{t.customer.mergeSearch}</span>
          <span className="search-box">
            <input type="search" name="customer-q" value={q} minLength={2} onChange={(e) => setQ(e.target.value)} />
            <button type="submit" className="button secondary">
              {t.inbox.search}
            </button>
          </span>
        </label>
      </form>
      {results.isError && <ErrorMessage error={results.error} />}
      {asked && results.data && others.length === 0 && <p className="muted">{t.customer.noResults}</p>}
      {others.length > 0 && (
        <ul className="plain">
          {others.map((c) => (
            <li key={c.id} className="row-actions">
              <Link to={`/clients/${c.id}`}>{c.displayName}</Link>
              <span className="small muted">{t.customer.score(number(c.score, 2))}</span>
              <button type="button" className="button secondary" onClick={() => void merge(c.id, c.displayName)}>
                {t.customer.mergeInto(c.displayName)}
              </button>
            </li>
          ))}
        </ul>
      )}
      {merges.length > 0 && (
        <>
          <h3>{t.customer.mergeHistory}</h3>
          <ul className="plain">
            {merges.map((m) => (
              <li key={m.mergeId} className="row-actions">
                <span>{m.otherName}</span>
                {m.undone ? (
                  <span className="muted">{t.customer.undone}</span>
                ) : (
                  <button type="button" className="button secondary" onClick={() => void undo(m.mergeId)}>
                    {t.customer.undo}
                  </button>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

export function CustomerPage() {
  const { id = '' } = useParams();
  const { t, date } = useI18n();
  const file = useCustomer(id);
  if (file.isError) return <ErrorMessage error={file.error} onRetry={() => void file.refetch()} />;
  if (!file.data) return <p role="status">{t.app.loading}</p>;
  const c = file.data;
  return (
    <div className="customer">
      <div className="page-head">
        <Link to="/">← {t.app.backToInbox}</Link>
      </div>
      <section className="panel" aria-labelledby="customer-title">
        <p className="small muted">{t.customer.title}</p>
        <h1 id="customer-title">{c.displayName}</h1>
        <dl className="facts">
          <div>
            <dt>{t.customer.type}</dt>
            <dd>{label(t.taxonomy.complainantType, c.complainantType)}</dd>
          </div>
          <div>
            <dt>{t.customer.since}</dt>
            <dd>{date(c.createdAt)}</dd>
          </div>
        </dl>
        <h2>{t.customer.identities}</h2>
        <ul className="plain identity-list">
          {c.identities.map((i) => (
            <li key={`${i.kind}:${i.value}`}>
              <strong>{label(t.customer.identityKind, i.kind)} :</strong> <span className="break">{i.value}</span>
            </li>
          ))}
        </ul>
        <MergeSuggestions customerId={c.id} />
      </section>
      <section aria-labelledby="customer-complaints">
        <h2 id="customer-complaints">{t.customer.complaints}</h2>
        <p className="total">{t.customer.complaintsTotal(c.complaintsTotal)}</p>
        <ComplaintTable items={c.complaints} caption={t.customer.complaints} showCustomer={false} />
      </section>
      <MergeForm customerId={c.id} customerName={c.displayName} />
    </div>
  );
}
