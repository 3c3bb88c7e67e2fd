import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import type { Channel, ChannelInput } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorMessage, errorText, FormError } from '../components/ErrorMessage.tsx';
import { useToast } from '../components/Toast.tsx';

type Kind = Channel['kind'];
interface FieldSpec {
  key: string;
  type: 'text' | 'number' | 'checkbox' | 'secret';
  required?: boolean;
  placeholder?: string;
}

/** The form of each kind of channel; `a.b` paths go into the nested config; secrets are write-only. */
const FIELDS: Record<Kind, FieldSpec[]> = {
  email: [
    { key: 'address', type: 'text', required: true, placeholder: 'reclamations@cabinet.fr' },
    { key: 'imap.host', type: 'text', required: true },
    { key: 'imap.port', type: 'number' },
    { key: 'imap.tls', type: 'checkbox' },
    { key: 'imap.user', type: 'text', required: true },
    { key: 'imapPassword', type: 'secret' },
    { key: 'smtp.host', type: 'text', required: true },
    { key: 'smtp.port', type: 'number' },
    { key: 'smtp.secure', type: 'checkbox' },
    { key: 'smtp.user', type: 'text' },
    { key: 'smtpPassword', type: 'secret' },
    { key: 'smtp.fromName', type: 'text' },
    { key: 'autoRepliesPerHour', type: 'number' },
  ],
  twilio: [
    { key: 'number', type: 'text', required: true, placeholder: '+33 6 12 34 56 78' },
    { key: 'accountSid', type: 'text', required: true, placeholder: 'AC…' },
    { key: 'messagingServiceSid', type: 'text', placeholder: 'MG…' },
    { key: 'authToken', type: 'secret' },
    { key: 'autoRepliesPerHour', type: 'number' },
  ],
  slack: [
    { key: 'teamId', type: 'text', required: true, placeholder: 'T…' },
    { key: 'teamName', type: 'text' },
    { key: 'botToken', type: 'secret' },
    { key: 'signingSecret', type: 'secret' },
    { key: 'autoRepliesPerHour', type: 'number' },
  ],
};

const LABEL_KEYS: Record<string, string> = {
  'imap.host': 'imapHost',
  'imap.port': 'imapPort',
  'imap.tls': 'imapTls',
  'imap.user': 'imapUser',
  'smtp.host': 'smtpHost',
  'smtp.port': 'smtpPort',
  'smtp.secure': 'smtpSecure',
  'smtp.user': 'smtpUser',
  'smtp.fromName': 'fromName',
};

function read(config: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), config);
}

type Values = Record<string, string | boolean>;

function initialValues(kind: Kind, channel: Channel | null): Values {
  const v: Values = {};
  for (const f of FIELDS[kind]) {
    if (f.type === 'secret') v[f.key] = '';
    else {
      const x = channel ? read(channel.config, f.key) : undefined;
      v[f.key] = f.type === 'checkbox' ? (x === undefined ? f.key === 'imap.tls' : Boolean(x)) : x === undefined || x === null ? '' : String(x);
    }
  }
  return v;
}

function toInput(kind: Kind, name: string, enabled: boolean, values: Values): ChannelInput {
  const config: Record<string, unknown> = {};
  const secrets: Record<string, string> = {};
  for (const f of FIELDS[kind]) {
    const value = values[f.key];
    if (f.type === 'secret') {
      if (typeof value === 'string' && value !== '') secrets[f.key] = value;
      continue;
    }
    let out: unknown;
    if (f.type === 'checkbox') out = Boolean(value);
    else if (value === '' || value === undefined) out = f.required ? '' : undefined;
    else out = f.type === 'number' ? Number(value) : value;
    if (out === undefined) {
      if (f.key === 'messagingServiceSid' || f.key === 'smtp.user' || f.key === 'smtp.fromName' || f.key === 'teamName') out = null;
      else continue;
    }
    const parts = f.key.split('.');
    let target = config;
    for (const p of parts.slice(0, -1)) target = (target[p] ??= {}) as Record<string, unknown>;
    target[parts[parts.length - 1]!] = out;
  }
  return { kind, name, enabled, config, secrets } as ChannelInput;
}

