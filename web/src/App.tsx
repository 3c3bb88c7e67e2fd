import type { ReactNode } from 'react';
import { Navigate, Route, Routes, useLocation } from 'react-router';
import { useSession } from './api/queries.ts';
import { useI18n } from './i18n/index.tsx';
import { Layout } from './components/Layout.tsx';
import { ErrorMessage } from './components/ErrorMessage.tsx';
import { LoginPage } from './login/LoginPage.tsx';
import { InboxPage } from './inbox/InboxPage.tsx';
import { ComplaintPage } from './complaint/ComplaintPage.tsx';
import { CustomerPage } from './customer/CustomerPage.tsx';
import { SettingsPage } from './settings/SettingsPage.tsx';
import { DashboardPage } from './dashboard/DashboardPage.tsx';
import { RegisterPage } from './register/RegisterPage.tsx';
import { ActionsPage } from './actions/ActionsPage.tsx';
import { SignalsPage } from './signals/SignalsPage.tsx';
import { AuditPage } from './audit/AuditPage.tsx';
import { hasRole } from './api/types.ts';

function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  const { t } = useI18n();
  if (session.isPending) return <p className="page-loading" role="status">{t.app.loading}</p>;
  if (session.isError) return <ErrorMessage error={session.error} onRetry={() => void session.refetch()} />;
  if (!session.data) {
    const next = location.pathname + location.search;
    return <Navigate to={`/connexion${next && next !== '/' ? `?suite=${encodeURIComponent(next)}` : ''}`} replace />;
  }
  return <>{children}</>;
}

/** Steering pages: managers and admins (the API refuses the others anyway). */
function ManagerOnly({ children }: { children: ReactNode }) {
  const { t } = useI18n();
  const user = useSession().data?.user;
  if (!hasRole(user, 'manager')) {
    return (
      <section className="panel">
        <h1>{t.app.forbidden}</h1>
      </section>
    );
  }
  return <>{children}</>;
}

function NotFound() {
  const { t } = useI18n();
  return (
    <section className="panel">
      <h1>{t.app.notFound}</h1>
    </section>
  );
}

export function App() {
  return (
    <Routes>
      <Route path="/connexion" element={<LoginPage />} />
      <Route
        element={
          <RequireSession>
            <Layout />
          </RequireSession>
        }
      >
        <Route index element={<InboxPage />} />
        <Route path="reclamations/:id" element={<ComplaintPage />} />
        <Route path="clients/:id" element={<CustomerPage />} />
        <Route path="parametres" element={<SettingsPage />} />
        <Route path="pilotage" element={<ManagerOnly><DashboardPage /></ManagerOnly>} />
        <Route path="registre" element={<ManagerOnly><RegisterPage /></ManagerOnly>} />
        <Route path="actions" element={<ManagerOnly><ActionsPage /></ManagerOnly>} />
        <Route path="signaux" element={<ManagerOnly><SignalsPage /></ManagerOnly>} />
        <Route path="audit" element={<ManagerOnly><AuditPage /></ManagerOnly>} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}
