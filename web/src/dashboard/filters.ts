import { useSearchParams } from 'react-router';
import type { DashboardQuery } from '../api/types.ts';

/** The dashboard's question, kept in the address (French parameter names) so that a view can be shared. */
export const PARAMS = { from: 'du', to: 'au', channel: 'canal', cause: 'cause', product: 'produit', process: 'processus', agent: 'agent' } as const;
export type FilterKey = keyof typeof PARAMS;

export function useDashboardQuery(): [DashboardQuery, (changes: Record<string, string | null>) => void, URLSearchParams] {
  const [params, setParams] = useSearchParams();
  const query: DashboardQuery = {};
  for (const [k, p] of Object.entries(PARAMS) as [FilterKey, string][]) {
    const v = params.get(p);
    if (v) (query as Record<string, string>)[k] = v;
  }
  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };
  return [query, update, params];
}
