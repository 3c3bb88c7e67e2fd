import { useEffect, useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys, useUsers } from '../api/queries.ts';
import { CAUSES, CHANNELS, PRODUCTS, type DashboardQuery } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { PARAMS, type FilterKey } from './filters.ts';

/** Period (and, for the dashboard, channel, cause, product, process, agent) of a steering page. */
export function SteeringFilters({ query, onApply, periodOnly = false }: { query: DashboardQuery; onApply: (changes: Record<string, string | null>) => void; periodOnly?: boolean }) {
  const { t } = useI18n();
  const s = t.steering;
  const [v, setV] = useState<Record<FilterKey, string>>(() => values(query));
  useEffect(() => setV(values(query)), [JSON.stringify(query)]);
  const processes = useQuery({ queryKey: keys.processes, queryFn: () => unwrap(api.GET('/api/processes')), enabled: !periodOnly, staleTime: 60_000 });
  const users = useUsers();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const changes: Record<string, string | null> = {};
    for (const [k, p] of Object.entries(PARAMS) as [FilterKey, string][]) changes[p] = v[k] || null;
    onApply(changes);
  };
  const reset = () => onApply(Object.fromEntries(Object.values(PARAMS).map((p) => [p, null])));
  const set = (k: FilterKey) => (e: { target: { value: string } }) => setV((o) => ({ ...o, [k]: e.target.value }));
  const select = (k: FilterKey, title: string, options: { value: string; label: string }[]) => (
    <label className="field">
      <span>{title}</span>
      <select name={k} value={v[k]} onChange={set(k)}>
        <option value="">{s.any}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form className="steering-filters panel" onSubmit={submit} aria-label={periodOnly ? s.period : s.filters}>
      <div className="form-grid">
        <label className="field">
          <span>{s.from}</span>
          <input type="date" name="from" value={v.from} onChange={set('from')} />
        </label>
        <label className="field">
          <span>{s.to}</span>
          <input type="date" name="to" value={v.to} onChange={set('to')} />
        </label>
        {!periodOnly && (
          <>
            {select('channel', s.channel, CHANNELS.map((c) => ({ value: c, label: t.taxonomy.channel[c] ?? c })))}
            {select('cause', s.cause, CAUSES.map((c) => ({ value: c, label: t.taxonomy.cause[c] ?? c })))}
            {select('product', s.product, PRODUCTS.map((c) => ({ value: c, label: t.taxonomy.product[c] ?? c })))}
            {select('process', s.process, (processes.data?.items ?? []).map((p) => ({ value: p.id, label: p.name })))}
            {select('agent', s.agent, (users.data?.items ?? []).map((u) => ({ value: u.id, label: u.name })))}
          </>
        )}
        <div className="form-actions">
          <button type="submit" className="button primary">
            {s.apply}
          </button>
          <button type="button" className="button link" onClick={reset}>
            {s.reset}
          </button>
        </div>
      </div>
    </form>
  );
}

function values(q: DashboardQuery): Record<FilterKey, string> {
  return { from: q.from ?? '', to: q.to ?? '', channel: q.channel ?? '', cause: q.cause ?? '', product: q.product ?? '', process: q.process ?? '', agent: q.agent ?? '' };
}
