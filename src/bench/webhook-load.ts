// Load generator for the Twilio SMS webhook, run as its own process by `guichet bench webhooks` so that the
// server under test does not share its event loop: N form posts shaped and signed as Twilio signs them
// (each with a new MessageSid) from C concurrent clients; prints JSON { ok, failed, p50Ms, p99Ms,
// perSecond } on its last line. Targets the loopback address only.
import { randomBytes } from 'node:crypto';
import twilio from 'twilio';

const [url, signedBase, token, accountSid, to, totalArg, concurrencyArg] = process.argv.slice(2);
if (!url || !/^http:\/\/127\.0\.0\.1:\d+\//.test(url) || !signedBase || !token || !accountSid || !to) {
  console.error('usage: webhook-load http://127.0.0.1:PORT/path PUBLIC_URL AUTH_TOKEN ACCOUNT_SID TO <requests> <concurrency>');
  process.exit(2);
}
const path = new URL(url).pathname;
const total = Number(totalArg ?? 1000);
const concurrency = Number(concurrencyArg ?? 200);
const latencies: number[] = [];
let failed = 0;
let next = 0;

async function one(i: number): Promise<void> {
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
  const signature = twilio.getExpectedTwilioSignature(token!, `${signedBase}${path}`, params);
  const t0 = performance.now();
  const res = await fetch(url!, { method: 'POST', body: new URLSearchParams(params), headers: { 'x-twilio-signature': signature } });
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status === 200) latencies.push(ms);
  else failed++;
}

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
console.log(JSON.stringify({ ok: latencies.length, failed, p50Ms: at(50), p99Ms: at(99), perSecond: Math.round(latencies.length / seconds) }));
