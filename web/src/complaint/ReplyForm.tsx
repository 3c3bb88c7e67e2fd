import { useId, useImperativeHandle, useMemo, useState, type FormEvent, type RefObject } from 'react';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../api/client.ts';
import type { Attachment, Complaint } from '../api/types.ts';
import { label, useI18n } from '../i18n/index.tsx';
import { errorText, FormError } from '../components/ErrorMessage.tsx';
import { useAction } from './useAction.ts';
import { countSms } from './sms.ts';

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

export function ReplyForm({
  complaint,
  attachments = [],
  textareaRef,
  controlRef,
}: {
  complaint: Complaint;
  attachments?: Attachment[];
  textareaRef: RefObject<HTMLTextAreaElement | null>;
  controlRef?: RefObject<ReplyControl | null>;
}) {
  const { t } = useI18n();
  const { run, pending, error } = useAction(complaint.id);
  const [channel, setChannel] = useState<OutChannel | ''>('');
  const [purpose, setPurpose] = useState<Purpose>('reply');
  const [outcome, setOutcome] = useState<'' | 'accepte' | 'partiel' | 'refuse'>('');
  const [template, setTemplate] = useState<TemplateKey>('holding');
  const [subject, setSubject] = useState('');
  const [text, setText] = useState('');
  const [previewError, setPreviewError] = useState<string | null>(null);
  const [attachmentIds, setAttachmentIds] = useState<string[]>([]);
  const textId = useId();
  const counterId = useId();
  // Where a message would go: the customer's last channel and every channel they can be reached on.
  const targets = useQuery({
    queryKey: ['reply-targets', complaint.id],
    queryFn: () => unwrap(api.GET('/api/complaints/{complaintId}/replies/preview', { params: { path: { complaintId: complaint.id }, query: { templateKey: 'holding' } } })),
    staleTime: 60_000,
  });
  const effective: OutChannel | null = channel || targets.data?.channel || null;
  const attachable = useMemo(() => attachments.filter((a) => !a.removedAt), [attachments]);
  const attached = effective === 'email' ? attachmentIds.filter((id) => attachable.some((a) => a.id === id)) : [];
  const sms = useMemo(() => (effective === 'sms' ? countSms(text) : null), [effective, text]);

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
              ...(subject.trim() && effective !== 'sms' ? { subject: subject.trim() } : {}),
              ...(purpose === 'answer' && outcome ? { outcome } : {}),
              ...(attached.length > 0 ? { attachmentIds: attached } : {}),
            },
          }),
        ),
      t.reply.sent,
    ).then((ok) => {
      if (ok) {
        setText('');
        setSubject('');
        setAttachmentIds([]);
      }
    });
  };

  const channels = targets.data?.reachable.length ? targets.data.reachable : CHANNELS;
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="reply-title">
      <h2 id="reply-title">{t.reply.title}</h2>
      <div className="form-grid">
        <label className="field">
          <span>{t.reply.channel}</span>
          <select name="channel" value={channel} onChange={(e) => setChannel(e.target.value as OutChannel | '')}>
            <option value="">{targets.data ? t.reply.channelDefaultNamed(label(t.taxonomy.channel, targets.data.channel)) : t.reply.channelDefault}</option>
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
      <FormError text={previewError} />
      {effective !== 'sms' && (
        <label className="field">
          <span>{t.reply.subject}</span>
          <input name="subject" value={subject} onChange={(e) => setSubject(e.target.value)} />
        </label>
      )}
      <div className="field">
        <label htmlFor={textId}>{t.reply.text}</label>
        <textarea
          id={textId}
          ref={textareaRef}
          name="reply"
          rows={6}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-describedby={sms ? counterId : undefined}
        />
        {sms && (
          <div id={counterId} className="sms-counter small">
            <p aria-live="polite" className="sms-count">
              {t.reply.smsCounter(sms.units, sms.segments, sms.encoding)}
            </p>
            <p className={sms.encoding === 'UCS-2' ? 'flag flag-warn' : 'muted'}>{sms.encoding === 'UCS-2' ? t.reply.smsUcs2(sms.nonGsm.join(' ')) : t.reply.smsGsm}</p>
          </div>
        )}
      </div>
      {effective === 'email' && attachable.length > 0 && (
        <fieldset className="field">
          <legend>{t.reply.attachments}</legend>
          {attachable.map((a) => (
            <label key={a.id}>
              <input
                type="checkbox"
                name="attachmentIds"
                value={a.id}
                checked={attachmentIds.includes(a.id)}
                onChange={(e) => setAttachmentIds((ids) => (e.target.checked ? [...ids, a.id] : ids.filter((id) => id !== a.id)))}
              />{' '}
              {a.filename}
            </label>
          ))}
        </fieldset>
      )}
      {purpose === 'answer' && (outcome === 'partiel' || outcome === 'refuse') && <p className="flag flag-warn">{t.reply.mediatorHint}</p>}
      <FormError text={error} />
      <div className="form-actions">
        <button type="submit" className="button primary" disabled={pending || !text.trim()}>
          {t.reply.send}
        </button>
      </div>
    </form>
  );
}
