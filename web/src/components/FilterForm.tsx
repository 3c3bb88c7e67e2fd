import { useEffect, useState, type FormEvent } from 'react';
import { useSearchParams } from 'react-router';
import { useI18n } from '../i18n/index.tsx';

/** One filter of a page, named by its parameter in the address. */
export type Filter =
  | { kind: 'date'; param: string; label: string }
  | { kind: 'text'; param: string; label: string; help?: string }
  | { kind: 'select'; param: string; label: string; any: string; options: readonly { value: string; label: string }[] }
  | { kind: 'checkbox'; param: string; label: string };

/** The parameters of the address, and a change to some of them (null removes one). */
export function useSearchUpdate(): [URLSearchParams, (changes: Record<string, string | null>) => void] {
  const [params, setParams] = useSearchParams();
  const update = (changes: Record<string, string | null>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next);
  };
  return [params, update];
}

/** The period filters (`du`, `au`) of the steering pages. */
export function periodFilters(s: { from: string; to: string }): Filter[] {
  return [
    { kind: 'date', param: 'du', label: s.from },
    { kind: 'date', param: 'au', label: s.to },
  ];
}

/**
 * The filter form of the steering pages (dashboard, register, actions, audit). The filters live in the
 * address (French parameter names), so that a view can be shared: the form shows them; Apply sets them all
 * (an empty one removed) and Reset removes them — or, with `applyOnChange`, each change applies at once and
 * there are no buttons. Any change also removes the parameters of `alsoClear` (the page of a list, an open
 * list), which belong to the filtered view.
 */
export function FilterForm({ label, filters, applyOnChange = false, alsoClear = [] }: { label: string; filters: readonly Filter[]; applyOnChange?: boolean; alsoClear?: readonly string[] }) {
  const { t } = useI18n();
  const [params, update] = useSearchUpdate();
  const fromAddress = () => Object.fromEntries(filters.map((f) => [f.param, params.get(f.param) ?? ''])) as Record<string, string>;
  const [v, setV] = useState(fromAddress);
  const signature = JSON.stringify(fromAddress());
  useEffect(() => setV(fromAddress()), [signature]);
  const apply = (changes: Record<string, string | null>) => update({ ...Object.fromEntries(alsoClear.map((p) => [p, null])), ...changes });
  const all = (value: (param: string) => string | null) => Object.fromEntries(filters.map((f) => [f.param, value(f.param)]));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!applyOnChange) apply(all((p) => v[p]!.trim() || null));
  };
  const set = (param: string, value: string) => {
    setV((o) => ({ ...o, [param]: value }));
    if (applyOnChange) apply({ [param]: value || null });
  };
  const helpId = (param: string) => `filter-${param}-help`;
  const field = (f: Filter) => {
    const value = v[f.param] ?? '';
    switch (f.kind) {
      case 'date':
        return <input type="date" name={f.param} value={value} onChange={(e) => set(f.param, e.target.value)} />;
      case 'text':
        return <input name={f.param} value={value} onChange={(e) => set(f.param, e.target.value)} aria-describedby={f.help ? helpId(f.param) : undefined} spellCheck={false} />;
      case 'select':
        return (
          <select name={f.param} value={value} onChange={(e) => set(f.param, e.target.value)}>
            <option value="">{f.any}</option>
            {f.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        );
      case 'checkbox':
        return <input type="checkbox" name={f.param} checked={value === '1'} onChange={(e) => set(f.param, e.target.checked ? '1' : '')} />;
    }
  };
  return (
    <form className="steering-filters panel" onSubmit={submit} aria-label={label}>
      <div className="form-grid">
        {filters.map((f) =>
          f.kind === 'checkbox' ? (
            <label key={f.param} className="field inline">
              {field(f)}
              <span>{f.label}</span>
            </label>
          ) : (
            <label key={f.param} className="field">
              <span>{f.label}</span>
              {field(f)}
            </label>
          ),
        )}
        {!applyOnChange && (
          <div className="form-actions">
            <button type="submit" className="button primary">
              {t.steering.apply}
            </button>
            <button type="button" className="button link" onClick={() => apply(all(() => null))}>
              {t.steering.reset}
            </button>
          </div>
        )}
      </div>
      {filters.map(
        (f) =>
          f.kind === 'text' &&
          f.help && (
            <p key={f.param} id={helpId(f.param)} className="small muted">
              {f.help}
            </p>
          ),
      )}
    </form>
  );
}
