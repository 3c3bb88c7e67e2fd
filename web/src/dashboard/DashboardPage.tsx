import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import type { Dashboard, DashboardMetric, DeadlineFigures } from '../api/types.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Chart, PALETTE } from './Chart.tsx';
import { DrillDown } from './DrillDown.tsx';
import { SteeringFilters } from './SteeringFilters.tsx';
import { useDashboardQuery } from './filters.ts';

const METRICS: readonly DashboardMetric[] = [
  'received', 'demandes', 'ack_met', 'ack_late', 'ack_overdue', 'ack_at_risk', 'ack_pending',
  'answer_met', 'answer_late', 'answer_overdue', 'answer_at_risk', 'answer_pending', 'answered', 'backlog', 'repeat',
];

/** A figure that opens the list of complaints behind it. */
function Figure({ n, metric, onOpen, active }: { n: number; metric: DashboardMetric; onOpen: (m: DashboardMetric) => void; active: boolean }) {
  const { t, number } = useI18n();
  const d = t.steering.dashboard;
  if (n === 0) return <span className="figure-zero">{number(0)}</span>;
  return (
    <button type="button" className="button link figure" aria-pressed={active} aria-label={d.showList(label(d.metric, metric), number(n))} onClick={() => onOpen(metric)}>
      {number(n)}
    </button>
  );
}

/** "See these complaints", for a figure written in a sentence. */
function ListButton({ n, metric, onOpen, active }: { n: number; metric: DashboardMetric; onOpen: (m: DashboardMetric) => void; active: boolean }) {
  const { t, number } = useI18n();
  const d = t.steering.dashboard;
  if (n === 0) return null;
  return (
    <button type="button" className="button secondary" aria-pressed={active} onClick={() => onOpen(metric)}>
      {d.seeList(number(n))}
    </button>
  );
}

const ROWS = [
  { key: 'met', ack: 'ack_met', answer: 'answer_met' },
  { key: 'late', ack: 'ack_late', answer: 'answer_late' },
  { key: 'lateStillOpen', ack: 'ack_overdue', answer: 'answer_overdue' },
  { key: 'atRisk', ack: 'ack_at_risk', answer: 'answer_at_risk' },
  { key: 'pending', ack: 'ack_pending', answer: 'answer_pending' },
] as const;

function value(f: DeadlineFigures, key: (typeof ROWS)[number]['key']): number {
  return key === 'atRisk' ? f.atRiskThisWeek : f[key];
}

function Deadlines({ data, open, active }: { data: Dashboard; open: (m: DashboardMetric) => void; active: string | null }) {
  const { t, number } = useI18n();
  const d = t.steering.dashboard;
  const { acknowledgement: ack, answer } = data.deadlines;
  const words: Record<(typeof ROWS)[number]['key'], string> = { met: d.met, late: d.late, lateStillOpen: d.lateStillOpen, atRisk: d.atRisk, pending: d.pending };
  const rate = (r: number | null) => (r === null ? t.app.none : `${number(r, 1)} %`);
  const series = [
    { label: d.met, data: [ack.met, answer.met], color: '#0f766e' },
    { label: d.late, data: [ack.late, answer.late], color: '#b91c1c' },
    { label: d.atRisk, data: [ack.atRiskThisWeek, answer.atRiskThisWeek], color: '#d97706' },
    { label: d.pending, data: [ack.pending, answer.pending], color: '#6b7280' },
  ];
  return (
    <section className="panel" aria-labelledby="deadlines-title">
      <h2 id="deadlines-title">{d.deadlines}</h2>
      <p className="small muted">{d.deadlinesHelp}</p>
      <div className="dash-split">
        <div className="table-wrap">
          <table className="figures">
            <caption className="sr-only">{d.deadlines}</caption>
            <thead>
              <tr>
                <th scope="col">{d.figure}</th>
                <th scope="col">{d.ack}</th>
                <th scope="col">{d.answer}</th>
              </tr>
            </thead>
            <tbody>
              {ROWS.map((r) => (
                <tr key={r.key} className={`row-${r.key}`}>
                  <th scope="row">{words[r.key]}</th>
                  <td>
                    <Figure n={value(ack, r.key)} metric={r.ack} onOpen={open} active={active === r.ack} />
                  </td>
                  <td>
                    <Figure n={value(answer, r.key)} metric={r.answer} onOpen={open} active={active === r.answer} />
                  </td>
                </tr>
              ))}
              <tr>
                <th scope="row">{d.compliance}</th>
                <td>{rate(ack.complianceRate)}</td>
                <td>{rate(answer.complianceRate)}</td>
              </tr>
            </tbody>
          </table>
        </div>
        <Chart
          kind="bar"
          horizontal
          stacked
          height={180}
          title={d.deadlines}
          labels={[d.ack, d.answer]}
          series={series}
        />
      </div>
    </section>
  );
}

