import { describe, expect, it } from 'vitest';
import type { SessionRow } from '../db/repositories/sessions.ts';
import { SessionCache, sessionCacheOf } from './session-cache.ts';

function row(id: string, userId = `user-${id}`): SessionRow {
  return { id, tenantId: 't', userId, expiresAt: new Date('2026-03-20T00:00:00Z'), role: 'agent', name: 'N', email: 'n@example.test', status: 'active' };
}

function cacheAt(ttlMs = 5_000, max = 100) {
  let now = 0;
  const cache = new SessionCache(ttlMs, max, () => now);
  return { cache, advance: (ms: number) => (now += ms) };
}

describe('SessionCache', () => {
  it('keeps a session for its TTL, then forgets it', () => {
    const { cache, advance } = cacheAt(5_000);
    cache.store('a', row('a'), cache.epoch);
    advance(4_999);
    expect(cache.get('a')?.userId).toBe('user-a');
    advance(1);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('forgets a session, or every session of a user, at once', () => {
    const { cache } = cacheAt();
    cache.store('a', row('a', 'u1'), cache.epoch);
    cache.store('b', row('b', 'u1'), cache.epoch);
    cache.store('c', row('c', 'u2'), cache.epoch);
    cache.forget('a');
    expect(cache.get('a')).toBeUndefined();
    cache.forgetUser('u1');
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('c')?.userId).toBe('u2');
    cache.clear();
    expect(cache.get('c')).toBeUndefined();
  });

  it('does not store a lookup begun before an invalidation (it may have read the row before the write)', () => {
    const { cache } = cacheAt();
    const epoch = cache.epoch;
    cache.forgetUser('user-a'); // e.g. a role change commits while the lookup is reading the database
    cache.store('a', row('a'), epoch);
    expect(cache.get('a')).toBeUndefined();
    cache.store('a', row('a'), cache.epoch);
    expect(cache.get('a')).toBeDefined();
  });

  it('is bounded: the oldest entries go first', () => {
    const { cache } = cacheAt(5_000, 3);
    for (const id of ['a', 'b', 'c', 'd']) cache.store(id, row(id), cache.epoch);
    expect(cache.size).toBe(3);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('d')).toBeDefined();
  });

  it('follows a sliding expiry without renewing the entry', () => {
    const { cache, advance } = cacheAt(5_000);
    cache.store('a', row('a'), cache.epoch);
    advance(3_000);
    const later = new Date('2026-03-21T00:00:00Z');
    cache.extend('a', later);
    expect(cache.get('a')?.expiresAt).toEqual(later);
    advance(2_000);
    expect(cache.get('a')).toBeUndefined();
  });

  it('is one cache per database handle', () => {
    const one = {};
    const other = {};
    expect(sessionCacheOf(one)).toBe(sessionCacheOf(one));
    expect(sessionCacheOf(one)).not.toBe(sessionCacheOf(other));
  });
});
