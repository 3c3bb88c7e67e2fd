import { useEffect } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { keys } from '../api/queries.ts';

/** How long after our own read of a complaint its events are taken as the echo of that read. */
const ECHO_MS = 2500;
/** Lists, customer files and alerts are refreshed at most this often from live events. */
const LIST_THROTTLE_MS = 2000;

/**
 * Server-sent events from /api/stream: each `complaint` event marks that complaint and the lists stale,
 * so every open console shows a change made elsewhere (another agent, a new message) within a second.
 *
 * Reading a complaint is itself logged as an event (RGPD access log), and today that event is notified
 * like any other; refetching on it would loop. So an event about a complaint we are fetching, or fetched
 * less than ECHO_MS ago, is taken as the echo of our own read.
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
      }, LIST_THROTTLE_MS);
    };
    const onComplaint = (e: MessageEvent<string>) => {
      let complaintId: string | undefined;
      try {
        ({ complaintId } = JSON.parse(e.data) as { complaintId?: string });
      } catch {
        return;
      }
      if (!complaintId) return;
      const state = qc.getQueryState(keys.complaint(complaintId));
      const echo = state && (state.fetchStatus === 'fetching' || Date.now() - state.dataUpdatedAt < ECHO_MS);
      if (state && !echo) void qc.invalidateQueries({ queryKey: keys.complaint(complaintId) });
      if (!echo) refreshLists();
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
