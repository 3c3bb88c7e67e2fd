import { useId, useImperativeHandle, useState, type FormEvent, type RefObject } from 'react';
import { api, unwrap } from '../api/client.ts';
import type { Complaint } from '../api/types.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { errorText } from '../components/ErrorMessage.tsx';
import { useAction } from './useAction.ts';

const CHANNELS = ['email', 'sms', 'slack'] as const;
const PURPOSES = ['reply', 'holding', 'answer'] as const;
const TEMPLATES = ['holding', 'answer', 'acknowledgement'] as const;
type OutChannel = (typeof CHANNELS)[number];
type Purpose = (typeof PURPOSES)[number];
type TemplateKey = (typeof TEMPLATES)[number];

/** Writing to the customer on their channel; templates filled by the server for this complaint. */
export interface ReplyControl {
  /** Fills the form with one of the process's templates, as the agent would with "Insérer le modèle". */
  applyTemplate(key: TemplateKey): void;
}

export function ReplyForm({ complaint, textareaRef, controlRef }: { complaint: Complaint; textareaRef: RefObject<HTMLTextAreaElement | null>; controlRef?: RefObject<ReplyControl | null> }) {
  const { t } = useI18n();
  const { run, pending, error } = useAction(complaint.id);
  const [channel, setChannel] = useState<OutChannel | ''>('');
  const [purpose, setPurpose] = useState<Purpose>('reply');
  const [outcome, setOutcome] = useState<'' | 'accepte' | 'partiel' | 'refuse'>('');
  const [template, setTemplate] = useState<TemplateKey>('holding');
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [reachable, setReachable] = useState<OutChannel[] | null>(null);
  const [previewError, setPreviewError] = useState<string | null>(null);
  const textId = useId();

  const insertTemplate = async (key: TemplateKey = template) => {
    setPreviewError(null);
    try {
      const p = await unwrap(
        api.GET('/api/complaints/{complaintId}/replies/preview', {
          params: { path: { complaintId: complaint.id }, query: { templateKey: key, ...(channel ? { channel } : {}) } },
        }),
      );
      setText(p.text);
      if (p.subject) setSubject(p.subject);
      setReachable(p.reachable);
      if (!channel) setChannel(p.channel);
      if (key === 'answer') setPurpose('answer');
      if (key === 'holding') setPurpose('holding');
    } catch (err) {
      setPreviewError(errorText(err, t.app.error));
    }
  };

  useImperativeHandle(controlRef, () => ({
    applyTemplate(key: TemplateKey) {
      setTemplate(key);
      void insertTemplate(key).then(() => {
        textareaRef.current?.focus();
        textareaRef.current?.scrollIntoView({ block: 'center' });
      });
    },
  }));

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    void run(
      () =>
        unwrap(
          api.POST('/api/complaints/{complaintId}/replies', {
            params: { path: { complaintId: complaint.id } },
            body: {
              text,
              purpose,
              ...(channel ? { channel } : {}),
              ...(subject.trim() && channel !== 'sms' ? { subject: subject.trim() } : {}),
              ...(purpose === 'answer' && outcome ? { outcome } : {}),
            },
          }),
        ),
      t.reply.sent,
    ).then((ok) => {
      if (ok) {
        setText('');
        setSubject('');
      }
    });
  };

  const channels = reachable ?? CHANNELS;
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="reply-title">
      <h2 id="reply-title">{t.reply.title}</h2>
      <div className="form-grid">
        <label className="field">
          <span>{t.reply.channel}</span>
          <select name="channel" value={channel} onChange={(e) => setChannel(e.target.value as OutChannel | '')}>
            <option value="">{t.reply.channelDefault}</option>
            {channels.map((c) => (
              <option key={c} value={c}>
                {label(t.taxonomy.channel, c)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t.reply.purpose}</span>
          <select name="purpose" value={purpose} onChange={(e) => setPurpose(e.target.value as Purpose)}>
            {PURPOSES.map((p) => (
              <option key={p} value={p}>
                {t.reply.purposes[p]}
              </option>
            ))}
          </select>
        </label>
        {purpose === 'answer' && (
          <label className="field">
            <span>{t.reply.outcome}</span>
            <select name="outcome" value={outcome} required onChange={(e) => setOutcome(e.target.value as typeof outcome)}>
              <option value="">—</option>
              {(['accepte', 'partiel', 'refuse'] as const).map((o) => (
                <option key={o} value={o}>
                  {t.taxonomy.outcome[o]}
                </option>
              ))}
            </select>
          </label>
        )}
        <label className="field">
          <span>{t.reply.template}</span>
          <select name="template" value={template} onChange={(e) => setTemplate(e.target.value as TemplateKey)}>
            {TEMPLATES.map((k) => (
              <option key={k} value={k}>
                {t.reply.templates[k]}
              </option>
            ))}
          </select>
        </label>
        <div>
          <button type="button" className="button secondary" onClick={() => void insertTemplate()}>
            {t.reply.useTemplate}
          </button>
        </div>
      </div>
      {previewError && (
        <p className="error" role="alert">
          {previewError}
        </p>
      )}
      {channel !== 'sms' && (
        <label className="field">
          <span>{t.reply.subject}</span>
          <input name="subject" value={subject} onChange={(e) => setSubject(e.target.value)} />
        </label>
      )}
      <div className="field">
        <label htmlFor={textId}>{t.reply.text}</label>
        <textarea id={textId} ref={textareaRef} name="reply" rows={6} value={text} onChange={(e) => setText(e.target.value)} />
      </div>
      {purpose === 'answer' && (outcome === 'partiel' || outcome === 'refuse') && <p className="flag flag-warn">{t.reply.mediatorHint}</p>}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={pending || !text.trim()}>
          {t.reply.send}
        </button>
      </div>
    </form>
  );
}
