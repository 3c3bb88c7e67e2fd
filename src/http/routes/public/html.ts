/**
 * A tiny HTML toolkit for the public pages (web form, receipt, tracking page): server-rendered, no
 * JavaScript, no external resources. Every interpolation in `html\`…\`` is escaped unless it is itself
 * the result of `html` or of an explicit `raw()` (for trusted fragments only: never customer input).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DomainError } from '../../../domain/errors.ts';

export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

/** Marks a trusted fragment (markup written in our code): never pass customer input here. */
export function raw(trusted: string): SafeHtml {
  return new SafeHtml(trusted);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c]!);
}

function render(value: unknown): string {
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value === null || value === undefined || value === false || value === true) return '';
  return escapeHtml(String(value));
}

/**
 * Tagged template: `html\`<p>${name}</p>\`` escapes `name`. Arrays are joined (each item escaped unless
 * safe); null, undefined and booleans render nothing (so `${cond && html\`…\`}` works).
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): SafeHtml {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (strings[i + 1] ?? '');
  return new SafeHtml(out);
}

/**
 * Attributes from a record: `attrs({ id: 'nom', required: true, 'aria-invalid': undefined })` gives
 * ` id="nom" required`. Values are escaped; true writes the bare name; false, null, undefined write nothing.
 */
