import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import { keys, useUsers } from '../api/queries.ts';
import type { Process, ProcessPatch } from '../api/types.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { ErrorMessage, errorText, FormError } from '../components/ErrorMessage.tsx';
import { useToast } from '../components/Toast.tsx';

const TEMPLATE_KEYS = ['acknowledgement', 'holding', 'answer'] as const;

function ProcessForm({ process, onDone }: { process: Process; onDone: () => void }) {
  const { t } = useI18n();
  const tp = t.settings.processes;
  const qc = useQueryClient();
  const toast = useToast();
  const users = useUsers().data?.items.filter((u) => u.status === 'active') ?? [];
  const [name, setName] = useState(process.name);
  const [team, setTeam] = useState(process.team ?? '');
  const [target, setTarget] = useState(String(process.internalTargetDays));
  const [active, setActive] = useState(process.active);
  const [steps, setSteps] = useState(process.steps.map((s) => s.label).join('\n'));
  const [mode, setMode] = useState(process.assignment.mode);
  const [fixed, setFixed] = useState(process.assignment.mode === 'fixed' ? process.assignment.userId : '');
  const [rr, setRr] = useState<string[]>(process.assignment.mode === 'round_robin' ? process.assignment.userIds : []);
  const [notifyPriority, setNotifyPriority] = useState(process.escalation.notifyPriority ?? '');
  const [ackWithin, setAckWithin] = useState(String(process.escalation.ackWithinDays));
  const [answerWithin, setAnswerWithin] = useState(String(process.escalation.answerWithinDays));
  const [templates, setTemplates] = useState<Record<string, string>>({ ...process.templates });
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    const stepLabels = steps.split('\n').map((s) => s.trim()).filter(Boolean);
    const body: ProcessPatch = {
      name: name.trim(),
      team: team.trim() || null,
      internalTargetDays: Number(target),
      active,
      steps: stepLabels.map((l, i) => ({ key: process.steps.find((s) => s.label === l)?.key ?? `etape_${i + 1}`, label: l })),
      assignment: mode === 'fixed' ? { mode, userId: fixed } : mode === 'round_robin' ? { mode, userIds: rr } : { mode: 'none' },
      escalation: { notifyPriority: (notifyPriority || null) as 'haute' | 'urgente' | null, ackWithinDays: Number(ackWithin), answerWithinDays: Number(answerWithin) },
      templates: Object.fromEntries(TEMPLATE_KEYS.filter((k) => templates[k] !== process.templates[k]).map((k) => [k, templates[k]])),
    };
    try {
      await unwrap(api.PATCH('/api/processes/{processId}', { params: { path: { processId: process.id } }, body }));
      toast(tp.saved);
      await qc.invalidateQueries({ queryKey: keys.processes });
      onDone();
    } catch (err) {
      setError(errorText(err, t.app.error));
    }
  };

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby={`process-${process.id}`}>
      <h3 id={`process-${process.id}`}>
        {tp.edit} — {process.name}
      </h3>
      <div className="form-grid">
        <label className="field">
          <span>{tp.name}</span>
          <input value={name} required onChange={(e) => setName(e.target.value)} />
        </label>
        <label className="field">
          <span>{tp.team}</span>
          <input value={team} onChange={(e) => setTeam(e.target.value)} />
        </label>
        <label className="field">
          <span>{tp.targetDays}</span>
          <input type="number" min={1} max={60} value={target} onChange={(e) => setTarget(e.target.value)} />
        </label>
        <label className="field inline">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
          <span>{tp.active}</span>
        </label>
      </div>
      <label className="field">
        <span>{tp.steps}</span>
        <textarea rows={4} value={steps} onChange={(e) => setSteps(e.target.value)} />
      </label>
      <fieldset>
        <legend>{tp.assignment}</legend>
        <div className="form-grid">
          <label className="field">
            <span>{tp.assignment}</span>
            <select value={mode} onChange={(e) => setMode(e.target.value as typeof mode)}>
              {(['none', 'fixed', 'round_robin'] as const).map((m) => (
                <option key={m} value={m}>
                  {tp.assignmentModes[m]}
                </option>
              ))}
            </select>
          </label>
          {mode === 'fixed' && (
            <label className="field">
              <span>{t.actions.assignee}</span>
              <select value={fixed} required onChange={(e) => setFixed(e.target.value)}>
                <option value="">—</option>
                {users.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.name}
                  </option>
                ))}
              </select>
            </label>
          )}
        </div>
        {mode === 'round_robin' && (
          <div className="toggle-row">
            {users.map((u) => (
              <label key={u.id} className="field inline">
                <input type="checkbox" checked={rr.includes(u.id)} onChange={(e) => setRr((l) => (e.target.checked ? [...l, u.id] : l.filter((x) => x !== u.id)))} />
                <span>{u.name}</span>
              </label>
            ))}
          </div>
        )}
      </fieldset>
      <fieldset>
        <legend>{tp.escalation}</legend>
        <div className="form-grid">
          <label className="field">
            <span>{tp.notifyPriority}</span>
            <select value={notifyPriority} onChange={(e) => setNotifyPriority(e.target.value as typeof notifyPriority)}>
              <option value="">{tp.never}</option>
              <option value="haute">{t.taxonomy.priority.haute}</option>
              <option value="urgente">{t.taxonomy.priority.urgente}</option>
            </select>
          </label>
          <label className="field">
            <span>{tp.ackWithinDays}</span>
            <input type="number" min={0} max={10} value={ackWithin} onChange={(e) => setAckWithin(e.target.value)} />
          </label>
          <label className="field">
            <span>{tp.answerWithinDays}</span>
            <input type="number" min={0} max={30} value={answerWithin} onChange={(e) => setAnswerWithin(e.target.value)} />
          </label>
        </div>
      </fieldset>
      <fieldset>
        <legend>{tp.templates}</legend>
        <p className="small muted">{tp.templateHelp}</p>
        {TEMPLATE_KEYS.map((k) => (
          <label key={k} className="field">
            <span>{t.reply.templates[k]}</span>
            <textarea rows={6} value={templates[k] ?? ''} onChange={(e) => setTemplates((x) => ({ ...x, [k]: e.target.value }))} />
          </label>
        ))}
      </fieldset>
      <FormError text={error} />
      <div className="form-actions">
        <button type="submit" className="button primary">
          {t.app.save}
        </button>
        <button type="button" className="button secondary" onClick={onDone}>
          {t.app.cancel}
        </button>
      </div>
    </form>
  );
}

