import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { keys } from '../api/queries.ts';

/** Lists, customer files, alerts and steering figures are refreshed at most this often from live events. */
const LIST_THROTTLE_MS = 1000;

/**
 * Server-sent events from /api/stream: one `complaint` event `{ complaintId, type }` per committed change to
 * a complaint of the tenant (a new message, a status change, a note…). Mere reads (complaint.viewed,
 * complaint.exported) are not sent, so refetching on every event cannot feed itself. Each event marks that
 * complaint stale at once and the lists within a second (several events in a burst cost one refetch).
 */
export function LiveUpdates() {
  const qc = useQueryClient();
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/stream', { withCredentials: true });
    let listTimer: ReturnType<typeof setTimeout> | null = null;
    const refreshLists = () => {
      if (listTimer) return;
      listTimer = setTimeout(() => {
        listTimer = null;
        void qc.invalidateQueries({ queryKey: keys.complaints });
        void qc.invalidateQueries({ queryKey: ['customer'] });
        void qc.invalidateQueries({ queryKey: keys.notifications });
        void qc.invalidateQueries({ queryKey: keys.mergeSuggestions });
        void qc.invalidateQueries({ queryKey: keys.steering });
      }, LIST_THROTTLE_MS);
    };
    const onComplaint = (e: MessageEvent<string>) => {
      let complaintId: string | undefined;
      try {
        ({ complaintId } = JSON.parse(e.data) as { complaintId?: string; type?: string });
      } catch {
        return;
      }
      if (complaintId) void qc.invalidateQueries({ queryKey: keys.complaint(complaintId) });
      refreshLists();
    };
    source.addEventListener('complaint', onComplaint as EventListener);
    return () => {
      if (listTimer) clearTimeout(listTimer);
      source.removeEventListener('complaint', onComplaint as EventListener);
      source.close();
    };
  }, [qc]);
  return null;
}