export function attrs(values: Record<string, string | number | boolean | null | undefined>): SafeHtml {
  let out = '';
  for (const [name, value] of Object.entries(values)) {
    if (!/^[a-z][a-z0-9-]*$/i.test(name)) throw new Error(`invalid attribute name ${name}`);
    if (value === true) out += ` ${name}`;
    else if (value !== false && value !== null && value !== undefined) out += ` ${name}="${escapeHtml(String(value))}"`;
  }
  return new SafeHtml(out);
}

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const STYLES = `
*,*::before,*::after{box-sizing:border-box}
html{font-size:100%;-webkit-text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;line-height:1.5;color:#1b1b1b;background:#fff}
.skip{position:absolute;left:-10000px;top:0;background:#fff;color:#0b3d91;padding:.5rem 1rem;z-index:10}
.skip:focus{left:1rem;top:1rem}
header.site{background:#0b3d91;color:#fff;padding:1rem 0}
header.site p{margin:0 auto;max-width:44rem;padding:0 1rem;font-weight:600;font-size:1.125rem}
main{display:block;max-width:44rem;margin:0 auto;padding:1.5rem 1rem 3rem}
main:focus{outline:none}
footer.site{border-top:1px solid #c9c9c9;color:#3d3d3d;font-size:.875rem;padding:1rem;max-width:44rem;margin:0 auto}
h1{font-size:1.75rem;line-height:1.25;margin:0 0 1rem}
h2{font-size:1.3rem;margin:2rem 0 .75rem}
h3{font-size:1.05rem;margin:1rem 0 .25rem}
a{color:#0b3d91;text-decoration:underline;text-underline-offset:2px}
a:hover{color:#062a66;text-decoration-thickness:2px}
:focus-visible{outline:3px solid #e07b00;outline-offset:2px}
a:focus-visible{background:#ffe7a3;color:#1b1b1b}
.field{margin:0 0 1.25rem}
fieldset{border:0;padding:0;margin:0 0 1rem;min-width:0}
fieldset>legend{font-size:1.3rem;font-weight:700;margin:1.5rem 0 .75rem;padding:0}
label,legend{display:block;font-weight:600;margin-bottom:.25rem}
.hint{display:block;color:#3d3d3d;font-size:.925rem;margin:0 0 .35rem}
.req{font-weight:400;color:#3d3d3d}
input[type=text],input[type=email],input[type=tel],select,textarea{display:block;width:100%;font:inherit;color:#1b1b1b;background:#fff;border:2px solid #555;border-radius:3px;padding:.45rem .5rem}
textarea{min-height:10rem;resize:vertical}
input[type=file]{font:inherit;max-width:100%}
input:focus-visible,select:focus-visible,textarea:focus-visible{outline:3px solid #e07b00;outline-offset:0;border-color:#1b1b1b}
[aria-invalid=true]{border-color:#b3261e!important}
.field.has-error{border-left:4px solid #b3261e;padding-left:.75rem}
.error-message{color:#b3261e;font-weight:600;margin:0 0 .35rem}
.error-summary{border:3px solid #b3261e;padding:1rem 1.25rem;margin:0 0 1.5rem}
.error-summary h2{margin-top:0;font-size:1.2rem}
.error-summary a{color:#b3261e;font-weight:600}
.error-summary:focus{outline:3px solid #e07b00}
button,.button{display:inline-block;font:inherit;font-weight:600;color:#fff;background:#0b6b2e;border:0;border-bottom:3px solid #053b19;border-radius:3px;padding:.6rem 1.1rem;cursor:pointer;text-decoration:none}
button:hover,.button:hover{background:#08531f;color:#fff}
button:focus-visible,.button:focus-visible{outline:3px solid #e07b00;outline-offset:2px;background:#ffe7a3;color:#1b1b1b}
.panel{border:2px solid #0b6b2e;background:#f1f8f3;padding:1rem 1.25rem;margin:0 0 1.5rem}
.panel.info{border-color:#0b3d91;background:#f2f5fb}
.panel h2{margin-top:0}
.reference{font-size:1.4rem;font-weight:700;letter-spacing:.02em}
dl.copy{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.35rem 1rem;margin:0}
dl.copy dt{font-weight:600}
dl.copy dd{margin:0;white-space:pre-wrap;overflow-wrap:anywhere}
dl.copy dd ul{margin:0;padding-left:1.25rem;white-space:normal}
.text{white-space:pre-wrap;overflow-wrap:anywhere}
.notice{font-size:.925rem;color:#3d3d3d}
.privacy{border-top:1px solid #c9c9c9;margin-top:2rem;font-size:.925rem}
ol.messages{list-style:none;padding:0;margin:0}
ol.messages>li{border-left:4px solid #c9c9c9;padding:.25rem 0 .25rem 1rem;margin:0 0 1.25rem}
ol.messages>li.outbound{border-left-color:#0b3d91}
.visually-hidden{position:absolute!important;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}
.hp{position:absolute;left:-10000px;top:auto;width:1px;height:1px;overflow:hidden}
@media (prefers-color-scheme: dark){
body{color:#f0f0f0;background:#141414}
a,.skip{color:#9cc3ff}
a:hover{color:#c9ddff}
header.site{background:#0b2a5e}
.hint,.req,.notice,footer.site{color:#c8c8c8}
input[type=text],input[type=email],input[type=tel],select,textarea{color:#f0f0f0;background:#1f1f1f;border-color:#a0a0a0}
.panel{background:#13261a;border-color:#4caf6e}
.panel.info{background:#142038;border-color:#6f9be0}
.error-message,.error-summary a{color:#ff8a80}
.error-summary,[aria-invalid=true],.field.has-error{border-color:#ff8a80!important}
.skip{background:#141414}
}
`.replace(/\n/g, '');

export interface LayoutOptions {
  title: string;
  body: SafeHtml;
  /** Shown in the header band (the tenant's name). */
  siteName?: string | undefined;
  /** Reload the page after this many seconds (pending receipts), without JavaScript. */
  refreshSeconds?: number | undefined;
  lang?: 'fr' | 'en';
}

/** A complete page: lang, viewport, one inline stylesheet, skip link, `<main>`. */
export function layout(options: LayoutOptions): SafeHtml {
  const lang = options.lang ?? 'fr';
  return html`<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<link rel="icon" href="data:,">
${options.refreshSeconds ? html`<meta http-equiv="refresh" content="${options.refreshSeconds}">` : ''}
<title>${options.title}</title>
<style>${raw(STYLES)}</style>
</head>
<body>
<a class="skip" href="#contenu">Aller au contenu principal</a>
<header class="site"><p>${options.siteName ?? 'Service réclamations'}</p></header>
<main id="contenu" tabindex="-1">
${options.body}
</main>
<footer class="site"><p>Service de réclamation en ligne.</p></footer>
</body>
</html>
`;
}