export function DashboardPage() {
  const { t, number, date } = useI18n();
  const d = t.steering.dashboard;
  const [query, update, params] = useDashboardQuery();
  const listParam = params.get('liste');
  const metric = METRICS.includes(listParam as DashboardMetric) ? (listParam as DashboardMetric) : null;
  const page = Math.max(1, Number(params.get('page') ?? '1') || 1);
  const dash = useQuery({ queryKey: keys.dashboard(query), queryFn: () => unwrap(api.GET('/api/dashboard', { params: { query } })), placeholderData: (p) => p });
  const open = (m: DashboardMetric) => update({ liste: m, page: null });

  return (
    <div className="steering dashboard">
      <div className="page-head">
        <h1>{d.title}</h1>
      </div>
      <p className="muted">{d.intro}</p>
      <SteeringFilters alsoClear={['liste', 'page']} />
      {dash.isError && <ErrorMessage error={dash.error} onRetry={() => void dash.refetch()} />}
      {!dash.data && !dash.isError && <p role="status">{t.app.loading}</p>}
      {dash.data && (
        <>
          <p className="small muted">
            {t.steering.periodShown(date(dash.data.period.from), date(dash.data.period.to))} — {dash.data.source === 'rollup' ? t.steering.sourceRollup : t.steering.sourceFacts}
          </p>
          {metric && <DrillDown metric={metric} query={query} page={page} onPage={(p) => update({ page: String(p) })} onClose={() => update({ liste: null, page: null })} />}
          <Deadlines data={dash.data} open={open} active={metric} />
          <div className="dash-grid">
            <Volumes data={dash.data} open={open} active={metric} />
            <section className="panel" aria-labelledby="handling-title">
              <h2 id="handling-title">{d.handling}</h2>
              <dl className="facts stats">
                <div>
                  <dt>{d.answered}</dt>
                  <dd>
                    <Figure n={dash.data.handling.answered} metric="answered" onOpen={open} active={metric === 'answered'} />
                  </dd>
                </div>
                <div>
                  <dt>{d.average}</dt>
                  <dd>{dash.data.handling.averageDays === null ? t.app.none : d.days(number(dash.data.handling.averageDays, 1))}</dd>
                </div>
                <div>
                  <dt>{d.p90}</dt>
                  <dd>{dash.data.handling.p90Days === null ? t.app.none : d.days(number(dash.data.handling.p90Days, 1))}</dd>
                </div>
              </dl>
              <h2 id="mix-title">{d.mix}</h2>
              <p>
                {`${number(dash.data.share.reclamations)} ${d.reclamations.toLowerCase()} · ${number(dash.data.share.demandes)} ${d.demandes.toLowerCase()}`}
                {dash.data.share.reclamationRate !== null && <> — {d.mixRate(number(dash.data.share.reclamationRate, 1))}</>}
              </p>
            </section>
            <Backlog data={dash.data} open={open} active={metric} />
            <Outcomes data={dash.data} />
            <Repeat data={dash.data} open={open} active={metric} />
          </div>
        </>
      )}
    </div>
  );
}

