import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { ErrorMessage } from '../components/ErrorMessage.tsx';

/** Recurring causes: volume rises and clusters of similar texts, each with its trend, examples and a way to act. */
export function SignalsPage() {
  const { t, date, number } = useI18n();
  const s = t.steering.signals;
  const list = useQuery({ queryKey: keys.signals, queryFn: () => unwrap(api.GET('/api/signals')) });
  return (
    <div className="steering signals">
      <div className="page-head">
        <h1>{s.title}</h1>
      </div>
      <p className="muted">{s.intro}</p>
      {list.isError && <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />}
      {!list.data && !list.isError && <p role="status">{t.app.loading}</p>}
      {list.data && list.data.items.length === 0 && <p className="empty">{s.empty}</p>}
      {list.data?.items.map((sig) => {
        const max = Math.max(1, ...sig.trend.map((w) => w.count));
        return (
          <article key={sig.id} className="panel signal" aria-labelledby={`signal-${sig.id}`}>
            <h2 id={`signal-${sig.id}`}>
              <span className="tag tag-warn">{label(s.kinds, sig.kind)}</span> {sig.label}
            </h2>
            <p>
              {s.week(date(sig.week))} — <strong>{s.count(sig.count)}</strong>
              {sig.baselineMean !== null && sig.threshold !== null && <span className="muted"> ({s.baseline(number(sig.baselineMean, 1), number(sig.threshold, 1))})</span>}
            </p>
            <div className="signal-body">
              <div className="table-wrap">
                <table className="figures trend">
                  <caption>{s.trend}</caption>
                  <thead>
                    <tr>
                      <th scope="col">{t.steering.dashboard.week}</th>
                      <th scope="col">{t.steering.dashboard.count}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {sig.trend.map((w) => (
                      <tr key={w.week}>
                        <th scope="row">{date(w.week)}</th>
                        <td>
                          <span className="bar" aria-hidden="true">
                            <span style={{ width: `${(100 * w.count) / max}%` }} />
                          </span>
                          {number(w.count)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
              <div>
                <h3>{s.examples}</h3>
                <ul className="plain">
                  {sig.examples.map((e) => (
                    <li key={e.complaintId}>
                      <Link to={`/reclamations/${e.complaintId}`}>{e.reference}</Link> — {e.subject}
                    </li>
                  ))}
                </ul>
                {sig.actions.length > 0 && (
                  <>
                    <h3>{s.actions}</h3>
                    <ul className="plain">
                      {sig.actions.map((a) => (
                        <li key={a.id}>
                          <Link to={`/actions?action=${a.id}`}>{a.title}</Link> <span className="small muted">({label(t.steering.actions.statuses, a.status)})</span>
                        </li>
                      ))}
                    </ul>
                  </>
                )}
                <p>
                  <Link className={`button ${sig.actions.length > 0 ? 'secondary' : 'primary'}`} to={`/actions?nouvelle=1&signal=${sig.id}`}>
                    {sig.actions.length > 0 ? s.createAnother : s.createAction}
                  </Link>
                </p>
              </div>
            </div>
          </article>
        );
      })}
    </div>
  );
}
