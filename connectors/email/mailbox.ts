/**
 * One mailbox reader: imports the mails of an email channel's IMAP folder into the inbound journal.
 *
 * - Checkpoint (UIDVALIDITY, last UID) in `mailbox_state`, moved in the SAME transaction as the journal
 *   rows of the batch it covers; only then is the mail flagged \Seen, moved or left as configured. A crash
 *   anywhere re-imports at most the batch in flight, and the journal's unique (tenant, channel, external id)
 *   makes that a no-op.
 * - New UIDVALIDITY (mailbox recreated or restored): start again from UID 1, duplicates stopped the same way.
 * - Backlog: UIDs above the checkpoint fetched in batches, the next batch fetched while the previous one
 *   is written (at most two batches in memory; a long backlog starts with smaller batches so that the
 *   database starts sooner), progress (done/total) in mailbox_state and in the health.
 * - New mail: IDLE (`exists`), with a poll every `pollSeconds` as a fallback.
 * - Errors or a server restart: reconnect with exponential backoff (capped at one minute); the channel's
 *   health shows `connected`, `lastError` (in French, for admins) and `lastSuccessAt`.
 * - One reader per mailbox across processes: a lease row taken atomically, renewed while reading.
 */
import tls from 'node:tls';
import { ImapFlow, type SearchObject } from 'imapflow';
import type { Deps } from '../../src/deps.ts';
import { pemCertificates, type OpenChannel } from '../../src/services/channels.ts';
import { mergeChannelHealth } from '../../src/db/repositories/channels.ts';
import {
  advanceMailboxCheckpoint,
  ensureMailboxState,
  getMailboxState,
  releaseMailboxLease,
  resetMailboxCheckpoint,
  setMailboxImportSince,
  startMailboxImport,
  takeMailboxLease,
  type MailboxState,
} from '../../src/db/repositories/mailboxes.ts';
import { acceptInboundMany } from '../../src/intake/journal.ts';
import { parsedEmailExternalId, quickEmailExternalId } from './message-id.ts';

export interface MailboxReaderOptions {
  /** Identifies this reader in the lease (host, process, instance). */
  ownerId: string;
  /** How long the lease lasts without renewal (default 30 s); renewed every third of it. */
  leaseMs?: number;
  /** Mails per fetch and per journal transaction, at most (default 1000)… */
  batchSize?: number;
  /** …and bytes (default 32 MB): at most two batches are in memory at once. */
  batchBytes?: number;
  /** Only mails received since this date (YYYY-MM-DD, IMAP SEARCH SINCE); kept for later passes. */
  since?: string | null;
  /** Called after each batch is committed. */
  onProgress?: (progress: { done: number; total: number }) => void;
  /** Reconnection delays: first and maximum (default 1 s and 60 s). */
  backoff?: { initialMs?: number; maxMs?: number };
  /** Overrides the channel's pollSeconds (tests). */
  pollMs?: number;
  /** Socket and greeting timeouts (default 30 s). */
  timeoutMs?: number;
}

export interface ImportSummary {
  channelId: string;
  address: string;
  folder: string;
  uidValidity: number;
  /** Mails found above the checkpoint in this pass. */
  found: number;
  /** New journal rows. */
  imported: number;
  /** Mails already journaled (a re-scan, a crash replayed, the same mail twice). */
  duplicates: number;
  lastUid: number;
  done: number;
  total: number;
  /** Where the time went, in ms: IMAP fetch, waiting for the journal writes, post-import flags/moves. */
  timings: { fetchMs: number; journalWaitMs: number; afterImportMs: number };
}

/** The lease went to another reader: stop reading, without an error in the health. */
export class MailboxLeaseLost extends Error {
  constructor() {
    super('mailbox lease lost');
    this.name = 'MailboxLeaseLost';
  }
}

