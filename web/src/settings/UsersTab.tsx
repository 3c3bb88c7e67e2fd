import { useState, type FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys, useSession, useUsers } from '../api/queries.ts';
import { ROLES, hasRole, type Role, type User } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorMessage, errorText } from '../components/ErrorMessage.tsx';
import { useToast } from '../components/Toast.tsx';

export function UsersTab() {
  const { t, dateTime } = useI18n();
  const tu = t.settings.users;
  const users = useUsers();
  const me = useSession().data?.user;
  const admin = hasRole(me, 'admin');
  const qc = useQueryClient();
  const toast = useToast();
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [invitation, setInvitation] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refresh = () => qc.invalidateQueries({ queryKey: keys.users });
  const act = async (fn: () => Promise<unknown>) => {
    try {
      await fn();
      toast(t.app.saved);
    } catch (err) {
      toast(errorText(err, t.app.error), 'error');
    }
    await refresh();
  };
  const invite = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      const r = await unwrap(api.POST('/api/users', { body: { email, name, role } }));
      setInvitation(r.invitationUrl);
      setEmail('');
      setName('');
      await refresh();
    } catch (err) {
      setError(errorText(err, t.app.error));
    }
  };
  const setActive = (u: User, active: boolean) =>
    act(() => unwrap(active ? api.POST('/api/users/{userId}/reactivate', { params: { path: { userId: u.id } } }) : api.POST('/api/users/{userId}/deactivate', { params: { path: { userId: u.id } } })));

  if (users.isError) return <ErrorMessage error={users.error} />;
  return (
    <>
      <div className="table-wrap">
        <table>
          <caption className="sr-only">{t.settings.tabs.users}</caption>
          <thead>
            <tr>
              <th scope="col">{tu.name}</th>
              <th scope="col">{tu.email}</th>
              <th scope="col">{tu.role}</th>
              <th scope="col">{tu.status}</th>
              <th scope="col">{tu.lastLogin}</th>
              <th scope="col">
                <span className="sr-only">{tu.status}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(users.data?.items ?? []).map((u) => (
              <tr key={u.id}>
                <th scope="row">{u.name}</th>
                <td className="break">{u.email}</td>
                <td>
                  {admin && u.id !== me?.id ? (
                    <select
                      aria-label={`${tu.role} — ${u.name}`}
                      value={u.role}
                      onChange={(e) => void act(() => unwrap(api.PATCH('/api/users/{userId}', { params: { path: { userId: u.id } }, body: { role: e.target.value as Role } })))}
                    >
                      {ROLES.map((r) => (
                        <option key={r} value={r}>
                          {t.taxonomy.role[r]}
                        </option>
                      ))}
                    </select>
                  ) : (
                    t.taxonomy.role[u.role]
                  )}
                </td>
                <td>{tu.statuses[u.status] ?? u.status}</td>
                <td>{u.lastLoginAt ? dateTime(u.lastLoginAt) : tu.never}</td>
                <td>
                  {admin && u.id !== me?.id && u.status !== 'invited' && (
                    <button type="button" className="button secondary" onClick={() => void setActive(u, u.status === 'deactivated')}>
                      {u.status === 'deactivated' ? tu.reactivate : tu.deactivate}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {admin && (
        <form className="panel" onSubmit={(e) => void invite(e)} aria-labelledby="invite-title" style={{ marginTop: '1rem' }}>
          <h2 id="invite-title">{tu.invite}</h2>
          <div className="form-grid">
            <label className="field">
              <span>{tu.name}</span>
              <input name="name" required value={name} onChange={(e) => setName(e.target.value)} />
            </label>
            <label className="field">
              <span>{tu.email}</span>
              <input name="email" type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
            </label>
            <label className="field">
              <span>{tu.role}</span>
              <select name="role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
                {ROLES.map((r) => (
                  <option key={r} value={r}>
                    {t.taxonomy.role[r]}
                  </option>
                ))}
              </select>
            </label>
          </div>
          {error && (
            <p className="error" role="alert">
              {error}
            </p>
          )}
          <div className="form-actions">
            <button type="submit" className="button primary">
              {tu.inviteSubmit}
            </button>
          </div>
          {invitation && (
            <div role="status">
              <p>{tu.invited}</p>
              <div className="link-box">
                <input readOnly value={invitation} aria-label={tu.invited} onFocus={(e) => e.target.select()} />
              </div>
            </div>
          )}
        </form>
      )}
    </>
  );
}
