import { useMemo, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys, useSession, useUsers } from '../api/queries.ts';
import { ROLES, hasRole, type Role, type User } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorMessage, errorText, FormError } from '../components/ErrorMessage.tsx';
import { useToast } from '../components/Toast.tsx';

/** Team names are compared as the server compares them: trimmed, case-insensitive. */
const teamKey = (name: string) => name.trim().toLocaleLowerCase('fr');

/**
 * An admin's editor for one user's teams: the teams the processes name (and those users already have) as
 * checkboxes, plus any other name. Saving replaces the user's list.
 */
function TeamsEditor({ user, known, onDone }: { user: User; known: string[]; onDone: (saved: boolean) => Promise<void> | void }) {
  const { t } = useI18n();
  const tu = t.settings.users;
  const [chosen, setChosen] = useState<string[]>(user.teams);
  const [other, setOther] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const options = useMemo(() => {
    const all = new Map<string, string>();
    for (const name of [...known, ...chosen]) if (!all.has(teamKey(name))) all.set(teamKey(name), name);
    return [...all.values()];
  }, [known, chosen]);
  const has = (name: string) => chosen.some((c) => teamKey(c) === teamKey(name));
  const toggle = (name: string, on: boolean) => setChosen((list) => (on ? [...list, name] : list.filter((c) => teamKey(c) !== teamKey(name))));
  const addOther = () => {
    const name = other.trim();
    if (!name) return;
    if (!has(name)) setChosen((list) => [...list, known.find((k) => teamKey(k) === teamKey(name)) ?? name]);
    setOther('');
  };
  const save = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaving(true);
    try {
      const pending = other.trim();
      const teams = pending && !has(pending) ? [...chosen, pending] : chosen;
      await unwrap(api.PATCH('/api/users/{userId}', { params: { path: { userId: user.id } }, body: { teams } }));
      await onDone(true);
    } catch (err) {
      setError(errorText(err, t.app.error));
    } finally {
      setSaving(false);
    }
  };
  const titleId = `teams-title-${user.id}`;
  return (
    <form className="panel teams-editor" onSubmit={(e) => void save(e)} aria-labelledby={titleId} style={{ marginTop: '1rem' }}>
      <h2 id={titleId}>{tu.teamsOf(user.name)}</h2>
      <p className="muted small">{tu.teamsHelp}</p>
      <fieldset>
        <legend>{tu.knownTeams}</legend>
        {options.length === 0 ? (
          <p className="muted small">{tu.noKnownTeams}</p>
        ) : (
          <ul className="checklist">
            {options.map((name) => (
              <li key={teamKey(name)}>
                <label>
                  <input type="checkbox" name="team" value={name} checked={has(name)} onChange={(e) => toggle(name, e.target.checked)} /> {name}
                </label>
              </li>
            ))}
          </ul>
        )}
      </fieldset>
      <div className="form-grid">
        <label className="field">
          <span>{tu.otherTeam}</span>
          <input
            name="otherTeam"
            list={`known-teams-${user.id}`}
            maxLength={100}
            value={other}
            onChange={(e) => setOther(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault();
                addOther();
              }
            }}
          />
          <datalist id={`known-teams-${user.id}`}>
            {known.map((name) => (
              <option key={teamKey(name)} value={name} />
            ))}
          </datalist>
        </label>
        <div>
          <button type="button" className="button secondary" onClick={addOther} disabled={!other.trim()}>
            {tu.addTeam}
          </button>
        </div>
      </div>
      <FormError text={error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={saving}>
          {tu.saveTeams}
        </button>
        <button type="button" className="button secondary" onClick={() => void onDone(false)}>
          {t.app.cancel}
        </button>
      </div>
    </form>
  );
}

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
  const [editingTeams, setEditingTeams] = useState<string | null>(null);
  // Known team names: those the processes give, then those users already have.
  const processes = useQuery({ queryKey: keys.processes, queryFn: () => unwrap(api.GET('/api/processes')), enabled: admin });
  const knownTeams = useMemo(() => {
    const all = new Map<string, string>();
    const names = [...(processes.data?.items ?? []).map((p) => p.team ?? ''), ...(users.data?.items ?? []).flatMap((u) => u.teams)];
    for (const name of names) if (name.trim() && !all.has(teamKey(name))) all.set(teamKey(name), name.trim());
    return [...all.values()].sort((a, b) => a.localeCompare(b, 'fr'));
  }, [processes.data, users.data]);

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
              <th scope="col">{tu.teams}</th>
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
                <td>
                  {u.teams.length > 0 ? u.teams.join(', ') : <span className="muted">{tu.noTeams}</span>}
                  {admin && (
                    <>
                      {' '}
                      <button
                        type="button"
                        className="button link"
                        aria-label={`${tu.editTeams} — ${u.name}`}
                        aria-expanded={editingTeams === u.id}
                        onClick={() => setEditingTeams(editingTeams === u.id ? null : u.id)}
                      >
                        {tu.editTeams}
                      </button>
                    </>
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
      {admin && editingTeams && users.data?.items.find((u) => u.id === editingTeams) && (
        <TeamsEditor
          key={editingTeams}
          user={users.data.items.find((u) => u.id === editingTeams)!}
          known={knownTeams}
          onDone={async (saved) => {
            const wasMe = editingTeams === me?.id;
            setEditingTeams(null);
            if (!saved) return;
            toast(t.app.saved);
            await refresh();
            // My own teams change my « Mon équipe » view.
            if (wasMe) await qc.invalidateQueries({ queryKey: keys.session });
            await qc.invalidateQueries({ queryKey: keys.complaints });
          }}
        />
      )}
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
          <FormError text={error} />
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
