import { NavLink, Outlet, useNavigate } from 'react-router';
import { useLogout, useSession } from '../api/queries.ts';
import { hasRole } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { Notifications } from './Notifications.tsx';
import { LiveUpdates } from './LiveUpdates.tsx';

export function Layout() {
  const { t, lang, setLang } = useI18n();
  const session = useSession().data;
  const logout = useLogout();
  const navigate = useNavigate();
  const user = session?.user;
  return (
    <>
      <a className="skip-link" href="#contenu">
        {t.app.skipToContent}
      </a>
      <header className="topbar">
        <div className="brand">
          <span className="brand-name">{t.app.name}</span>
          <span className="brand-tenant">{session?.tenant.name}</span>
        </div>
        <nav aria-label={t.app.nav} className="mainnav">
          <NavLink to="/" end>
            {t.app.inbox}
          </NavLink>
          {hasRole(user, 'manager') && (
            <>
              <NavLink to="/pilotage">{t.app.dashboard}</NavLink>
              <NavLink to="/registre">{t.app.register}</NavLink>
              <NavLink to="/actions">{t.app.actions}</NavLink>
              <NavLink to="/signaux">{t.app.signals}</NavLink>
              <NavLink to="/audit">{t.app.audit}</NavLink>
              <NavLink to="/parametres">{t.app.settings}</NavLink>
            </>
          )}
        </nav>
        <div className="topbar-tools">
          <Notifications />
          <button type="button" className="button ghost" lang={lang === 'fr' ? 'en' : 'fr'} aria-label={t.app.switchToLabel} onClick={() => setLang(lang === 'fr' ? 'en' : 'fr')}>
            {t.app.switchTo}
          </button>
          {user && <span className="whoami">{t.app.signedInAs(user.name, t.taxonomy.role[user.role] ?? user.role)}</span>}
          <button
            type="button"
            className="button ghost"
            onClick={() => logout.mutate(undefined, { onSettled: () => void navigate('/connexion', { replace: true }) })}
          >
            {t.app.logout}
          </button>
        </div>
      </header>
      <LiveUpdates />
      <main id="contenu" tabIndex={-1}>
        <Outlet />
      </main>
    </>
  );
}
