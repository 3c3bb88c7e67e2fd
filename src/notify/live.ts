import type { Deps } from '../deps.ts';

/** A committed change to one complaint, as the console hears it. */
export interface LiveEvent {
  tenantId: string;
  complaintId: string;
  /** The history event that changed it (`message.received`, `complaint.status_changed`…). */
  type: string;
}

type Listener = (e: LiveEvent) => void;

/**
 * Fans out the database's `guichet_events` notifications (sent on commit by a trigger on events, from any
 * process) to the console's server-sent event streams, per tenant. Listens only while someone is subscribed.
 */
export class LiveFeed {
  private readonly listeners = new Map<string, Set<Listener>>();
  private stop: Promise<() => Promise<void>> | null = null;

  constructor(private readonly deps: Pick<Deps, 'listen' | 'logger'>) {}

  async subscribe(tenantId: string, listener: Listener): Promise<() => Promise<void>> {
    let set = this.listeners.get(tenantId);
    if (!set) this.listeners.set(tenantId, (set = new Set()));
    set.add(listener);
    this.stop ??= this.deps.listen('guichet_events', (payload) => this.dispatch(payload));
    try {
      await this.stop;
    } catch (err) {
      this.stop = null;
      set.delete(listener);
      throw err;
    }
    return async () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(tenantId);
      if (this.listeners.size === 0 && this.stop) {
        const stopping = this.stop;
        this.stop = null;
        await (await stopping)();
      }
    };
  }

  private dispatch(payload: string): void {
    let parsed: { t?: string; c?: string; y?: string };
    try {
      parsed = JSON.parse(payload) as { t?: string; c?: string; y?: string };
    } catch {
      return;
    }
    if (!parsed.t || !parsed.c) return;
    for (const l of this.listeners.get(parsed.t) ?? []) {
      try {
        l({ tenantId: parsed.t, complaintId: parsed.c, type: parsed.y ?? 'unknown' });
      } catch (err) {
        this.deps.logger.warn({ err }, 'live listener failed');
      }
    }
  }

  async close(): Promise<void> {
    this.listeners.clear();
    if (this.stop) {
      const stopping = this.stop;
      this.stop = null;
      await (await stopping)().catch(() => {});
    }
  }
}
