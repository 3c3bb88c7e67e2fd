import { useEffect, useRef, useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import type { DashboardMetric, DashboardQuery } from '../api/types.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { ErrorMessage } from '../components/ErrorMessage.tsx';

const PAGE_SIZE = 25;

/** The complaints behind one figure of the dashboard, paged; some can be chosen to start an action. */
export function DrillDown({ metric, query, page, onPage, onClose }: { metric: DashboardMetric; query: DashboardQuery; page: number; onPage: (p: number) => void; onClose: () => void }) {
  const { t, date } = useI18n();
  const d = t.steering.dashboard;
  const navigate = useNavigate();
  const heading = useRef<HTMLHeadingElement>(null);
  const [selected, setSelected] = useState<string[]>([]);
  const list = useQuery({
    queryKey: keys.dashboardList(metric, { ...query, page }),
    queryFn: () => unwrap(api.GET('/api/dashboard/lists/{metric}', { params: { path: { metric }, query: { ...query, page, pageSize: PAGE_SIZE } } })),
    placeholderData: (previous) => previous,
  });
  useEffect(() => heading.current?.focus(), [metric]);
  useEffect(() => setSelected([]), [metric, JSON.stringify(query)]);
  const toggle = (id: string) => setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : [...s, id]));
  const title = d.listTitle(label(d.metric, metric));
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / list.data.pageSize)) : 1;
  return (
    <section className="panel drill" aria-labelledby="drill-title">
      <div className="page-head">
        <h2 id="drill-title" ref={heading} tabIndex={-1}>
          {title}
        </h2>
        <button type="button" className="button secondary" onClick={onClose}>
          {d.closeList}
        </button>
      </div>
      {list.isError && <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />}
      {list.data && (
        <>
          <p className="total" aria-live="polite">
            {t.inbox.total(list.data.total)}
          </p>
          {list.data.items.length === 0 ? (
            <p className="empty">{d.none}</p>
          ) : (
            <div className="table-wrap">
              <table className="complaints drill-table">
                <caption className="sr-only">{title}</caption>
                <thead>
                  <tr>
                    <th scope="col">
                      <span className="sr-only">{t.steering.actions.complaints}</span>
                    </th>
                    <th scope="col">{d.columns.reference}</th>
                    <th scope="col">{d.columns.customer}</th>
                    <th scope="col">{d.columns.subject}</th>
                    <th scope="col">{d.columns.status}</th>
                    <th scope="col">{d.columns.received}</th>
                    <th scope="col">{d.columns.ackDue}</th>
                    <th scope="col">{d.columns.answerDue}</th>
                    <th scope="col">{d.columns.answered}</th>
                  </tr>
                </thead>
                <tbody>
                  {list.data.items.map((c) => (
                    <tr key={c.id}>
                      <td>
                        <input type="checkbox" checked={selected.includes(c.id)} onChange={() => toggle(c.id)} aria-label={d.select(c.reference)} />
                      </td>
                      <th scope="row">
                        <Link to={`/reclamations/${c.id}`} className="ref">
                          {c.reference}
                        </Link>
                      </th>
                      <td>{c.customerName}</td>
                      <td className="subject">
                        <span>{c.subject}</span>
                        <span className="small muted">{[label(t.taxonomy.kind, c.kind), c.cause ? label(t.taxonomy.cause, c.cause) : null, c.product ? label(t.taxonomy.product, c.product) : null].filter(Boolean).join(' · ')}</span>
                      </td>
                      <td>{label(t.taxonomy.status, c.status)}</td>
                      <td>{date(c.receivedOn)}</td>
                      <td>{c.ackOn ? `${date(c.ackDueOn)} (${date(c.ackOn)})` : date(c.ackDueOn)}</td>
                      <td>{date(c.answerDueOn)}</td>
                      <td>{c.answerOn ? date(c.answerOn) : t.app.none}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <div className="form-actions drill-actions">
            <button
              type="button"
              className="button primary"
              disabled={selected.length === 0}
              onClick={() => void navigate(`/actions?nouvelle=1&reclamations=${selected.join(',')}`)}
            >
              {selected.length === 0 ? d.selectFirst : d.createAction(selected.length)}
            </button>
            <nav className="pager" aria-label={t.inbox.page(page)}>
              <button type="button" className="button secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
                {t.inbox.previous}
              </button>
              <span>
                {t.inbox.page(page)} / {pages}
              </span>
              <button type="button" className="button secondary" disabled={page >= pages} onClick={() => onPage(page + 1)}>
                {t.inbox.next}
              </button>
            </nav>
          </div>
        </>
      )}
    </section>
  );
}
