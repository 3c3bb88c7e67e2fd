/**
 * `guichet bench email [--n 10000] [--batch 1000] [--rounds 3] [--only pglite|postgres]`: a throwaway
 * Dovecot filled with N varied mails, then, in each round,
 * (a) a bare imapflow session that fetches all their sources (the ceiling: connect, SELECT, one FETCH of
 *     everything, LOGOUT; IMAP and parsing only) and
 * (b) the full import through the mailbox reader into the inbound journal (lease, connect, Message-ID,
 *     batch INSERT, checkpoint, \Seen flags, LOGOUT), on the embedded database (on disk, as `npm start`
 *     keeps it) and, when DATABASE_URL is set, on PostgreSQL; each import starts from unread mails in a
 *     new channel and a new database.
 * The machine is shared and noisy: each import is compared with the bare session of its own round, and
 * the median of the rounds' ratios is reported (the first round also pays for the JIT warm-up).
 * Last line: `{ n, bareFetchPerSecond, importPerSecond, ratio, peakRssMb, database, postgres?, rounds }`.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { sql } from 'kysely';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../config.ts';
import { createDeps, type Deps } from '../deps.ts';
import { createLogger } from '../logger.ts';
import { signup } from '../services/accounts.ts';
import { openChannel, saveChannel } from '../services/channels.ts';
import type { Channel } from '../db/types.ts';
import { startDovecot, type DovecotServer } from '../testing/dovecot.ts';
import { childrenOf, commandOf, parentOf, treeCpuMs } from '../testing/proc.ts';
import { withScratchDatabase } from './scratch-db.ts';
import { importMailbox } from '../../connectors/email/imap.ts';

const FIRST = ['Jeanne', 'Paul', 'Amina', 'Luc', 'Sophie', 'Karim', 'Élise', 'Marc', 'Nadia', 'Hugo', 'Chloé', 'Yann'];
const LAST = ['Dupont', 'Martin', 'Benali', 'Roux', 'Lefèvre', 'Nguyen', 'Moreau', 'Garcia', 'Faure', 'Lambert'];
const TOPICS = [
  ['Remboursement dentaire refusé', 'Ma mutuelle refuse de rembourser ma couronne alors que le devis avait été accepté.'],
  ['Sinistre dégât des eaux', 'Le dégât des eaux de ma cuisine n’est toujours pas indemnisé, l’expert n’a rien envoyé.'],
  ['Franchise auto contestée', 'La franchise appliquée sur mon sinistre est bien plus élevée que celle du contrat.'],
  ['Résiliation non prise en compte', 'J’ai demandé la résiliation à l’échéance et je suis toujours prélevé.'],
  ['Hausse de cotisation', 'Ma cotisation d’assurance emprunteur a augmenté sans avenant ni courrier.'],
  ['Attestation introuvable', 'Je n’arrive pas à obtenir mon attestation d’assurance habitation pour mon bailleur.'],
  ['Bris de glace refusé', 'Le remplacement de mon pare-brise est refusé alors que je suis couvert.'],
  ['Frais vétérinaires', 'Les frais vétérinaires de mon chien ont été refusés sans explication.'],
];

const pick = <T>(list: T[], i: number): T => list[i % list.length]!;

function rfc2047(s: string): string {
  return /[^\x20-\x7e]/.test(s) ? `=?UTF-8?B?${Buffer.from(s).toString('base64')}?=` : s;
}

function base64Lines(buf: Buffer): string {
  return buf.toString('base64').replace(/.{76}/g, '$&\r\n');
}

/** N realistic mails: plain and HTML, attachments, replies, a few without Message-ID, sizes from 1 to ~40 kB. */
export function benchMails(n: number): Buffer[] {
  const mails: Buffer[] = [];
  const ids: string[] = [];
  const blob = randomBytes(30_000);
  for (let i = 0; i < n; i++) {
    const first = pick(FIRST, i * 7);
    const last = pick(LAST, i * 3);
    const [subject, text] = pick(TOPICS, i);
    const id = `${randomUUID()}@${pick(['gmail.com', 'orange.fr', 'free.fr', 'laposte.net', 'outlook.fr'], i)}`;
    const date = new Date(Date.UTC(2026, 10, 1, 8, 0, 0) + i * 37_000).toUTCString().replace('GMT', '+0000');
    const reply = i % 10 === 9 && ids.length > 0 ? pick(ids, i * 13) : null;
    const headers = [
      `From: ${rfc2047(`${first} ${last}`)} <${first.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')}.${last.toLowerCase().normalize('NFD').replace(/\p{M}/gu, '')}${i % 500}@example.fr>`,
      'To: Cabinet Martin <reclamations@cabinet-martin.example>',
      `Subject: ${rfc2047(`${reply ? 'Re: ' : ''}${subject} (dossier ${i})`)}`,
      `Date: ${date}`,
      ...(i % 50 === 17 ? [] : [`Message-ID: <${id}>`]),
      ...(reply ? [`In-Reply-To: <${reply}>`, `References: <${reply}>`] : []),
      'MIME-Version: 1.0',
    ];
    const body = `Bonjour,\r\n\r\n${text}\r\nMon numéro de contrat est le ${String(100000 + i)}.\r\n\r\nCordialement,\r\n${first} ${last}\r\n`;
    let mime: string;
    if (i % 10 === 3) {
      const boundary = `b${i}x${randomBytes(4).toString('hex')}`;
      const size = 2_000 + (i % 7) * 4_000;
      mime = [
        ...headers,
        `Content-Type: multipart/mixed; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        body,
        `--${boundary}`,
        `Content-Type: application/pdf; name="justificatif-${i}.pdf"`,
        `Content-Disposition: attachment; filename="justificatif-${i}.pdf"`,
        'Content-Transfer-Encoding: base64',
        '',
        base64Lines(Buffer.concat([Buffer.from('%PDF-1.4\n'), blob.subarray(0, size)])),
        `--${boundary}--`,
        '',
      ].join('\r\n');
    } else if (i % 3 === 1) {
      const boundary = `a${i}y${randomBytes(4).toString('hex')}`;
      mime = [
        ...headers,
        `Content-Type: multipart/alternative; boundary="${boundary}"`,
        '',
        `--${boundary}`,
        'Content-Type: text/plain; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        body,
        `--${boundary}`,
        'Content-Type: text/html; charset=utf-8',
        'Content-Transfer-Encoding: 8bit',
        '',
        `<html><body><p>Bonjour,</p><p>${text}</p><p>Cordialement,<br>${first} ${last}</p></body></html>`,
        `--${boundary}--`,
        '',
      ].join('\r\n');
    } else {
      mime = [...headers, 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit', '', body].join('\r\n');
    }
    if (!reply) ids.push(id);
    mails.push(Buffer.from(mime));
  }
  return mails;
}

/** The bare session: connect, SELECT, one FETCH of every source, LOGOUT (what an import also does). */
async function bareFetch(dovecot: DovecotServer, n: number): Promise<{ perSecond: number; fetchOnlyPerSecond: number; bytes: number; cpu: CpuMs }> {
  const sessions = imapSessions(dovecot);
  const dovecot0 = await dovecotCpu(dovecot, sessions);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const client = await dovecot.client();
  let fetchSeconds: number;
  let count = 0;
  let bytes = 0;
  try {
    await client.mailboxOpen('INBOX');
    const f0 = performance.now();
    for await (const m of client.fetch('1:*', { uid: true, source: true })) {
      count++;
      bytes += m.source?.byteLength ?? 0;
    }
    fetchSeconds = (performance.now() - f0) / 1000;
  } finally {
    await client.logout();
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const dovecot1 = await dovecotCpu(dovecot, sessions);
  if (count !== n) throw new Error(`bare fetch saw ${count} mails, expected ${n}`);
  return { perSecond: n / seconds, fetchOnlyPerSecond: n / fetchSeconds, bytes, cpu: { node: usageMs(cpu), dovecot: spent(dovecot0, dovecot1) } };
}

/** Every mail unread again, so that the next import has the same flags to set (not measured). */
async function markAllUnread(dovecot: DovecotServer): Promise<void> {
  const client = await dovecot.client();
  try {
    await client.mailboxOpen('INBOX');
    await client.messageFlagsRemove('1:*', ['\\Seen'], { silent: true });
  } finally {
    await client.logout();
  }
}

/** CPU (ms) by process, as far as this machine can read it: this process, Dovecot, PostgreSQL when local. */
type CpuMs = { node: number; dovecot: number | null; postgres?: number | null };

/** What was spent between two readings (null when either could not be read). */
const spent = (before: number | null, after: number | null) => (before === null || after === null ? null : after - before);
const usageMs = (u: NodeJS.CpuUsage) => Math.round((u.user + u.system) / 1000);

/** Dovecot's IMAP session processes running now. */
const imapSessions = (dovecot: DovecotServer) => {
  const master = dovecot.masterPid();
  return master === null ? 0 : childrenOf(master).filter((c) => commandOf(c) === 'imap').length;
};

/**
 * Reads what Dovecot has spent (master and sessions) once the session just closed has been reaped, so that
 * its CPU is in the master's account and not lost with the process.
 */
async function dovecotCpu(dovecot: DovecotServer, sessionsBefore: number): Promise<number | null> {
  const master = dovecot.masterPid();
  if (master === null || commandOf(master) === null) return null;
  const deadline = Date.now() + 1000;
  while (imapSessions(dovecot) > sessionsBefore && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  return treeCpuMs(master);
}


/**
 * The PostgreSQL postmaster serving this connection, when the server runs on this machine (its backends,
 * WAL writer and checkpointer are its children): null for a remote server or the embedded database.
 */
async function localPostmaster(deps: Deps, databaseUrl: string | undefined): Promise<number | null> {
  if (!databaseUrl || deps.dbKind !== 'postgres') return null;
  const host = new URL(databaseUrl).hostname;
  if (host && !['127.0.0.1', 'localhost', '[::1]', '::1'].includes(host)) return null;
  const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(deps.db);
  const backend = rows[0]?.pid;
  if (!backend || commandOf(backend) !== 'postgres') return null;
  const parent = parentOf(backend);
  return parent !== null && commandOf(parent) === 'postgres' ? parent : null;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function fullImport(deps: Deps, dovecot: DovecotServer, n: number, batchSize: number, label: string): Promise<{ perSecond: number; cpu: CpuMs }> {
  const { tenant } = await signup(deps, { companyName: `Banc email ${randomUUID().slice(0, 6)}`, managerName: 'Banc', email: `bench-${randomUUID()}@bench.example`, plan: 'enterprise', password: 'bench-password-123456' });
  const row = await saveChannel(
    deps,
    tenant.id,
    {
      kind: 'email',
      name: 'Banc',
      config: {
        address: `banc-${randomUUID().slice(0, 8)}@cabinet-martin.example`,
        imap: { host: '127.0.0.1', port: dovecot.port, tls: false, user: dovecot.user, afterImport: 'seen' },
        smtp: { host: '127.0.0.1', port: 25 },
      },
      secrets: { imapPassword: dovecot.password },
    },
    { actorUserId: null },
  );
  const channel = openChannel(deps, row as Channel & { kind: 'email' });
  let lastShown = -1;
  const postmaster = await localPostmaster(deps, deps.config.databaseUrl);
  const sessions = imapSessions(dovecot);
  const dovecot0 = await dovecotCpu(dovecot, sessions);
  const postgres0 = postmaster === null ? null : treeCpuMs(postmaster);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const summary = await importMailbox(deps, channel, {
    batchSize,
    onProgress: ({ done, total }) => {
      const tenth = Math.floor((done / total) * 10);
      if (tenth !== lastShown) {
        lastShown = tenth;
        console.log(`${label} : ${done}/${total} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      }
    },
  });
  const seconds = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(cpu0);
  const postgres1 = postmaster === null ? null : treeCpuMs(postmaster);
  const dovecot1 = await dovecotCpu(dovecot, sessions);
  if (summary.imported !== n) throw new Error(`import journaled ${summary.imported} mails, expected ${n}`);
  const cpu: CpuMs = {
    node: usageMs(own),
    dovecot: spent(dovecot0, dovecot1),
    ...(deps.dbKind === 'postgres' ? { postgres: spent(postgres0, postgres1) } : {}),
  };
  console.log(`${label} : ${seconds.toFixed(1)} s dont fetch ${summary.timings.fetchMs} ms, attente du journal ${summary.timings.journalWaitMs} ms, drapeaux ${summary.timings.afterImportMs} ms ; ${cpuText(cpu)}`);
  return { perSecond: n / seconds, cpu };
}

