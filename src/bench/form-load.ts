// Load generator for the public form, run as its own process by `guichet bench ingest` so that the
// server under test does not share its event loop: N form posts from C concurrent clients; prints
// JSON { ok, failed, p50Ms, p99Ms, perSecond } on its last line. Targets the loopback address only.
const [url, totalArg, concurrencyArg] = process.argv.slice(2);
if (!url || !/^http:\/\/127\.0\.0\.1:\d+\//.test(url)) {
  console.error('usage: form-load http://127.0.0.1:PORT/f/<slug> <requests> <concurrency>');
  process.exit(2);
}
const total = Number(totalArg ?? 1000);
const concurrency = Number(concurrencyArg ?? 200);
const latencies: number[] = [];
let failed = 0;
let next = 0;

async function one(i: number): Promise<void> {
  const page = await fetch(url!);
  const html = await page.text();
  const cle = /name="cle" value="([^"]+)"/.exec(html)?.[1];
  if (!cle) throw new Error('no idempotency key in the form');
  const form = new FormData();
  form.set('cle', cle);
  form.set('nom', `Client charge ${i}`);
  form.set('email', `charge${i}@bench.example`);
  form.set('description', `Réclamation de test de charge numéro ${i} : mon sinistre n’avance pas.`);
  const t0 = performance.now();
  const res = await fetch(url!, { method: 'POST', body: form, redirect: 'manual' });
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  if (res.status === 303) latencies.push(ms);
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
