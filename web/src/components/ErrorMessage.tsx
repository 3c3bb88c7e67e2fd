import { ApiError } from '../api/client.ts';
import { useI18n } from '../i18n/index.tsx';

/** The server's own message (French, written for users) when there is one; field errors listed. */
export function errorText(error: unknown, fallback: string): string {
  if (error instanceof ApiError) {
    const fields = Object.values(error.fields);
    return [error.message || fallback, ...fields].filter(Boolean).join(' ');
  }
  return fallback;
}

/** A form's error, announced to screen readers; nothing when there is none. */
export function FormError({ text }: { text: string | null | undefined }) {
  return text ? (
    <p className="error" role="alert">
      {text}
    </p>
  ) : null;
}

export function ErrorMessage({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useI18n();
  const text = error instanceof ApiError && error.status === 403 ? t.app.forbidden : errorText(error, t.app.error);
  return (
    <div className="error" role="alert">
      <p>{text}</p>
      {onRetry && (
        <button type="button" className="button secondary" onClick={onRetry}>
          {t.app.retry}
        </button>
      )}
    </div>
  );
}