export interface SendOptions {
  /** `no-store` (default) for pages showing personal data; `private` for a blank form. */
  cache?: 'no-store' | 'private';
}

/** Sends a page as UTF-8 HTML with the strict CSP and the privacy headers of every public page. */
export function sendPage(reply: FastifyReply, status: number, page: SafeHtml, options: SendOptions = {}): FastifyReply {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('content-security-policy', CONTENT_SECURITY_POLICY)
    .header('x-content-type-options', 'nosniff')
    .header('x-frame-options', 'DENY')
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex')
    .header('cache-control', options.cache === 'private' ? 'private, no-cache' : 'no-store')
    .send(page.value);
}

/** A simple page: a heading and a few paragraphs (trusted markup or escaped text). */
export function messagePage(title: string, paragraphs: (string | SafeHtml)[], siteName?: string, refreshSeconds?: number): SafeHtml {
  return layout({
    title,
    siteName,
    refreshSeconds,
    body: html`<h1>${title}</h1>${paragraphs.map((p) => html`<p>${p}</p>`)}`,
  });
}

export function notFoundPage(siteName?: string): SafeHtml {
  return messagePage(
    'Page introuvable',
    [
      'L’adresse demandée ne correspond à aucune page. Vérifiez le lien que vous avez reçu ou recopiez-le en entier.',
      'Si vous pensez qu’il s’agit d’une erreur, contactez directement le service réclamations de votre interlocuteur.',
    ],
    siteName,
  );
}

/**
 * HTML error pages for the routes of one public plugin (fastify error handlers are encapsulated, so the
 * JSON handler of the API stays untouched): 404, 413, 429 and a 5xx that reveals nothing.
 */
export function installPublicErrorPages(app: FastifyInstance): void {
  app.setNotFoundHandler((_request, reply) => {
    sendPage(reply, 404, notFoundPage());
  });
  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, request, reply) => {
    const status = err instanceof DomainError ? err.status : (err.statusCode ?? 500);
    if (status === 404) return sendPage(reply, 404, notFoundPage());
    if (status === 429) {
      return sendPage(
        reply,
        429,
        messagePage('Trop d’envois en peu de temps', [
          'Pour protéger ce service, le nombre d’envois depuis votre connexion est limité. Rien n’a été enregistré lors de cette dernière tentative.',
          'Patientez une minute, puis revenez en arrière et envoyez à nouveau votre formulaire.',
        ]),
      );
    }
    if (status === 413 || err.code === 'FST_REQ_FILE_TOO_LARGE') {
      return sendPage(
        reply,
        413,
        messagePage('Envoi trop volumineux', [
          'Le contenu envoyé dépasse la taille autorisée. Rien n’a été enregistré.',
          'Revenez en arrière, retirez ou réduisez les fichiers les plus lourds, puis envoyez à nouveau le formulaire.',
        ]),
      );
    }
    if (status >= 400 && status < 500) {
      return sendPage(
        reply,
        status,
        messagePage('Envoi impossible', [
          'Le formulaire reçu est incomplet ou mal formé. Rien n’a été enregistré.',
          'Revenez en arrière, rechargez la page, puis envoyez à nouveau le formulaire.',
        ]),
      );
    }
    request.log.error({ err }, 'public page failed');
    return sendPage(
      reply,
      500,
      messagePage('Service momentanément indisponible', [
        'Une erreur technique nous empêche d’afficher cette page. L’incident a été enregistré.',
        'Si vous envoyiez une réclamation, revenez en arrière et envoyez-la à nouveau dans quelques minutes : elle ne sera pas enregistrée deux fois.',
      ]),
    );
  });
}
