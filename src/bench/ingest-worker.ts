// The worker process of `guichet bench ingest` on PostgreSQL + BullMQ, as deployed (`guichet api` and
// `guichet worker` are separate processes): the background jobs of the bench's database and queue prefix.
// Prints "ready" once consuming; on SIGTERM, stops like a worker and prints {"cpuMs": …} on its last line.
import { loadConfig } from '../config.ts';
import { createDeps } from '../deps.ts';
import { createLogger } from '../logger.ts';
import { startWorkers } from '../../workers/index.ts';

const [databaseUrl, redisUrl, prefix, filesDir] = process.argv.slice(2);
if (!databaseUrl || !redisUrl || !prefix || !filesDir) {
  console.error('usage: ingest-worker <DATABASE_URL> <REDIS_URL> <queue prefix> <files dir>');
  process.exit(2);
}
const config = loadConfig(process.env, { databaseUrl, redisUrl, filesDir });
const deps = await createDeps(config, { logger: createLogger('warn'), queuePrefix: prefix, migrate: false });
const stop = await startWorkers(deps, { mailboxes: false });
const cpu0 = process.cpuUsage();
console.log('ready');
process.once('SIGTERM', () => {
  void (async () => {
    await stop();
    await deps.close();
    const cpu = process.cpuUsage(cpu0);
    console.log(JSON.stringify({ cpuMs: Math.round((cpu.user + cpu.system) / 1000) }));
    process.exit(0);
  })();
});
