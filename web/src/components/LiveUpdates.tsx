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
 * like any other (the stream does not say which kind of event it was); refetching on it would loop. So an
 * event about a complaint we are fetching, or fetched less than ECHO_MS ago, may be the echo of our own
 * read: instead of refetching at once we refetch once when the window ends (a real change that landed in
 * the window is not lost), and the echo of that catch-up read is ignored. Each change then costs at most
 * two reads per open console, and two consoles on the same file never ping-pong.
 */
export function LiveUpdates() {
  const qc = useQueryClient();
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource('/api/stream', { withCredentials: true });
    let listTimer: ReturnType<typeof setTimeout> | null = null;
    const catchUp = new Map<string, ReturnType<typeof setTimeout>>();
    /** dataUpdatedAt of the last catch-up read per complaint: its echo schedules nothing. */
    const catchUpStamp = new Map<string, number>();
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
      const id = complaintId;
      const key = keys.complaint(id);
      const state = qc.getQueryState(key);
      if (!state) {
        refreshLists();
        return;
      }
      const age = Date.now() - state.dataUpdatedAt;
      const echo = state.fetchStatus === 'fetching' || age < ECHO_MS;
      if (!echo) {
        void qc.invalidateQueries({ queryKey: key });
        refreshLists();
        return;
      }
      if (catchUpStamp.get(id) === state.dataUpdatedAt || catchUp.has(id)) return;
      catchUp.set(
        id,
        setTimeout(
          () => {
            catchUp.delete(id);
            void qc.invalidateQueries({ queryKey: key }).then(() => {
              const after = qc.getQueryState(key);
              if (after) catchUpStamp.set(id, after.dataUpdatedAt);
            });
            refreshLists();
          },
          Math.max(0, ECHO_MS - age) + 50,
        ),
      );
    };
    source.addEventListener('complaint', onComplaint as EventListener);
    return () => {
      if (listTimer) clearTimeout(listTimer);
      for (const timer of catchUp.values()) clearTimeout(timer);
      source.removeEventListener('complaint', onComplaint as EventListener);
      source.close();
    };
  }, [qc]);
  return null;
}
