import { useSearchParams } from 'react-router';
import { useSession } from '../api/queries.ts';
import { hasRole } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { ChannelsTab } from './ChannelsTab.tsx';
import { ProcessesTab } from './ProcessesTab.tsx';
import { TenantTab } from './TenantTab.tsx';
import { UsersTab } from './UsersTab.tsx';

const TABS = ['users', 'channels', 'processes', 'tenant'] as const;
type Tab = (typeof TABS)[number];

export function SettingsPage() {
  const { t } = useI18n();
  const user = useSession().data?.user;
  const [params, setParams] = useSearchParams();
  if (!hasRole(user, 'manager')) {
    return (
      <section className="panel">
        <h1>{t.settings.title}</h1>
        <p>{t.settings.adminOnly}</p>
      </section>
    );
  }
  const admin = hasRole(user, 'admin');
  const available = TABS.filter((x) => x !== 'channels' || admin);
  const requested = params.get('onglet') as Tab | null;
  const tab: Tab = requested && available.includes(requested) ? requested : 'users';
  const select = (x: Tab) => setParams({ onglet: x });
  return (
    <div className="settings">
      <h1>{t.settings.title}</h1>
      <div className="tabs" role="tablist" aria-label={t.settings.title}>
        {available.map((x, i) => (
          <button
            key={x}
            type="button"
            role="tab"
            id={`tab-${x}`}
            aria-selected={x === tab}
            aria-controls={`panel-${x}`}
            tabIndex={x === tab ? 0 : -1}
            onClick={() => select(x)}
            onKeyDown={(e) => {
              if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
                const next = available[(i + (e.key === 'ArrowRight' ? 1 : available.length - 1)) % available.length]!;
                select(next);
                document.getElementById(`tab-${next}`)?.focus();
              }
            }}
          >
            {t.settings.tabs[x]}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {tab === 'users' && <UsersTab />}
        {tab === 'channels' && <ChannelsTab />}
        {tab === 'processes' && <ProcessesTab canEdit={hasRole(user, 'manager')} />}
        {tab === 'tenant' && <TenantTab canEdit={admin} />}
      </div>
    </div>
  );
}
