import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { ApiError } from '../api/client.ts';
import { useLogin, useSession } from '../api/queries.ts';
import { useI18n } from '../i18n/index.tsx';
import { FormError } from '../components/ErrorMessage.tsx';

export function LoginPage() {
  const { t, lang, setLang } = useI18n();
  const session = useSession();
  const login = useLogin();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const next = params.get('suite');
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/';

  if (session.data) return <Navigate to={target} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ email, password }, { onSuccess: () => void navigate(target, { replace: true }) });
  };

  let error: string | null = null;
  if (login.error) {
    const status = login.error instanceof ApiError ? login.error.status : 0;
    error = status === 423 ? t.login.locked : status === 429 ? t.login.tooMany : status === 401 || status === 400 ? t.login.invalid : t.app.error;
  }

  return (
    <main id="contenu" className="login">
      <form className="panel login-panel" onSubmit={submit} noValidate={false}>
        <p className="brand-name">{t.app.name}</p>
        <h1>{t.login.title}</h1>
        <p className="muted">{t.login.intro}</p>
        <FormError text={error} />
        <label className="field">
          <span>{t.login.email}</span>
          <input type="email" name="email" autoComplete="username" required autoFocus value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label className="field">
          <span>{t.login.password}</span>
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <button type="submit" className="button primary" disabled={login.isPending}>
          {login.isPending ? t.login.submitting : t.login.submit}
        </button>
        <button type="button" className="button link" lang={lang === 'fr' ? 'en' : 'fr'} onClick={() => setLang(lang === 'fr' ? 'en' : 'fr')}>
          {t.app.switchTo}
        </button>
      </form>
    </main>
  );
}