function Volumes({ data, open, active }: { data: Dashboard; open: (m: DashboardMetric) => void; active: string | null }) {
  const { t, number, date } = useI18n();
  const d = t.steering.dashboard;
  const weeks = data.volumes.map((w) => `${w.isoWeek.replace(/^\d{4}-W/, 'S')} (${date(w.week)})`);
  const totalR = data.volumes.reduce((n, w) => n + w.reclamations, 0);
  const totalD = data.volumes.reduce((n, w) => n + w.demandes, 0);
  return (
    <section className="panel wide" aria-labelledby="volumes-title">
      <h2 id="volumes-title">{d.volumes}</h2>
      <Chart
        kind="bar"
        stacked
        title={d.volumes}
        labels={data.volumes.map((w) => w.isoWeek.replace(/^\d{4}-W/, 'S'))}
        series={[
          { label: d.reclamations, data: data.volumes.map((w) => w.reclamations), color: PALETTE[0] },
          { label: d.demandes, data: data.volumes.map((w) => w.demandes), color: PALETTE[1] },
        ]}
        table={
          <div className="table-wrap">
            <table className="figures">
              <caption className="sr-only">{d.volumes}</caption>
              <thead>
                <tr>
                  <th scope="col">{d.week}</th>
                  <th scope="col">{d.reclamations}</th>
                  <th scope="col">{d.demandes}</th>
                </tr>
              </thead>
              <tbody>
                {data.volumes.map((w, i) => (
                  <tr key={w.week}>
                    <th scope="row">{weeks[i]}</th>
                    <td>{number(w.reclamations)}</td>
                    <td>{number(w.demandes)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot>
                <tr>
                  <th scope="row">{d.total}</th>
                  <td>
                    <Figure n={totalR} metric="received" onOpen={open} active={active === 'received'} />
                  </td>
                  <td>
                    <Figure n={totalD} metric="demandes" onOpen={open} active={active === 'demandes'} />
                  </td>
                </tr>
              </tfoot>
            </table>
          </div>
        }
      />
    </section>
  );
}

function Backlog({ data, open, active }: { data: Dashboard; open: (m: DashboardMetric) => void; active: string | null }) {
  const { t, number } = useI18n();
  const d = t.steering.dashboard;
  const b = data.backlog;
  return (
    <section className="panel" aria-labelledby="backlog-title">
      <h2 id="backlog-title">{d.backlog}</h2>
      <p className="row-actions">
        <span>{d.backlogTotal(b.total)}</span>
        <ListButton n={b.total} metric="backlog" onOpen={open} active={active === 'backlog'} />
      </p>
      {b.byProcess.length === 0 ? (
        <p className="muted">{d.none}</p>
      ) : (
        <Chart
          kind="bar"
          stacked
          horizontal
          height={Math.max(140, 48 * b.byProcess.length + 60)}
          title={d.backlog}
          labels={b.byProcess.map((p) => (p.processName.length > 22 ? `${p.processName.slice(0, 21)}…` : p.processName))}
          series={b.statuses.map((s) => ({ label: s.label, data: b.byProcess.map((p) => p.byStatus[s.status] ?? 0) }))}
          table={
            <div className="table-wrap">
              <table className="figures">
                <caption className="sr-only">{d.backlog}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t.steering.process}</th>
                    {b.statuses.map((s) => (
                      <th scope="col" key={s.status}>
                        {s.label}
                      </th>
                    ))}
                    <th scope="col">{d.total}</th>
                  </tr>
                </thead>
                <tbody>
                  {b.byProcess.map((p) => (
                    <tr key={p.processId ?? 'none'}>
                      <th scope="row">{p.processName}</th>
                      {b.statuses.map((s) => (
                        <td key={s.status}>{number(p.byStatus[s.status] ?? 0)}</td>
                      ))}
                      <td>{number(p.total)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          }
        />
      )}
    </section>
  );
}

function Outcomes({ data }: { data: Dashboard }) {
  const { t, number } = useI18n();
  const d = t.steering.dashboard;
  const o = data.outcomes;
  return (
    <section className="panel" aria-labelledby="outcomes-title">
      <h2 id="outcomes-title">{d.outcomes}</h2>
      {o.total === 0 ? (
        <p className="muted">{d.none}</p>
      ) : (
        <Chart
          kind="doughnut"
          height={220}
          title={d.outcomes}
          labels={o.items.map((i) => i.label)}
          series={[{ label: d.outcomes, data: o.items.map((i) => i.count) }]}
          table={
            <div className="table-wrap">
              <table className="figures">
                <caption className="sr-only">{d.outcomes}</caption>
                <thead>
                  <tr>
                    <th scope="col">{d.outcome}</th>
                    <th scope="col">{d.count}</th>
                    <th scope="col">{d.share}</th>
                  </tr>
                </thead>
                <tbody>
                  {o.items.map((i) => (
                    <tr key={i.outcome}>
                      <th scope="row">{i.label}</th>
                      <td>{number(i.count)}</td>
                      <td>{`${number((100 * i.count) / o.total, 1)} %`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          }
        />
      )}
    </section>
  );
}

function Repeat({ data, open, active }: { data: Dashboard; open: (m: DashboardMetric) => void; active: string | null }) {
  const { t, number } = useI18n();
  const d = t.steering.dashboard;
  const r = data.repeatComplainants;
  return (
    <section className="panel" aria-labelledby="repeat-title">
      <h2 id="repeat-title">{d.repeat}</h2>
      <p className="row-actions">
        <span>{d.repeatSummary(r.customers, r.complaints)}</span>
        <ListButton n={r.complaints} metric="repeat" onOpen={open} active={active === 'repeat'} />
      </p>
      {r.top.length > 0 && (
        <div className="table-wrap">
          <table className="figures">
            <caption className="sr-only">{d.repeat}</caption>
            <thead>
              <tr>
                <th scope="col">{d.customer}</th>
                <th scope="col">{d.count}</th>
              </tr>
            </thead>
            <tbody>
              {r.top.map((c) => (
                <tr key={c.customerId}>
                  <th scope="row">
                    <Link to={`/clients/${c.customerId}`}>{c.name}</Link>
                  </th>
                  <td>{number(c.count)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