export function ProcessesTab({ canEdit }: { canEdit: boolean }) {
  const { t } = useI18n();
  const tp = t.settings.processes;
  const list = useQuery({ queryKey: keys.processes, queryFn: () => unwrap(api.GET('/api/processes')) });
  const [editing, setEditing] = useState<string | null>(null);
  if (list.isError) return <ErrorMessage error={list.error} />;
  return (
    <>
      <p className="muted">{tp.intro}</p>
      <div className="table-wrap">
        <table>
          <caption className="sr-only">{t.settings.tabs.processes}</caption>
          <thead>
            <tr>
              <th scope="col">{tp.name}</th>
              <th scope="col">{t.complaint.kind}</th>
              <th scope="col">{t.complaint.cause}</th>
              <th scope="col">{tp.team}</th>
              <th scope="col">{tp.targetDays}</th>
              <th scope="col">{tp.assignment}</th>
              <th scope="col">{tp.active}</th>
              <th scope="col">
                <span className="sr-only">{tp.edit}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.items ?? []).map((p) => (
              <tr key={p.id}>
                <th scope="row">{p.name}</th>
                <td>{label(t.taxonomy.kind, p.kind)}</td>
                <td>{label(t.taxonomy.cause, p.cause)}</td>
                <td>{p.team ?? t.app.none}</td>
                <td>{p.internalTargetDays}</td>
                <td>{tp.assignmentModes[p.assignment.mode]}</td>
                <td>{p.active ? t.app.yes : t.app.no}</td>
                <td>
                  {canEdit && (
                    <button type="button" className="button secondary" onClick={() => setEditing(p.id)}>
                      {tp.edit}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editing && list.data?.items.find((p) => p.id === editing) && (
        <ProcessForm key={editing} process={list.data.items.find((p) => p.id === editing)!} onDone={() => setEditing(null)} />
      )}
    </>
  );
}
