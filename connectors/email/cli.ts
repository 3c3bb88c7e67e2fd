/**
 * `guichet mailbox import --channel <id|address> [--since YYYY-MM-DD] [--batch N]`: imports a mailbox's
 * backlog in the foreground with a progress bar, then prints a JSON summary on its last line. Resumable:
 * run it again after an interruption and it continues from the checkpoint. The mails are journaled; the
 * worker processes ingest them (a crash in between is recovered from the journal).
 */
import cliProgress from 'cli-progress';
import type { Config } from '../../src/config.ts';
import { createDeps } from '../../src/deps.ts';
import { listEnabledChannels } from '../../src/db/repositories/channels.ts';
import type { Channel } from '../../src/db/types.ts';
import { normalizeEmail } from '../../src/domain/identity.ts';
import { openChannel } from '../../src/services/channels.ts';
import { importMailbox, MailboxBusyError } from './imap.ts';
import { describeImapError } from './mailbox.ts';

const USAGE = 'Usage : guichet mailbox import --channel <id|adresse> [--since AAAA-MM-JJ] [--batch N]';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

export async function mailboxCommand(config: Config, args: string[]): Promise<void> {
  if (args[0] !== 'import') fail(USAGE);
  const wanted = flag(args, 'channel');
  if (!wanted) fail(USAGE);
  const since = flag(args, 'since');
  if (since !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(since) || Number.isNaN(Date.parse(`${since}T00:00:00Z`)))) fail(`Date invalide pour --since : ${since} (attendu AAAA-MM-JJ).`);
  const batchFlag = flag(args, 'batch');
  const batchSize = batchFlag ? Number(batchFlag) : 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 5000) fail('--batch attend un entier entre 1 et 5000.');

  const deps = await createDeps(config);
  const bar = new cliProgress.SingleBar(
    { format: 'Import {address} [{bar}] {percentage}% ({value}/{total}) {eta_formatted}', noTTYOutput: true, notTTYSchedule: 2000, hideCursor: true },
    cliProgress.Presets.shades_classic,
  );
  let barStarted = false;
  try {
    const address = normalizeEmail(wanted);
    const row: Channel | undefined = (await listEnabledChannels(deps.db, 'email')).find((c) => c.id === wanted || (address !== null && c.address === address));
    if (!row) fail(`Boîte introuvable ou désactivée : ${wanted}.`);
    const channel = openChannel(deps, row as Channel & { kind: 'email' });
    const started = Date.now();
    const summary = await importMailbox(deps, channel, {
      batchSize,
      ...(since !== undefined ? { since } : {}),
      onProgress: ({ done, total }) => {
        if (!barStarted) {
          bar.start(total, done, { address: channel.address });
          barStarted = true;
        } else bar.update(done);
      },
    }).catch((err: unknown) => {
      if (barStarted) bar.stop();
      barStarted = false;
      if (err instanceof MailboxBusyError) fail(err.message);
      fail(`Import interrompu : ${describeImapError(err, channel)}`);
    });
    if (barStarted) bar.stop();
    barStarted = false;
    if (summary.found === 0) process.stdout.write(`Aucun nouveau message dans ${channel.address} (${summary.folder}).\n`);
    process.stdout.write(`${JSON.stringify({ ...summary, since: since ?? null, seconds: Math.round((Date.now() - started) / 100) / 10 })}\n`);
  } finally {
    if (barStarted) bar.stop();
    await deps.close();
  }
}
