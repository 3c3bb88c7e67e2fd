import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { invalidateComplaint } from '../api/queries.ts';
import { useI18n } from '../i18n/index.tsx';
import { errorText } from '../components/ErrorMessage.tsx';
import { useToast } from '../components/Toast.tsx';

/** Runs one change to a complaint: says it worked (or the server's reason), then refreshes what it touched. */
export function useAction(complaintId: string) {
  const qc = useQueryClient();
  const toast = useToast();
  const { t } = useI18n();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<unknown>, done: string): Promise<boolean> => {
    setPending(true);
    setError(null);
    try {
      await fn();
      toast(done);
      return true;
    } catch (err) {
      setError(errorText(err, t.app.error));
      return false;
    } finally {
      setPending(false);
      await invalidateComplaint(qc, complaintId);
    }
  };
  return { run, pending, error };
}
