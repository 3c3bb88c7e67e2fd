import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import type { RegisterQuery } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { SteeringFilters } from '../dashboard/SteeringFilters.tsx';
import { useDashboardQuery } from '../dashboard/filters.ts';

const PAGE_SIZE = 50;

/** The regulatory register (art. L.612-2) for a period, with its CSV and PDF exports. */
export function RegisterPage() {
  const { t, date } = useI18n();
  const r = t.steering.register;
  const c = r.columns;
  const [filters, update, params] = useDashboardQuery();
  const period: RegisterQuery = { ...(filters.from ? { from: filters.from } : {}), ...(filters.to ? { to: filters.to } : {}) };
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const reg = useQuery({
    queryKey: keys.register({ ...period, page }),
    queryFn: () => unwrap(api.GET('/api/register', { params: { query: { ...period, page, pageSize: PAGE_SIZE } } })),
    placeholderData: (p) => p,
  });
  const qs = new URLSearchParams(period as Record<string, string>).toString();
  const pages = reg.data ? Math.max(1, Math.ceil(reg.data.total / reg.data.pageSize)) : 1;
  return (
    <div className="steering register">
      <div className="page-head">
        <h1>{r.title}</h1>
        <span className="row-actions">
          <a className="button secondary" href={`/api/register.csv${qs ? `?${qs}` : ''}`} download>
            {r.csv}
          </a>
          <a className="button secondary" href={`/api/register.pdf${qs ? `?${qs}` : ''}`} download>
            {r.pdf}
          </a>
        </span>
      </div>
      <p className="muted">{r.intro}</p>
      <SteeringFilters periodOnly alsoClear={['page']} />
      {reg.isError && <ErrorMessage error={reg.error} onRetry={() => void reg.refetch()} />}
      {!reg.data && !reg.isError && <p role="status">{t.app.loading}</p>}
      {reg.data && (
        <>
          <p className="total" aria-live="polite">
            {t.steering.periodShown(date(reg.data.period.from), date(reg.data.period.to)).replace(/ \(.*\)$/, '')} — {r.total(reg.data.total)}
          </p>
          {reg.data.items.length === 0 ? (
            <p className="empty">{r.empty}</p>
          ) : (
            <div className="table-wrap">
              <table className="complaints register-table">
                <caption className="sr-only">{r.title}</caption>
                <thead>
                  <tr>
                    <th scope="col">{c.reference}</th>
                    <th scope="col">{c.complainant}</th>
                    <th scope="col">{c.sentOn}</th>
                    <th scope="col">{c.receivedOn}</th>
                    <th scope="col">{c.channel}</th>
                    <th scope="col">{c.nature}</th>
                    <th scope="col">{c.cause}</th>
                    <th scope="col">{c.product}</th>
                    <th scope="col">{c.contract}</th>
                    <th scope="col">{c.status}</th>
                    <th scope="col">{c.acknowledgedOn}</th>
                    <th scope="col">{c.answeredOn}</th>
                    <th scope="col">{c.outcome}</th>
                    <th scope="col">{c.measures}</th>
                  </tr>
                </thead>
                <tbody>
                  {reg.data.items.map((row) => (
                    <tr key={row.id}>
                      <th scope="row">
                        <Link to={`/reclamations/${row.id}`} className="ref">
                          {row.reference}
                        </Link>
                      </th>
                      <td>
                        <Link to={`/clients/${row.complainant.customerId}`}>{row.complainant.name}</Link>
                        <span className="small muted block">{row.complainant.typeLabel}</span>
                      </td>
                      <td>
                        {date(row.sentOn)}
                        {row.sentOnIsReceipt && <span className="small muted block">{r.sentOnIsReceipt}</span>}
                      </td>
                      <td>{date(row.receivedOn)}</td>
                      <td>{row.channelLabel}</td>
                      <td>{row.nature}</td>
                      <td>{row.causeLabel ?? t.app.none}</td>
                      <td>{row.productLabel ?? t.app.none}</td>
                      <td>{row.contractNumber ?? t.app.none}</td>
                      <td>{row.statusLabel}</td>
                      <td>{date(row.acknowledgedOn)}</td>
                      <td>{date(row.answeredOn)}</td>
                      <td>{row.outcomeLabel ?? t.app.none}</td>
                      <td>
                        {row.correctiveMeasures.length === 0
                          ? t.app.none
                          : row.correctiveMeasures.map((m) => (
                              <span key={m.actionId} className="block">
                                <Link to={`/actions?action=${m.actionId}`}>{m.title}</Link>
                              </span>
                            ))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <nav className="pager" aria-label={t.inbox.page(page)}>
            <button type="button" className="button secondary" disabled={page <= 1} onClick={() => update({ page: String(page - 1) })}>
              {t.inbox.previous}
            </button>
            <span>
              {t.inbox.page(page)} / {pages}
            </span>
            <button type="button" className="button secondary" disabled={page >= pages} onClick={() => update({ page: String(page + 1) })}>
              {t.inbox.next}
            </button>
          </nav>
        </>
      )}
    </div>
  );
}
