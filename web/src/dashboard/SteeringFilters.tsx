import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys, useUsers } from '../api/queries.ts';
import { CAUSES, CHANNELS, PRODUCTS } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { FilterForm, periodFilters, type Filter } from '../components/FilterForm.tsx';
import { PARAMS } from './filters.ts';

/** Period (and, for the dashboard, channel, cause, product, process, agent) of a steering page. */
export function SteeringFilters({ periodOnly = false, alsoClear }: { periodOnly?: boolean; alsoClear?: readonly string[] }) {
  const { t } = useI18n();
  const s = t.steering;
  const processes = useQuery({ queryKey: keys.processes, queryFn: () => unwrap(api.GET('/api/processes')), enabled: !periodOnly, staleTime: 60_000 });
  const users = useUsers();
  const select = (param: string, label: string, options: { value: string; label: string }[]): Filter => ({ kind: 'select', param, label, any: s.any, options });
  const filters: Filter[] = [
    ...periodFilters(s),
    ...(periodOnly
      ? []
      : [
          select(PARAMS.channel, s.channel, CHANNELS.map((c) => ({ value: c, label: t.taxonomy.channel[c] ?? c }))),
          select(PARAMS.cause, s.cause, CAUSES.map((c) => ({ value: c, label: t.taxonomy.cause[c] ?? c }))),
          select(PARAMS.product, s.product, PRODUCTS.map((c) => ({ value: c, label: t.taxonomy.product[c] ?? c }))),
          select(PARAMS.process, s.process, (processes.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))),
          select(PARAMS.agent, s.agent, (users.data?.items ?? []).map((u) => ({ value: u.id, label: u.name }))),
        ]),
  ];
  return <FilterForm label={periodOnly ? s.period : s.filters} filters={filters} alsoClear={alsoClear} />;
}
