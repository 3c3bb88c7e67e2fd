import { useEffect, useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys } from '../api/queries.ts';
import type { TenantSettings } from '../api/types.ts';
import { useI18n } from '../i18n/index.tsx';
import { ErrorMessage, errorText, FormError } from '../components/ErrorMessage.tsx';
import { useToast } from '../components/Toast.tsx';

const ZONES = ['metropole', 'alsace-moselle', 'guadeloupe', 'martinique', 'guyane', 'reunion', 'mayotte'] as const;

export function TenantTab({ canEdit }: { canEdit: boolean }) {
  const { t } = useI18n();
  const ts = t.settings.tenant;
  const qc = useQueryClient();
  const toast = useToast();
  const settings = useQuery({ queryKey: keys.settings, queryFn: () => unwrap(api.GET('/api/settings')) });
  const [v, setV] = useState<TenantSettings | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (settings.data) setV(settings.data);
  }, [settings.data]);
  if (settings.isError) return <ErrorMessage error={settings.error} />;
  if (!v) return <p role="status">{t.app.loading}</p>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    try {
      await unwrap(api.PATCH('/api/settings', { body: { zone: v.zone, intake: v.intake, qualification: v.qualification } }));
      toast(ts.saved);
      await qc.invalidateQueries({ queryKey: keys.settings });
      await qc.invalidateQueries({ queryKey: keys.complaints });
    } catch (err) {
      setError(errorText(err, t.app.error));
    }
  };
  const num = (group: 'intake' | 'qualification', key: string, step: string) => (
    <label className="field">
      <span>{(ts as Record<string, unknown>)[key] as string}</span>
      <input
        type="number"
        step={step}
        name={key}
        disabled={!canEdit}
        value={String((v[group] as Record<string, number>)[key] ?? '')}
        onChange={(e) => setV({ ...v, [group]: { ...v[group], [key]: Number(e.target.value) } })}
      />
    </label>
  );
  return (
    <form className="panel" onSubmit={(e) => void submit(e)}>
      <p className="muted">{canEdit ? ts.intro : ts.readOnly}</p>
      <div className="form-grid">
        <label className="field">
          <span>{ts.zone}</span>
          <select name="zone" value={v.zone} disabled={!canEdit} onChange={(e) => setV({ ...v, zone: e.target.value as TenantSettings['zone'] })}>
            {ZONES.map((z) => (
              <option key={z} value={z}>
                {ts.zones[z]}
              </option>
            ))}
          </select>
        </label>
        {num('intake', 'duplicateWindowDays', '1')}
        {num('intake', 'duplicateThreshold', '0.05')}
        {num('intake', 'conversationWindowDays', '1')}
        {num('qualification', 'triageBelow', '0.05')}
      </div>
      <FormError text={error} />
      {canEdit && (
        <div className="form-actions">
          <button type="submit" className="button primary">
            {t.app.save}
          </button>
        </div>
      )}
    </form>
  );
}