/** Another process holds the lease (the foreground import refuses to run beside a worker's reader). */
export class MailboxBusyError extends Error {
  constructor(readonly owner: string | null) {
    super(`Cette boîte est déjà lue par un autre processus (${owner ?? 'inconnu'}) ; réessayez quand il l’aura libérée.`);
    this.name = 'MailboxBusyError';
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/** `1:5,7,9:12` from sorted UIDs. */
export function uidSet(uids: number[]): string {
  const parts: string[] = [];
  for (let i = 0; i < uids.length; ) {
    let j = i;
    while (j + 1 < uids.length && uids[j + 1] === uids[j]! + 1) j++;
    parts.push(i === j ? String(uids[i]) : `${uids[i]}:${uids[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/** What an admin reads in the channel's health: short, in French, never a credential. */
export function describeImapError(err: unknown, channel: OpenChannel<'email'>): string {
  const e = err as { code?: string; authenticationFailed?: boolean; responseText?: string; message?: string; mailboxMissing?: boolean };
  const where = `${channel.config.imap.host}:${channel.config.imap.port}`;
  if (e.authenticationFailed) {
    return channel.config.imap.auth === 'oauth2'
      ? `Connexion IMAP refusée par ${where} : jeton OAuth2 refusé pour ${channel.config.imap.user} (expiré, révoqué ou d’un autre compte). Enregistrez un nouveau jeton d’accès pour cette boîte.`
      : `Connexion IMAP refusée par ${where} : identifiant ou mot de passe incorrect.`;
  }
  const tlsProblem = describeTlsError(e.code, where, channel);
  if (tlsProblem) return tlsProblem;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `Serveur IMAP injoignable (${where}) : connexion refusée.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `Serveur IMAP introuvable : ${channel.config.imap.host}.`;
    case 'ETIMEDOUT':
    case 'CONNECT_TIMEOUT':
    case 'GREETING_TIMEOUT':
      return `Le serveur IMAP ${where} ne répond pas (délai dépassé).`;
    case 'NoConnection':
    case 'EConnectionClosed':
    case 'ECONNRESET':
      return `Connexion IMAP perdue avec ${where}.`;
    case 'MISSING_CREDENTIALS':
      return e.message ?? 'Identifiants IMAP manquants.';
    case 'MAILBOX_MISSING':
      return `Dossier « ${channel.config.imap.folder} » introuvable sur le serveur IMAP.`;
  }
  if (e.mailboxMissing) return `Dossier « ${channel.config.imap.folder} » introuvable sur le serveur IMAP.`;
  if (/closed|close/i.test(e.message ?? '')) return `Connexion IMAP perdue avec ${where}.`;
  const detail = (e.responseText ?? e.message ?? String(err)).slice(0, 200);
  return `Erreur IMAP (${where}) : ${detail}`;
}

/** Certificate and TLS handshake failures (Node's OpenSSL codes), in French, with what to do. */
function describeTlsError(code: string | undefined, where: string, channel: OpenChannel<'email'>): string | null {
  const trusted = channel.config.imap.tlsCa ? 'le certificat d’autorité enregistré pour cette boîte ne le reconnaît pas' : 'ajoutez le certificat du serveur ou de son autorité (PEM, réglage « tlsCa » de la boîte)';
  switch (code) {
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return `Certificat TLS du serveur IMAP ${where} non reconnu (auto-signé) : ${trusted}.`;
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'CERT_SIGNATURE_FAILURE':
    case 'CERT_UNTRUSTED':
      return `Certificat TLS du serveur IMAP ${where} signé par une autorité inconnue : ${trusted}.`;
    case 'CERT_HAS_EXPIRED':
      return `Certificat TLS du serveur IMAP ${where} expiré : l’hébergeur de la boîte doit le renouveler.`;
    case 'CERT_NOT_YET_VALID':
      return `Certificat TLS du serveur IMAP ${where} pas encore valide : vérifiez l’horloge du serveur.`;
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `Certificat TLS du serveur IMAP ${where} émis pour un autre nom que « ${channel.config.imap.host} » : utilisez le nom qui figure sur le certificat.`;
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
    case 'ERR_SSL_PACKET_LENGTH_TOO_LONG':
      return `Le serveur IMAP ${where} ne parle pas TLS sur ce port : ${channel.config.imap.tls ? 'désactivez « TLS dès la connexion » (STARTTLS, port 143) ou prenez le port TLS (993)' : 'vérifiez le port'}.`;
  }
  if (code && /^ERR_SSL_|^ERR_TLS_|CERT/.test(code)) return `Connexion TLS impossible avec le serveur IMAP ${where} (${code}).`;
  return null;
}

interface Fetched {
  uid: number;
  source: Buffer;
  internalDate: Date | null;
}

export class MailboxReader {
  private readonly leaseMs: number;
  private readonly batchSize: number;
  private readonly batchBytes: number;
  private readonly stopController = new AbortController();
  private client: ImapFlow | null = null;
  private running: Promise<void> | null = null;
  private leaseTimer: NodeJS.Timeout | null = null;
  private leaseLost = false;
  private holdsLease = false;
  /** New mail announced (IDLE `exists`) since the last pass. */
  private dirty = false;
  private wake: (() => void) | null = null;

  constructor(
    private readonly deps: Deps,
    readonly channel: OpenChannel<'email'>,
    private readonly options: MailboxReaderOptions,
  ) {
    this.leaseMs = options.leaseMs ?? 30_000;
    this.batchSize = Math.max(1, options.batchSize ?? 1000);
    this.batchBytes = Math.max(1, options.batchBytes ?? 32 * 1024 * 1024);
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private get log() {
    return this.deps.logger.child({ channelId: this.channel.id, mailbox: this.channel.address });
  }

  private async health(fields: Record<string, unknown>): Promise<void> {
    try {
      await mergeChannelHealth(this.deps.db, this.channel.tenantId, this.channel.id, fields);
    } catch (err) {
      this.log.warn({ err }, 'mailbox health not written');
    }
  }

  // --- lease -----------------------------------------------------------------------------------------

  private async takeLease(): Promise<MailboxState | undefined> {
    await ensureMailboxState(this.deps.db, this.channel.tenantId, this.channel.id);
    const row = await takeMailboxLease(this.deps.db, this.channel.id, this.options.ownerId, this.leaseMs);
    if (!row) return undefined;
    this.holdsLease = true;
    this.leaseLost = false;
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.leaseTimer = setInterval(() => {
      takeMailboxLease(this.deps.db, this.channel.id, this.options.ownerId, this.leaseMs)
        .then((r) => {
          if (!r) this.loseLease();
        })
        .catch((err: unknown) => this.log.warn({ err }, 'mailbox lease not renewed'));
    }, Math.max(100, Math.floor(this.leaseMs / 3)));
    this.leaseTimer.unref();
    return row;
  }

  private loseLease(): void {
    if (this.leaseLost) return;
    this.log.warn('mailbox lease taken by another reader: stopping');
    this.leaseLost = true;
    this.client?.close();
    this.wake?.();
  }

  private async releaseLease(): Promise<void> {
    if (this.leaseTimer) clearInterval(this.leaseTimer);
    this.leaseTimer = null;
    if (!this.holdsLease) return;
    this.holdsLease = false;
    await releaseMailboxLease(this.deps.db, this.channel.id, this.options.ownerId).catch((err: unknown) => this.log.warn({ err }, 'mailbox lease not released'));
  }

  // --- connection ------------------------------------------------------------------------------------

  private async connect(): Promise<ImapFlow> {
    const { imap } = this.channel.config;
    const { imapPassword, imapAccessToken } = this.channel.secrets;
    const auth = imap.auth === 'oauth2' ? (imapAccessToken ? { user: imap.user, accessToken: imapAccessToken } : null) : imapPassword ? { user: imap.user, pass: imapPassword } : null;
    if (!auth) {
      throw Object.assign(new Error(imap.auth === 'oauth2' ? 'Aucun jeton OAuth2 IMAP enregistré pour cette boîte.' : 'Aucun mot de passe IMAP enregistré pour cette boîte.'), { code: 'MISSING_CREDENTIALS' });
    }
    const timeout = this.options.timeoutMs ?? 30_000;
    // A private authority (or the server's self-signed certificate) is trusted on top of the public ones;
    // verification itself (chain, hostname, dates) always stays on, for TLS and for STARTTLS alike.
    const ca = imap.tlsCa ? pemCertificates(imap.tlsCa) : null;
    const client = new ImapFlow({
      host: imap.host,
      port: imap.port,
      secure: imap.tls,
      ...(ca ? { tls: { ca: [...tls.rootCertificates, ...ca] } } : {}),
      auth,
      logger: false,
      disableAutoIdle: true,
      // No ENABLE (CONDSTORE, UTF8=ACCEPT, IMAP4rev2): with CONDSTORE on, a server answers every STORE
      // with one FETCH (UID, MODSEQ) per mail even when .SILENT, and parsing them made each STORE of a
      // backlog import about three times longer (60 ms instead of about 20 per 1,000 mails on Dovecot).
      // Nothing here reads mod-sequences, and imapflow sends folder names in modified UTF-7 without
      // UTF8=ACCEPT (tested with accented folder names).
      disableAutoEnable: true,
      maxIdleTime: 5 * 60_000,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      clientInfo: { name: 'Guichet' },
    });
    client.on('error', (err: Error) => this.log.debug({ code: (err as { code?: string }).code, message: err.message }, 'imap client error'));
    client.on('exists', () => {
      this.dirty = true;
      this.wake?.();
    });
    this.client = client;
    await client.connect();
    return client;
  }

  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = null;
    if (!client) return;
    if (client.usable) {
      await Promise.race([client.logout().catch(() => undefined), new Promise((r) => setTimeout(r, 2000).unref())]);
    }
    client.close();
  }

  /** Opens the folder; a new UIDVALIDITY (or another folder) puts the checkpoint back to UID 0. */
  private async openFolder(client: ImapFlow): Promise<number> {
    const folder = this.channel.config.imap.folder;
    let mailbox;
    try {
      mailbox = await client.mailboxOpen(folder);
    } catch (err) {
      throw Object.assign(err as Error, { mailboxMissing: /nonexistent|not exist|unknown mailbox|NONEXISTENT/i.test(`${(err as { responseText?: string }).responseText ?? ''} ${(err as Error).message}`) });
    }
    const uidValidity = Number(mailbox.uidValidity);
    const state = await getMailboxState(this.deps.db, this.channel.tenantId, this.channel.id);
    if (!state || state.uid_validity !== uidValidity || state.folder !== folder) {
      if (state?.uid_validity != null) {
        this.log.warn({ before: state.uid_validity, after: uidValidity, folder }, 'mailbox UIDVALIDITY or folder changed: scanning again from UID 1');
      }
      if (!(await resetMailboxCheckpoint(this.deps.db, this.channel.id, this.options.ownerId, { folder, uidValidity }))) throw new MailboxLeaseLost();
      await this.health({ uidValidity, ...(state?.uid_validity != null ? { rescanAt: this.deps.clock.now().toISOString() } : {}) });
    }
    return uidValidity;
  }

  // --- import ----------------------------------------------------------------------------------------

  /**
   * One UID FETCH of the batch, each answer reduced at once to what the journal needs: imapflow's message
   * objects never outlive the batch (collecting them with fetchAll made every young-generation collection
   * copy them, about a fifth more CPU for the fetch). Commands queued meanwhile (the previous batch's
   * flags) run once this FETCH is done; nothing here waits on another command inside the loop.
   */
  private async fetchBatch(client: ImapFlow, uids: number[]): Promise<Fetched[]> {
    const out: Fetched[] = [];
    for await (const m of client.fetch(uidSet(uids), { uid: true, source: true, internalDate: true }, { uid: true })) {
      if (!m.source) continue;
      const date = m.internalDate instanceof Date ? m.internalDate : m.internalDate ? new Date(m.internalDate) : null;
      out.push({ uid: m.uid, source: m.source, internalDate: date && !Number.isNaN(date.getTime()) ? date : null });
    }
    return out;
  }

  /**
   * Batches of at most batchSize mails and batchBytes bytes (RFC822.SIZE), one mail at least. Only the
   * sizes that can matter are fetched: one SEARCH LARGER finds the mails above a fair share of the byte
   * budget (batchBytes / batchSize); every other mail counts as that share, an upper bound of its size.
   * A backlog of ordinary mails thus costs one SEARCH instead of a FETCH of every size, and the memory
   * bound holds all the same.
   */
  private async chunksOf(client: ImapFlow, uids: number[]): Promise<number[][]> {
    const share = Math.max(1, Math.floor(this.batchBytes / this.batchSize));
    const range = `${uids[0]}:${uids[uids.length - 1]}`;
    const wanted = new Set(uids);
    const large = ((await client.search({ uid: range, larger: share }, { uid: true })) || []).filter((u) => wanted.has(u)).sort((a, b) => a - b);
    const sizes = new Map<number, number>();
    if (large.length > 0) {
      for (const m of await client.fetchAll(uidSet(large), { uid: true, size: true }, { uid: true })) sizes.set(m.uid, m.size ?? 0);
      // A mail SEARCH called large but whose size did not come back: count it as filling a batch.
      for (const u of large) if (!sizes.has(u)) sizes.set(u, this.batchBytes);
    }
    const chunks: number[][] = [];
    let current: number[] = [];
    let bytes = 0;
    // A long backlog starts with smaller batches (an eighth, a quarter, a half…): the database has its
    // first batch to write sooner, while the next ones are fetched.
    const ramp = uids.length > 4 * this.batchSize;
    const limit = () => (ramp ? Math.min(this.batchSize, Math.max(1, Math.ceil(this.batchSize / 8)) * 2 ** chunks.length) : this.batchSize);
    for (const uid of uids) {
      const size = sizes.get(uid) ?? share;
      if (current.length > 0 && (current.length >= limit() || bytes + size > this.batchBytes)) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      current.push(uid);
      bytes += size;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  /** Journals one batch and moves the checkpoint with it, in one transaction. */
  private async journalBatch(batch: Fetched[], checkpoint: { uidValidity: number; lastUid: number; done: number; finished: boolean }) {
    const items = [];
    for (const m of batch) {
      items.push({
        tenantId: this.channel.tenantId,
        channel: 'email' as const,
        externalId: quickEmailExternalId(m.source) ?? (await parsedEmailExternalId(m.source)),
        payload: m.source,
        contentType: 'message/rfc822',
        ...(m.internalDate ? { receivedAt: m.internalDate } : {}),
      });
    }
    const results = await acceptInboundMany(this.deps, items, {
      alsoInTransaction: async (trx) => {
        if (this.leaseLost) throw new MailboxLeaseLost();
        const ok = await advanceMailboxCheckpoint(trx, this.channel.id, this.options.ownerId, { ...checkpoint, leaseMs: this.leaseMs });
        if (!ok) throw new MailboxLeaseLost();
      },
    });
    const duplicates = results.filter((r) => r.duplicate).length;
    return { imported: results.length - duplicates, duplicates };
  }

  /** \Seen, move or leave, once the batch is committed. A failure is reported, not fatal to the import. */
  private async afterImport(client: ImapFlow, uids: number[]): Promise<void> {
    const { afterImport, moveTo } = this.channel.config.imap;
    if (afterImport === 'leave' || uids.length === 0) return;
    const set = uidSet(uids);
    try {
      if (afterImport === 'move' && moveTo) await client.messageMove(set, moveTo, { uid: true });
      // .SILENT: the server does not send back the new flags of every mail (nothing here reads them).
      else await client.messageFlagsAdd(set, ['\\Seen'], { uid: true, silent: true });
    } catch (err) {
      if (!client.usable) throw err;
      const reason = afterImport === 'move' ? `Messages importés mais non déplacés vers « ${moveTo} » : ${(err as Error).message}`.slice(0, 300) : `Messages importés mais non marqués comme lus : ${(err as Error).message}`.slice(0, 300);
      this.log.warn({ reason }, 'mailbox post-import action failed');
      await this.health({ lastError: reason, lastErrorAt: this.deps.clock.now().toISOString() });
    }
  }

  /** Mails journaled but left in the folder by a crash before the move: moved now. */
  private async moveCatchUp(client: ImapFlow, lastUid: number): Promise<void> {
    const { afterImport, moveTo } = this.channel.config.imap;
    if (afterImport !== 'move' || !moveTo || lastUid === 0) return;
    const left = ((await client.search({ uid: `1:${lastUid}` }, { uid: true })) || []).filter((u) => u <= lastUid);
    if (left.length > 0) await this.afterImport(client, left.sort((a, b) => a - b));
  }

  /** Imports every mail above the checkpoint; returns what it did. */
  private async importPass(client: ImapFlow, uidValidity: number): Promise<ImportSummary> {
    this.dirty = false;
    const state = (await getMailboxState(this.deps.db, this.channel.tenantId, this.channel.id))!;
    const last = state.last_uid;
    const query: SearchObject = { uid: `${last + 1}:*` };
    if (state.import_since) query.since = new Date(`${state.import_since}T00:00:00Z`);
    // `n:*` always contains the highest UID, even below n: keep only what is above the checkpoint.
    const uids = ((await client.search(query, { uid: true })) || []).filter((u) => u > last).sort((a, b) => a - b);
    const summary: ImportSummary = {
      channelId: this.channel.id,
      address: this.channel.address,
      folder: this.channel.config.imap.folder,
      uidValidity,
      found: uids.length,
      imported: 0,
      duplicates: 0,
      lastUid: last,
      done: state.import_done,
      total: state.import_total,
      timings: { fetchMs: 0, journalWaitMs: 0, afterImportMs: 0 },
    };
    if (uids.length === 0) return summary;
    const resume = state.import_started_at !== null && state.import_finished_at === null;
    const doneBefore = resume ? state.import_done : 0;
    const total = doneBefore + uids.length;
    await startMailboxImport(this.deps.db, this.channel.id, this.options.ownerId, { total, done: doneBefore, resume });
    await this.health({ backlog: uids.length, import: { done: doneBefore, total, since: state.import_since } });
    this.options.onProgress?.({ done: doneBefore, total });

    let done = doneBefore;
    let lastHealthAt = 0;
    const chunks = await this.chunksOf(client, uids);
    const timed = <T>(key: keyof ImportSummary['timings'], p: Promise<T>): Promise<T> => {
      const t = performance.now();
      return p.finally(() => (summary.timings[key] += performance.now() - t));
    };
    const fetchChunk = (chunk: number[]) => {
      const p = timed('fetchMs', this.fetchBatch(client, chunk));
      p.catch(() => undefined); // observed below; never an unhandled rejection meanwhile
      return p;
    };
    // Pipeline: while the database writes batch k, the IMAP connection fetches batch k+1 and then flags
    // batch k-1. imapflow runs the commands in order, so the flags of a batch always follow its commit.
    let next: Promise<Fetched[]> | null = chunks.length > 0 ? fetchChunk(chunks[0]!) : null;
    let flagging: Promise<void> = Promise.resolve();
    try {
      for (let k = 0; k < chunks.length; k++) {
        const chunk = chunks[k]!;
        const fetched = await next!;
        next = null;
        if (this.stopped || this.leaseLost) break;
        const lastUid = chunk[chunk.length - 1]!;
        const write = timed('journalWaitMs', this.journalBatch(fetched, { uidValidity, lastUid, done: done + chunk.length, finished: k === chunks.length - 1 }));
        write.catch(() => undefined);
        if (k + 1 < chunks.length) next = fetchChunk(chunks[k + 1]!);
        const r = await write;
        summary.imported += r.imported;
        summary.duplicates += r.duplicates;
        summary.lastUid = lastUid;
        done += chunk.length;
        summary.done = done;
        summary.total = total;
        this.options.onProgress?.({ done, total });
        const flags = timed('afterImportMs', this.afterImport(client, chunk));
        flags.catch(() => undefined);
        flagging = flagging.then(() => flags);
        // The health shows the progress at most once a second (and at the end).
        if (Date.now() - lastHealthAt >= 1000 || done === total) {
          lastHealthAt = Date.now();
          await this.health({ backlog: total - done, import: { done, total, since: state.import_since }, lastSuccessAt: this.deps.clock.now().toISOString() });
        }
      }
      await flagging;
    } finally {
      // Never leave a command running unobserved.
      await Promise.allSettled([next, flagging]);
    }
    if (this.leaseLost) throw new MailboxLeaseLost();
    for (const k of ['fetchMs', 'journalWaitMs', 'afterImportMs'] as const) summary.timings[k] = Math.round(summary.timings[k]);
    return summary;
  }

  // --- waiting for mail ------------------------------------------------------------------------------

  /** Resolves on new mail (IDLE), the poll period or stop; rejects when the connection closes. */
  private waitForWork(client: ImapFlow): Promise<void> {
    if (this.dirty || this.stopped) return Promise.resolve();
    const pollMs = this.options.pollMs ?? this.channel.config.imap.pollSeconds * 1000;
    return new Promise<void>((resolve, reject) => {
      let finished = false;
      const finish = (err?: Error) => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        client.off('close', onClose);
        this.wake = null;
        if (err) reject(err);
        else resolve();
      };
      const onClose = () => finish(Object.assign(new Error('connection closed'), { code: 'NoConnection' }));
      const timer = setTimeout(() => finish(), pollMs);
      client.once('close', onClose);
      this.wake = () => finish(this.leaseLost ? new MailboxLeaseLost() : undefined);
      // IDLE until a command breaks it (our next SEARCH does) or maxIdleTime restarts it.
      void (async () => {
        while (!finished && client.usable) await client.idle();
      })().catch((err: unknown) => finish(err as Error));
    });
  }

  // --- public ----------------------------------------------------------------------------------------

  /** The background reader: until stop(), waits for the lease, reads, reconnects after errors. */
  start(): void {
    if (this.running) return;
    this.running = this.loop().catch((err: unknown) => this.log.error({ err }, 'mailbox reader crashed'));
  }

  private async loop(): Promise<void> {
    const signal = this.stopController.signal;
    const initial = this.options.backoff?.initialMs ?? 1000;
    const max = this.options.backoff?.maxMs ?? 60_000;
    let failures = 0;
    let sinceSaved = false;
    while (!this.stopped) {
      let lease: MailboxState | undefined;
      try {
        lease = await this.takeLease();
      } catch (err) {
        this.log.warn({ err }, 'mailbox lease query failed');
      }
      if (!lease) {
        await sleep(Math.min(this.leaseMs / 2, 10_000), signal);
        continue;
      }
      try {
        if (this.options.since !== undefined && !sinceSaved) {
          await setMailboxImportSince(this.deps.db, this.channel.id, this.options.since);
          sinceSaved = true;
        }
        const client = await this.connect();
        const uidValidity = await this.openFolder(client);
        await this.moveCatchUp(client, (await getMailboxState(this.deps.db, this.channel.tenantId, this.channel.id))!.last_uid);
        await this.health({ connected: true, reader: this.options.ownerId, connectedAt: this.deps.clock.now().toISOString() });
        failures = 0;
        while (!this.stopped && !this.leaseLost) {
          const summary = await this.importPass(client, uidValidity);
          await this.health({ connected: true, backlog: 0, lastSuccessAt: this.deps.clock.now().toISOString(), lastUid: summary.lastUid, uidValidity });
          await this.waitForWork(client);
        }
      } catch (err) {
        if (err instanceof MailboxLeaseLost || this.leaseLost) {
          await this.disconnect();
          await this.releaseLease();
          await sleep(this.leaseMs / 2, signal);
          continue;
        }
        if (this.stopped) break;
        failures++;
        const reason = describeImapError(err, this.channel);
        const delay = Math.min(max, initial * 2 ** (failures - 1)) * (0.8 + Math.random() * 0.4);
        this.log.warn({ reason, failures, retryInMs: Math.round(delay) }, 'mailbox reader error');
        await this.health({ connected: false, lastError: reason, lastErrorAt: this.deps.clock.now().toISOString(), failures });
        await this.disconnect();
        await sleep(delay, signal);
        continue;
      }
      break;
    }
    await this.disconnect();
    await this.health({ connected: false });
    await this.releaseLease();
  }

  /** Stops reading: the batch being written finishes, the connection closes, the lease is released. */
  async stop(): Promise<void> {
    this.stopController.abort();
    this.wake?.();
    // Idle or still connecting: close now. In the middle of a batch: the loop stops after it.
    if (this.client && (this.client.idling || !this.client.usable)) this.client.close();
    await this.running;
  }

  /**
   * One import pass in the foreground (the `mailbox import` command): takes the lease or fails with
   * MailboxBusyError, imports everything above the checkpoint, disconnects, releases the lease.
   */
  async importOnce(): Promise<ImportSummary> {
    const lease = await this.takeLease();
    if (!lease) {
      const state = await getMailboxState(this.deps.db, this.channel.tenantId, this.channel.id);
      throw new MailboxBusyError(state?.lease_owner ?? null);
    }
    try {
      if (this.options.since !== undefined) await setMailboxImportSince(this.deps.db, this.channel.id, this.options.since);
      const client = await this.connect();
      const uidValidity = await this.openFolder(client);
      await this.moveCatchUp(client, (await getMailboxState(this.deps.db, this.channel.tenantId, this.channel.id))!.last_uid);
      const summary = await this.importPass(client, uidValidity);
      await this.health({ backlog: 0, lastSuccessAt: this.deps.clock.now().toISOString(), lastUid: summary.lastUid, uidValidity });
      return summary;
    } catch (err) {
      if (!(err instanceof MailboxLeaseLost)) await this.health({ lastError: describeImapError(err, this.channel), lastErrorAt: this.deps.clock.now().toISOString() });
      throw err;
    } finally {
      await this.disconnect();
      await this.releaseLease();
    }
  }
}
