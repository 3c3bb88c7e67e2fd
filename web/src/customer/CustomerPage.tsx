import { useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys, useCustomer } from '../api/queries.ts';
import type { CustomerFile } from '../api/types.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { ComplaintTable } from '../components/ComplaintTable.tsx';
import { ErrorMessage, errorText } from '../components/ErrorMessage.tsx';
import { useToast } from '../components/Toast.tsx';
import { MergeSuggestions } from '../complaint/Actions.tsx';

type Merge = CustomerFile['merges'][number];

function refreshAll(qc: ReturnType<typeof useQueryClient>) {
  return Promise.all([qc.invalidateQueries({ queryKey: ['customer'] }), qc.invalidateQueries({ queryKey: ['customer-search'] }), qc.invalidateQueries({ queryKey: keys.complaints })]);
}

/** Every merge this customer took part in (from the server, undone ones included); active ones can be undone. */
function MergeHistory({ merges }: { merges: Merge[] }) {
  const { t, dateTime } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  const [pending, setPending] = useState<string | null>(null);
  const undo = async (mergeId: string) => {
    setPending(mergeId);
    try {
      await unwrap(api.POST('/api/customer-merges/{mergeId}/undo', { params: { path: { mergeId } } }));
      toast(t.customer.undone);
    } catch (err) {
      toast(errorText(err, t.app.error), 'error');
    }
    setPending(null);
    await refreshAll(qc);
  };
  const name = (n: string | null) => n ?? t.customer.unknownCustomer;
  return (
    <section className="panel" aria-labelledby="merge-history-title">
      <h2 id="merge-history-title">{t.customer.mergeHistory}</h2>
      {merges.length === 0 ? (
        <p className="muted">{t.customer.noMerges}</p>
      ) : (
        <ul className="plain merge-history">
          {merges.map((m) => (
            <li key={m.id} className="row-actions">
              <span>
                <Link to={`/clients/${m.mergedCustomerId}`}>{name(m.mergedName)}</Link>
                {' → '}
                <Link to={`/clients/${m.keptCustomerId}`}>{name(m.keptName)}</Link>
                <span className="sr-only">{` (${t.customer.mergeLine(name(m.mergedName), name(m.keptName))})`}</span>
              </span>
              <span className="small muted">{m.by ? t.customer.mergeBy(m.by, dateTime(m.at)) : t.customer.mergeAt(dateTime(m.at))}</span>
              {m.undoneAt ? (
                <span className="tag">{t.customer.mergeUndoneAt(dateTime(m.undoneAt))}</span>
              ) : (
                <>
                  <span className="tag tag-info">{t.customer.mergeActive}</span>
                  <button type="button" className="button secondary" disabled={pending === m.id} onClick={() => void undo(m.id)}>
                    {t.customer.undo}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function MergeForm({ customerId, customerName }: { customerId: string; customerName: string }) {
  const { t, number } = useI18n();
  const qc = useQueryClient();
  const toast = useToast();
  const [q, setQ] = useState('');
  const [asked, setAsked] = useState('');
  const results = useQuery({
    queryKey: keys.customerSearch(asked),
    queryFn: () => unwrap(api.GET('/api/customers', { params: { query: { q: asked, limit: 10 } } })),
    enabled: asked.length >= 2,
  });

  const merge = async (otherId: string, otherName: string) => {
    if (!window.confirm(t.customer.mergeConfirm(otherName, customerName))) return;
    try {
      await unwrap(api.POST('/api/customers/{customerId}/merge', { params: { path: { customerId } }, body: { otherCustomerId: otherId } }));
      toast(t.customer.merged);
    } catch (err) {
      toast(errorText(err, t.app.error), 'error');
    }
    await refreshAll(qc);
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
      <MergeHistory merges={c.merges} />
    </div>
  );
}
