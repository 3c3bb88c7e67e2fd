import type { DashboardQuery } from '../api/types.ts';
import { useSearchUpdate } from '../components/FilterForm.tsx';

/** The dashboard's question, kept in the address (French parameter names) so that a view can be shared. */
export const PARAMS = { from: 'du', to: 'au', channel: 'canal', cause: 'cause', product: 'produit', process: 'processus', agent: 'agent' } as const;
export type FilterKey = keyof typeof PARAMS;

export function useDashboardQuery(): [DashboardQuery, (changes: Record<string, string | null>) => void, URLSearchParams] {
  const [params, update] = useSearchUpdate();
  const query: DashboardQuery = {};
  for (const [k, p] of Object.entries(PARAMS) as [FilterKey, string][]) {
    const v = params.get(p);
    if (v) (query as Record<string, string>)[k] = v;
  }
  return [query, update, params];
}
