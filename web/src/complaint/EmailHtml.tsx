import { useI18n } from '../i18n/index.tsx';

/**
 * An email's HTML (already sanitised by the email mapper), shown in a frame with no scripts, no
 * same-origin access, no forms, and no remote content (the frame's own policy blocks it).
 */
export function EmailHtml({ html }: { html: string }) {
  const { t } = useI18n();
  const doc = `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<style>body{font-family:system-ui,sans-serif;font-size:14px;line-height:1.45;color:#1b1f24;margin:8px;overflow-wrap:anywhere}img{max-width:100%}blockquote{border-left:3px solid #d5dae1;margin:0 0 0 4px;padding-left:8px;color:#5b6470}</style>
</head><body>${html}</body></html>`;
  return <iframe className="email-frame" title={t.message.htmlFrame} sandbox="" srcDoc={doc} referrerPolicy="no-referrer" />;
}
