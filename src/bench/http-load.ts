// Load generator, run as its own process by `guichet bench ingest` (public form) and `guichet bench
// webhooks` (Twilio SMS webhook) so that the server under test does not share its event loop: N requests
// of one kind from C concurrent clients; prints JSON { ok, failed, p50Ms, p99Ms, perSecond } on its last
// line. Targets the loopback address only.
//   http-load form   http://127.0.0.1:PORT/f/<slug> <requests> <concurrency>
//   http-load twilio http://127.0.0.1:PORT/path PUBLIC_URL AUTH_TOKEN ACCOUNT_SID TO <requests> <concurrency>
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';

export interface LoadResult {
  ok: number;
  failed: number;
  p50Ms: number;
  p99Ms: number;
  perSecond: number;
}

/** One request: what to send, and the status that means it was accepted. Prepared before its clock starts. */
interface Shot {
  init: RequestInit;
  accepted: number;
}

interface Kind {
  /** The path the URL ends with (usage). */
  path: string;
  /** The arguments between the URL and <requests>. */
  args: readonly string[];
  shot(url: string, args: string[], i: number): Promise<Shot>;
}

const KINDS = {
  /** The public form: its page read first for the idempotency key (not timed), then the post; 303 when accepted. */
  form: {
    path: '/f/<slug>',
    args: [],
    async shot(url, _args, i) {
      const page = await fetch(url);
      const html = await page.text();
      const cle = /name="cle" value="([^"]+)"/.exec(html)?.[1];
      if (!cle) throw new Error('no idempotency key in the form');
      const form = new FormData();
      form.set('cle', cle);
      form.set('nom', `Client charge ${i}`);
      form.set('email', `charge${i}@bench.example`);
      form.set('description', `Réclamation de test de charge numéro ${i} : mon sinistre n’avance pas.`);
      return { init: { method: 'POST', body: form, redirect: 'manual' }, accepted: 303 };
    },
  },
  /** The Twilio SMS webhook: a form post shaped and signed as Twilio signs them, each with a new MessageSid; 200 when accepted. */
  twilio: {
    path: '/path',
    args: ['PUBLIC_URL', 'AUTH_TOKEN', 'ACCOUNT_SID', 'TO'],
    async shot(url, [signedBase, token, accountSid, to], i) {
      const sid = `SM${randomBytes(16).toString('hex')}`;
      const params: Record<string, string> = {
        ToCountry: 'FR',
        SmsMessageSid: sid,
        NumMedia: '0',
        SmsSid: sid,
        SmsStatus: 'received',
        Body: `Bonjour, mon dossier sinistre numéro ${i} n’avance pas depuis trois semaines.`,
        FromCountry: 'FR',
        To: to!,
        NumSegments: '1',
        MessageSid: sid,
        AccountSid: accountSid!,
        From: `+336${String(10_000_000 + (i % 90_000_000)).slice(-8)}`,
        ApiVersion: '2010-04-01',
      };
      const signature = twilio.getExpectedTwilioSignature(token!, `${signedBase}${new URL(url).pathname}`, params);
      return { init: { method: 'POST', body: new URLSearchParams(params), headers: { 'x-twilio-signature': signature } }, accepted: 200 };
    },
  },
} satisfies Record<string, Kind>;

export type LoadKind = keyof typeof KINDS;

/** Runs the load in a process of its own (this file) and resolves to the JSON of its last line. */
export function spawnLoad(kind: LoadKind, url: string, args: readonly string[], requests: number, concurrency: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, kind, url, ...args, String(requests), String(concurrency)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (d: Buffer) => (text += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(text.trim().split('\n').pop()!) as LoadResult) : reject(new Error(`${kind} load exited with ${code}`))));
  });
}

async function main(argv: string[]): Promise<void> {
  const [name, url, ...rest] = argv;
  const kind: Kind | undefined = Object.hasOwn(KINDS, name ?? '') ? KINDS[name as LoadKind] : undefined;
  const args = rest.slice(0, kind?.args.length ?? 0);
  if (!kind || !url || !/^http:\/\/127\.0\.0\.1:\d+\//.test(url) || args.length < kind.args.length || args.some((a) => !a)) {
    console.error(
      Object.entries(KINDS)
        .map(([k, s]) => `usage: http-load ${k} http://127.0.0.1:PORT${s.path} ${[...s.args, '<requests> <concurrency>'].join(' ')}`)
        .join('\n'),
    );
    process.exit(2);
  }
  const [totalArg, concurrencyArg] = rest.slice(kind.args.length);
  const total = Number(totalArg ?? 1000);
  const concurrency = Number(concurrencyArg ?? 200);
  const latencies: number[] = [];
  let failed = 0;
  let next = 0;

  const one = async (i: number): Promise<void> => {
    const { init, accepted } = await kind.shot(url, args, i);
    const t0 = performance.now();
    const res = await fetch(url, init);
    await res.arrayBuffer();
    const ms = performance.now() - t0;
    if (res.status === accepted) latencies.push(ms);
    else failed++;
  };

  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        try {
          await one(i);
        } catch {
          failed++;
        }
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => Number((latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0).toFixed(1));
  const result: LoadResult = { ok: latencies.length, failed, p50Ms: at(50), p99Ms: at(99), perSecond: Math.round(latencies.length / seconds) };
  console.log(JSON.stringify(result));
}

// A process of its own when run as a script; imported (spawnLoad), nothing runs.
if (process.argv[1] === import.meta.filename) await main(process.argv.slice(2));