function ChannelForm({ channel, onDone }: { channel: Channel | null; onDone: () => void }) {
  const { t } = useI18n();
  const tc = t.settings.channels;
  const qc = useQueryClient();
  const toast = useToast();
  const [kind, setKind] = useState<Kind>(channel?.kind ?? 'email');
  const [name, setName] = useState(channel?.name ?? '');
  const [enabled, setEnabled] = useState(channel?.enabled ?? true);
  const [values, setValues] = useState<Values>(() => initialValues(channel?.kind ?? 'email', channel));
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const changeKind = (k: Kind) => {
    setKind(k);
    setValues(initialValues(k, null));
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setPending(true);
    setError(null);
    const body = toInput(kind, name.trim(), enabled, values);
    try {
      if (channel) await unwrap(api.PUT('/api/channels/{channelId}', { params: { path: { channelId: channel.id } }, body }));
      else await unwrap(api.POST('/api/channels', { body }));
      toast(channel ? tc.updated : tc.created);
      // Secrets leave the page as soon as they are sent.
      if (channel) setValues((v) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, FIELDS[kind].find((f) => f.key === k)?.type === 'secret' ? '' : x])));
      else {
        setName('');
        setValues(initialValues(kind, null));
      }
      await qc.invalidateQueries({ queryKey: keys.channels });
      onDone();
    } catch (err) {
      setError(errorText(err, t.app.error));
    } finally {
      setPending(false);
    }
  };
  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby="channel-form-title" autoComplete="off">
      <h2 id="channel-form-title">{channel ? `${tc.edit} — ${channel.name}` : tc.add}</h2>
      <div className="form-grid">
        <label className="field">
          <span>{tc.kind}</span>
          <select name="kind" value={kind} disabled={!!channel} onChange={(e) => changeKind(e.target.value as Kind)}>
            {(['email', 'twilio', 'slack'] as const).map((k) => (
              <option key={k} value={k}>
                {tc.kinds[k]}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{tc.name}</span>
          <input name="name" required value={name} onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field inline">
          <input type="checkbox" name="enabled" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
          <span>{tc.enabled}</span>
        </label>
      </div>
      <fieldset>
        <legend>{tc.kinds[kind]}</legend>
        <div className="form-grid">
          {FIELDS[kind].map((f) => {
            const text = tc.fields[LABEL_KEYS[f.key] ?? f.key] ?? f.key;
            const isSet = channel?.secretsSet.includes(f.key);
            if (f.type === 'checkbox') {
              return (
                <label key={f.key} className="field inline">
                  <input type="checkbox" name={f.key} checked={Boolean(values[f.key])} onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.checked }))} />
                  <span>{text}</span>
                </label>
              );
            }
            return (
              <label key={f.key} className="field">
                <span>
                  {text}
                  {f.type === 'secret' && channel && <span className="secret-state"> ({isSet ? tc.secretSet : tc.secretNotSet})</span>}
                </span>
                <input
                  name={f.key}
                  type={f.type === 'secret' ? 'password' : f.type === 'number' ? 'number' : 'text'}
                  autoComplete={f.type === 'secret' ? 'new-password' : 'off'}
                  required={f.required ?? false}
                  placeholder={f.type === 'secret' && isSet ? tc.secretKeep : f.placeholder}
                  value={String(values[f.key] ?? '')}
                  onChange={(e) => setValues((v) => ({ ...v, [f.key]: e.target.value }))}
                />
              </label>
            );
          })}
        </div>
      </fieldset>
      <FormError text={error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={pending}>
          {t.app.save}
        </button>
        {channel && (
          <button type="button" className="button secondary" onClick={onDone}>
            {t.app.cancel}
          </button>
        )}
      </div>
    </form>
  );
}

export function ChannelsTab() {
  const { t } = useI18n();
  const tc = t.settings.channels;
  const qc = useQueryClient();
  const toast = useToast();
  const list = useQuery({ queryKey: keys.channels, queryFn: () => unwrap(api.GET('/api/channels')) });
  const [editing, setEditing] = useState<Channel | null>(null);
  const remove = async (c: Channel) => {
    if (!window.confirm(tc.removeConfirm(c.name))) return;
    try {
      await unwrap(api.DELETE('/api/channels/{channelId}', { params: { path: { channelId: c.id } } }));
      toast(tc.removed);
    } catch (err) {
      toast(errorText(err, t.app.error), 'error');
    }
    await qc.invalidateQueries({ queryKey: keys.channels });
  };
  return (
    <>
      <p className="muted">{tc.intro}</p>
      {list.isError && <ErrorMessage error={list.error} />}
      {list.data && list.data.items.length === 0 && <p className="empty">{tc.empty}</p>}
      {list.data && list.data.items.length > 0 && (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">{t.settings.tabs.channels}</caption>
            <thead>
              <tr>
                <th scope="col">{tc.name}</th>
                <th scope="col">{tc.kind}</th>
                <th scope="col">{tc.address}</th>
                <th scope="col">{tc.enabled}</th>
                <th scope="col">{tc.secrets}</th>
                <th scope="col">
                  <span className="sr-only">{tc.edit}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((c) => (
                <tr key={c.id}>
                  <th scope="row">{c.name}</th>
                  <td>{tc.kinds[c.kind]}</td>
                  <td className="break">{c.address}</td>
                  <td>{c.enabled ? t.app.yes : t.app.no}</td>
                  <td>
                    <ul className="plain small">
                      {FIELDS[c.kind]
                        .filter((f) => f.type === 'secret')
                        .map((f) => (
                          <li key={f.key}>
                            {tc.fields[f.key] ?? f.key} :{' '}
                            <span className={`tag ${c.secretsSet.includes(f.key) ? 'tag-ok' : 'tag-warn'}`}>{c.secretsSet.includes(f.key) ? tc.secretSet : tc.secretNotSet}</span>
                          </li>
                        ))}
                    </ul>
                  </td>
                  <td>
                    <span className="row-actions">
                      <button type="button" className="button secondary" onClick={() => setEditing(c)}>
                        {tc.edit}
                      </button>
                      <button type="button" className="button danger" onClick={() => void remove(c)}>
                        {tc.remove}
                      </button>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <ChannelForm key={editing?.id ?? 'new'} channel={editing} onDone={() => setEditing(null)} />
    </>
  );
}
