/**
 * IMAP intake for every mailbox: the supervisor started by the worker role keeps one MailboxReader per
 * enabled email channel (refreshed every minute: new channels start, removed, disabled or edited ones
 * stop or restart), and `importMailbox` runs one import pass in the foreground for the CLI.
 * Readers of several worker processes coexist: each mailbox's lease lets only one of them read it.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Deps } from '../../src/deps.ts';
import type { Channel } from '../../src/db/types.ts';
import { listEnabledChannels, mergeChannelHealth } from '../../src/db/repositories/channels.ts';
import { openChannel, type OpenChannel } from '../../src/services/channels.ts';
import { MailboxReader, type ImportSummary, type MailboxReaderOptions } from './mailbox.ts';

export { MailboxReader, MailboxBusyError, type ImportSummary, type MailboxReaderOptions } from './mailbox.ts';

/** host:pid:random — who holds a mailbox lease, readable in mailbox_state and the health. */
export function readerOwnerId(): string {
  return `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

export interface MailboxSupervisor {
  /** Reads the channel list again now (also done every `refreshMs`). */
  refresh(): Promise<void>;
  /** Channel ids with a running reader. */
  channelIds(): string[];
  stop(): Promise<void>;
}

export interface SupervisorOptions {
  ownerId?: string;
  refreshMs?: number;
  reader?: Omit<MailboxReaderOptions, 'ownerId'>;
}

export function startMailboxSupervisor(deps: Deps, options: SupervisorOptions = {}): MailboxSupervisor {
  const ownerId = options.ownerId ?? readerOwnerId();
  const readers = new Map<string, { reader: MailboxReader; version: number }>();
  let stopped = false;
  let refreshing: Promise<void> = Promise.resolve();

  const open = async (row: Channel): Promise<OpenChannel<'email'> | null> => {
    try {
      return openChannel(deps, row as Channel & { kind: 'email' });
    } catch (err) {
      deps.logger.warn({ channelId: row.id, err: (err as Error).message }, 'email channel settings unreadable');
      await mergeChannelHealth(deps.db, row.tenant_id, row.id, { connected: false, lastError: 'Réglages de la boîte illisibles : enregistrez-les à nouveau.', lastErrorAt: deps.clock.now().toISOString() });
      return null;
    }
  };

  const sync = async () => {
    const rows = await listEnabledChannels(deps.db, 'email');
    if (stopped) return;
    const wanted = new Map(rows.map((r) => [r.id, r]));
    const stopping: Promise<void>[] = [];
    for (const [id, entry] of readers) {
      const row = wanted.get(id);
      if (!row || row.updated_at.getTime() !== entry.version) {
        readers.delete(id);
        stopping.push(entry.reader.stop());
      }
    }
    await Promise.all(stopping);
    for (const row of rows) {
      if (readers.has(row.id) || stopped) continue;
      const channel = await open(row);
      if (!channel) continue;
      const reader = new MailboxReader(deps, channel, { ...options.reader, ownerId });
      readers.set(row.id, { reader, version: row.updated_at.getTime() });
      reader.start();
    }
  };

  const refresh = () => {
    refreshing = refreshing.then(sync).catch((err: unknown) => deps.logger.error({ err }, 'mailbox supervisor refresh failed'));
    return refreshing;
  };
  void refresh();
  const timer = setInterval(() => void refresh(), options.refreshMs ?? 60_000);
  timer.unref();

  return {
    refresh,
    channelIds: () => [...readers.keys()],
    async stop() {
      stopped = true;
      clearInterval(timer);
      await refreshing;
      await Promise.all([...readers.values()].map((e) => e.reader.stop()));
      readers.clear();
    },
  };
}

/** One foreground import pass of a mailbox (the `mailbox import` command). */
export async function importMailbox(deps: Deps, channel: OpenChannel<'email'>, options: Omit<MailboxReaderOptions, 'ownerId'> & { ownerId?: string } = {}): Promise<ImportSummary> {
  const reader = new MailboxReader(deps, channel, { ...options, ownerId: options.ownerId ?? readerOwnerId() });
  return reader.importOnce();
}
