import { useEffect, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { keys, useUsers } from '../api/queries.ts';
import type { AuditQuery } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { FilterForm, periodFilters } from '../components/FilterForm.tsx';

const PAGE_SIZE = 50;
const PARAMS = { from: 'du', to: 'au', actor: 'auteur', type: 'type' } as const;
type Key = keyof typeof PARAMS;

/** Who did what and when, filtered, most recent first, by cursor pages. */
export function AuditPage() {
  const { t, dateTime } = useI18n();
  const a = t.steering.audit;
  const [params] = useSearchParams();
  const users = useUsers();
  const query: AuditQuery = {};
  for (const [k, p] of Object.entries(PARAMS) as [Key, string][]) {
    const v = params.get(p);
    if (v) query[k] = v;
  }
  const signature = JSON.stringify(query);
  const [cursors, setCursors] = useState<string[]>([]);
  useEffect(() => setCursors([]), [signature]);
  const cursor = cursors[cursors.length - 1];
  const list = useQuery({
    queryKey: keys.audit({ ...query, ...(cursor ? { cursor } : {}) }),
    queryFn: () => unwrap(api.GET('/api/audit', { params: { query: { ...query, limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) } } })),
    placeholderData: (p) => p,
  });
  return (
    <div className="steering audit">
      <div className="page-head">
        <h1>{a.title}</h1>
      </div>
      <p className="muted">{a.intro}</p>
      <FilterForm
        label={t.steering.filters}
        filters={[
          ...periodFilters(t.steering),
          { kind: 'select', param: PARAMS.actor, label: a.actor, any: a.anyone, options: (users.data?.items ?? []).map((u) => ({ value: u.id, label: u.name })) },
          { kind: 'text', param: PARAMS.type, label: a.type, help: a.typeHelp },
        ]}
      />
      {list.isError && <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />}
      {!list.data && !list.isError && <p role="status">{t.app.loading}</p>}
      {list.data && (
        <>
          {list.data.items.length === 0 ? (
            <p className="empty">{a.empty}</p>
          ) : (
            <div className="table-wrap">
              <table className="complaints audit-table">
                <caption className="sr-only">{a.title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{a.at}</th>
                    <th scope="col">{a.actor}</th>
                    <th scope="col">{a.what}</th>
                    <th scope="col">{a.complaint}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((e) => (
                    <tr key={e.id}>
                      <td>{dateTime(e.at)}</td>
                      <td>{e.actorKind === 'system' ? a.system : e.actorName}</td>
                      <th scope="row">
                        {e.label} <span className="small muted mono">{e.type}</span>
                      </th>
                      <td>{e.complaintId && e.reference ? <Link to={`/reclamations/${e.complaintId}`}>{e.reference}</Link> : t.app.none}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav className="pager" aria-label={t.inbox.page(cursors.length + 1)}>
            <button type="button" className="button secondary" disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
              {a.first}
            </button>
            <span>{t.inbox.page(cursors.length + 1)}</span>
            <button type="button" className="button secondary" disabled={!list.data.nextCursor} onClick={() => list.data.nextCursor && setCursors((c) => [...c, list.data.nextCursor!])}>
              {a.next}
            </button>
          </nav>
        </>
      )}
    </div>
  );
}
