import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { ErrorMessage, errorText } from '../components/ErrorMessage.tsx';
import { useToast } from '../components/Toast.tsx';

export function useQuarantine() {
  return useQuery({ queryKey: keys.quarantine, queryFn: () => unwrap(api.GET('/api/inbound/quarantine', { params: { query: { limit: 100 } } })) });
}

/** Payloads that could not be processed: never dropped, shown with their reason, replayable by a manager. */
export function QuarantineList({ canReplay }: { canReplay: boolean }) {
  const { t, dateTime } = useI18n();
  const list = useQuarantine();
  const qc = useQueryClient();
  const toast = useToast();
  const tq = t.inbox.quarantine;

  const replay = async (id: string) => {
    try {
      await unwrap(api.POST('/api/inbound/{journalId}/replay', { params: { path: { journalId: id } } }));
      toast(tq.replayed);
    } catch (err) {
      toast(errorText(err, t.app.error), 'error');
    }
    await qc.invalidateQueries({ queryKey: keys.quarantine });
    await qc.invalidateQueries({ queryKey: keys.complaints });
  };

  if (list.isError) return <ErrorMessage error={list.error} onRetry={() => void list.refetch()} />;
  if (!list.data) return <p role="status">{t.app.loading}</p>;
  if (list.data.items.length === 0) return <p className="empty">{tq.empty}</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption className="sr-only">{tq.title}</caption>
        <thead>
          <tr>
            <th scope="col">{tq.receivedAt}</th>
            <th scope="col">{tq.channel}</th>
            <th scope="col">{tq.externalId}</th>
            <th scope="col">{tq.reason}</th>
            <th scope="col">{tq.attempts}</th>
            <th scope="col">
              <span className="sr-only">{tq.replay}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {list.data.items.map((item) => (
            <tr key={item.id}>
              <td>{dateTime(item.receivedAt)}</td>
              <td>{label(t.taxonomy.channel, item.channel)}</td>
              <td className="mono break">{item.externalId}</td>
              <td>{item.reason ?? t.app.none}</td>
              <td>{item.attempts}</td>
              <td>
                {canReplay ? (
                  <button type="button" className="button secondary" onClick={() => void replay(item.id)}>
                    {tq.replay}
                  </button>
                ) : (
                  <span className="muted small">{tq.managerOnly}</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.data.nextCursor && <p className="muted">{tq.more}</p>}
    </div>
  );
}
