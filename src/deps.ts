import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from './config.ts';
import { migrateToLatest, openDatabase, type DatabaseHandle, type DatabaseKind } from './db/index.ts';
import type { Database } from './db/types.ts';
import { FileStore } from './files.ts';
import { createLogger, type Logger } from './logger.ts';
import { createQueue } from './queue/index.ts';
import { resolveSecret } from './secrets.ts';
import type { JobQueue } from './queue/types.ts';

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** Everything a process needs, built once from the config and shared by api, worker and CLI. */
export interface Deps {
  config: Config;
  logger: Logger;
  db: Kysely<Database>;
  dbKind: DatabaseKind;
  /** LISTEN for committed notifications (live updates of the console). */
  listen: DatabaseHandle['listen'];
  files: FileStore;
  clock: Clock;
  /** BullMQ on Redis when REDIS_URL is set, the in-process runner otherwise. */
  queue: JobQueue;
  /** Signs cookies and seals channel credentials (SECRET_KEY, or a key kept in DATA_DIR). */
  secretKey: string;
  close(): Promise<void>;
}

export interface DepsOptions {
  logger?: Logger;
  clock?: Clock;
  /** Run pending migrations while opening (default true). */
  migrate?: boolean;
  /** Tests isolate their BullMQ keys. */
  queuePrefix?: string;
  secretKey?: string;
}

export async function createDeps(config: Config, options: DepsOptions = {}): Promise<Deps> {
  const logger = options.logger ?? createLogger(config.logLevel);
  const handle = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: config.pgliteDir });
  try {
    if (options.migrate !== false) {
      const { applied } = await migrateToLatest(handle.db);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
    }
  } catch (err) {
    await handle.close();
    throw err;
  }
  const queue = await createQueue(config, logger, options.queuePrefix ? { prefix: options.queuePrefix } : {});
  let closed = false;
  return {
    config,
    logger,
    db: handle.db,
    dbKind: handle.kind,
    listen: handle.listen,
    files: new FileStore(path.resolve(config.filesDir)),
    clock: options.clock ?? systemClock,
    queue,
    secretKey: options.secretKey ?? resolveSecret(config),
    async close() {
      if (closed) return;
      closed = true;
      await queue.close();
      await handle.close();
    },
  };
}
