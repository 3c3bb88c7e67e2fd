import type { SessionRow } from '../db/repositories/sessions.ts';

/**
 * A short-lived, in-process cache of live sessions, so that an authenticated request does not read the
 * session and its user from the database each time (that read was the largest fixed cost of an API call).
 *
 * - Keyed by the session id, which is already the SHA-256 of the cookie token: no token is kept in memory.
 * - An entry lives `ttlMs` (a few seconds) of real time, then the next request reads the database again.
 *   The session's own expiry (sliding, against the app's clock) is still checked on every hit; an entry
 *   that looks expired is dropped and the database asked, since another process may have extended it.
 * - Bounded: at most `maxEntries` entries; the oldest go first.
 * - Writes that end or weaken a session take effect at once in this process: logout, user deactivation,
 *   role change and `tenant apply` (role, password) call `forgetSession` / `forgetUser` / `clear` after
 *   their commit. A lookup that was already reading the database when such a write happened does not store
 *   its (possibly older) answer: every invalidation bumps an epoch, and `store` ignores a lookup begun in an
 *   earlier epoch.
 * - Across processes (several `api` processes) nothing is shared: a logout or role change made through
 *   another process is seen here within `ttlMs` at most. That is the staleness bound, and why it is short.
 */
export class SessionCache {
  private readonly entries = new Map<string, { row: SessionRow; storedAt: number }>();
  private epochValue = 0;

  constructor(
    readonly ttlMs: number = SESSION_CACHE_TTL_MS,
    readonly maxEntries: number = SESSION_CACHE_MAX_ENTRIES,
    private readonly monotonicNow: () => number = () => performance.now(),
  ) {}

  /** The epoch to hand back to `store` after a database read. */
  get epoch(): number {
    return this.epochValue;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The cached session, if stored less than `ttlMs` ago. */
  get(id: string): SessionRow | undefined {
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (this.monotonicNow() - entry.storedAt >= this.ttlMs) {
      this.entries.delete(id);
      return undefined;
    }
    return entry.row;
  }

  /** Keeps a session read from the database, unless an invalidation happened since `epoch`. */
  store(id: string, row: SessionRow, epoch: number): void {
    if (epoch !== this.epochValue || this.maxEntries <= 0) return;
    this.entries.delete(id);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    this.entries.set(id, { row, storedAt: this.monotonicNow() });
  }

  /** The sliding expiry moved (this process wrote it): the cached copy follows, keeping its age. */
  extend(id: string, expiresAt: Date): void {
    const entry = this.entries.get(id);
    if (entry) entry.row = { ...entry.row, expiresAt };
  }

  /** Drops one entry that turned out stale (no invalidation: nothing changed in the database). */
  drop(id: string): void {
    this.entries.delete(id);
  }

  forget(id: string): void {
    this.epochValue++;
    this.entries.delete(id);
  }

  forgetUser(userId: string): void {
    this.epochValue++;
    for (const [id, entry] of this.entries) if (entry.row.userId === userId) this.entries.delete(id);
  }

  clear(): void {
    this.epochValue++;
    this.entries.clear();
  }
}

export const SESSION_CACHE_TTL_MS = 5_000;
export const SESSION_CACHE_MAX_ENTRIES = 10_000;

// One cache per database (the Kysely instance of the process's deps): tests and benchmarks that open
// several databases in one process never see each other's sessions.
const caches = new WeakMap<object, SessionCache>();

export function sessionCacheOf(db: object): SessionCache {
  let cache = caches.get(db);
  if (!cache) {
    cache = new SessionCache();
    caches.set(db, cache);
  }
  return cache;
}
