import { useEffect, useId, useRef, useState } from 'react';
import { Link } from 'react-router';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys, useNotifications } from '../api/queries.ts';
import { useI18n } from '../i18n/index.tsx';

/** The bell: my alerts (priority, deadlines near or passed), unread first, with a link to each file. */
export function Notifications() {
  const { t, dateTime } = useI18n();
  const [open, setOpen] = useState(false);
  const list = useNotifications(true);
  const qc = useQueryClient();
  const panelId = useId();
  const wrap = useRef<HTMLDivElement>(null);
  const items = list.data?.items ?? [];
  const unread = items.filter((n) => !n.readAt).length;

  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (wrap.current && !wrap.current.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('mousedown', onDown);
      document.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const markRead = async (id: string) => {
    await unwrap(api.POST('/api/notifications/{notificationId}/read', { params: { path: { notificationId: id } } }));
    await qc.invalidateQueries({ queryKey: keys.notifications });
  };

  return (
    <div className="notifications" ref={wrap}>
      <button type="button" className="button ghost" aria-expanded={open} aria-controls={panelId} onClick={() => setOpen((o) => !o)}>
        {t.notifications.button(unread)}
      </button>
      {open && (
        <section id={panelId} className="popover" aria-label={t.notifications.title}>
          <h2>{t.notifications.title}</h2>
          {items.length === 0 ? (
            <p className="muted">{t.notifications.empty}</p>
          ) : (
            <ul className="plain">
              {items.map((n) => (
                <li key={n.id} className={n.readAt ? 'read' : 'unread'}>
                  {!n.readAt && <span className="tag tag-info">{t.notifications.unread}</span>} {n.message}
                  <div className="small muted">{dateTime(n.createdAt)}</div>
                  <div className="row-actions">
                    <Link to={`/reclamations/${n.complaintId}`} onClick={() => setOpen(false)}>
                      {t.notifications.open}
                    </Link>
                    {!n.readAt && (
                      <button type="button" className="button link" onClick={() => void markRead(n.id)}>
                        {t.notifications.markRead}
                      </button>
                    )}
                  </div>
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
