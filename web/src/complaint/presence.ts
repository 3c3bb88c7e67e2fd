import { useEffect, useState } from 'react';
import { api } from '../api/client.ts';

export interface Viewer {
  userId: string;
  name: string;
  since: string;
}

/**
 * Tells the server this file is open (every 20 s) and returns who else has it open. Starts once the file has
 * loaded (`enabled`): nothing is announced for a complaint the agent cannot open.
 */
export function usePresence(complaintId: string, enabled = true): Viewer[] {
  const [viewers, setViewers] = useState<Viewer[]>([]);
  useEffect(() => {
    if (!enabled) return;
    let stopped = false;
    const beat = async () => {
      try {
        const { data } = await api.POST('/api/complaints/{complaintId}/presence', { params: { path: { complaintId } } });
        if (!stopped && data) setViewers(data.viewers);
      } catch {
        // presence is a courtesy: never an error on screen
      }
    };
    void beat();
    const timer = setInterval(() => void beat(), 20_000);
    return () => {
      stopped = true;
      clearInterval(timer);
      void api.DELETE('/api/complaints/{complaintId}/presence', { params: { path: { complaintId } } }).catch(() => {});
    };
  }, [complaintId, enabled]);
  return viewers;
}