/** « CPU : ce processus 570 ms, Dovecot 280 ms, PostgreSQL 400 ms » (what could be read). */
function cpuText(cpu: CpuMs): string {
  const parts = [`ce processus ${cpu.node} ms`];
  if (cpu.dovecot !== null) parts.push(`Dovecot ${cpu.dovecot} ms`);
  if (cpu.postgres !== undefined && cpu.postgres !== null) parts.push(`PostgreSQL ${cpu.postgres} ms`);
  return `CPU : ${parts.join(', ')}`;
}

export async function benchEmail(config: Config, args: string[]) {
  const flag = (name: string, fallback: number) => {
    const i = args.indexOf(`--${name}`);
    const v = i >= 0 ? Number(args[i + 1]) : NaN;
    return Number.isFinite(v) && v > 0 ? Math.floor(v) : fallback;
  };
  const n = flag('n', 10_000);
  const batchSize = flag('batch', 1000);
  const roundsWanted = flag('rounds', 3);
  // `--only pglite|postgres` runs one of the two imports (profiling); the default runs both.
  const onlyAt = args.indexOf('--only');
  const only = onlyAt >= 0 ? args[onlyAt + 1] : undefined;
  const logger = createLogger('warn');
  const filesDir = mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-email-'));
  let t = performance.now();
  const mails = benchMails(n);
  const megabytes = mails.reduce((s, m) => s + m.byteLength, 0) / 1024 / 1024;
  console.log(`${n} mails générés (${megabytes.toFixed(1)} Mo) en ${((performance.now() - t) / 1000).toFixed(1)} s`);
  const dovecot = await startDovecot();
  try {
    t = performance.now();
    await dovecot.writeMaildir(mails);
    // First SELECT: Dovecot indexes the new Maildir files (not part of either measure).
    const warm = await dovecot.client();
    const opened = await warm.mailboxOpen('INBOX');
    await warm.logout();
    if (opened.exists !== n) throw new Error(`Dovecot sees ${opened.exists} mails, expected ${n}`);
    console.log(`boîte Dovecot remplie et indexée en ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // Each import gets a database of its own (a scratch one dropped afterwards on PostgreSQL).
    type Target = { label: string; key: 'pglite' | 'postgres'; withDeps: <T>(fn: (deps: Deps) => Promise<T>) => Promise<T> };
    const inDeps = async <T>(c: Config, fn: (deps: Deps) => Promise<T>): Promise<T> => {
      const deps = await createDeps(c, { logger });
      try {
        return await fn(deps);
      } finally {
        await deps.close();
      }
    };
    const targets: Target[] = [];
    if (only !== 'postgres') {
      // On disk, in a folder of its own, as `npm start` keeps it (data/db).
      targets.push({
        label: 'base embarquée',
        key: 'pglite',
        withDeps: async (fn) => {
          const dir = mkdtempSync(path.join(os.tmpdir(), 'guichet-bench-email-db-'));
          try {
            return await inDeps({ ...config, databaseUrl: undefined, redisUrl: undefined, pgliteDir: path.join(dir, 'db'), filesDir }, fn);
          } finally {
            rmSync(dir, { recursive: true, force: true });
          }
        },
      });
    }
    const serverUrl = config.databaseUrl;
    if (serverUrl && only !== 'pglite') {
      targets.push({
        label: 'PostgreSQL',
        key: 'postgres',
        withDeps: (fn) => withScratchDatabase(serverUrl, `guichet_bench_email_${process.pid}`, (url) => inDeps({ ...config, databaseUrl: url, redisUrl: undefined, filesDir }, fn)),
      });
    }

    const rounds: { barePerSecond: number; bareFetchOnlyPerSecond: number; pglite?: number; postgres?: number; cpuMs: { bare: CpuMs; pglite?: CpuMs; postgres?: CpuMs } }[] = [];
    for (let r = 1; r <= roundsWanted; r++) {
      const bare = await bareFetch(dovecot, n);
      console.log(`tour ${r} — session IMAP nue : ${Math.round(bare.perSecond)} mails/s (FETCH seul : ${Math.round(bare.fetchOnlyPerSecond)} mails/s) ; ${cpuText(bare.cpu)}`);
      const round: (typeof rounds)[number] = { barePerSecond: Math.round(bare.perSecond), bareFetchOnlyPerSecond: Math.round(bare.fetchOnlyPerSecond), cpuMs: { bare: bare.cpu } };
      for (const target of targets) {
        await markAllUnread(dovecot);
        const { perSecond: rate, cpu } = await target.withDeps((deps) => fullImport(deps, dovecot, n, batchSize, `tour ${r} — import (${target.label})`));
        round[target.key] = Math.round(rate);
        round.cpuMs[target.key] = cpu;
        console.log(`tour ${r} — import complet (${target.label}) : ${Math.round(rate)} mails/s, ${(rate / bare.perSecond).toFixed(3)} de la session nue`);
      }
      rounds.push(round);
    }
    const ratioOf = (key: 'pglite' | 'postgres') => Number(median(rounds.map((x) => x[key]! / x.barePerSecond)).toFixed(3));
    const has = (key: 'pglite' | 'postgres') => targets.some((t) => t.key === key);
    return {
      n,
      bareFetchPerSecond: Math.round(median(rounds.map((x) => x.barePerSecond))),
      importPerSecond: has('pglite') ? Math.round(median(rounds.map((x) => x.pglite!))) : null,
      ratio: has('pglite') ? ratioOf('pglite') : null,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      database: 'pglite',
      batchSize,
      megabytes: Number(megabytes.toFixed(1)),
      ...(has('postgres') ? { postgres: { importPerSecond: Math.round(median(rounds.map((x) => x.postgres!))), ratio: ratioOf('postgres') } } : {}),
      rounds,
    };
  } finally {
    await dovecot.destroy();
    rmSync(filesDir, { recursive: true, force: true });
  }
}
