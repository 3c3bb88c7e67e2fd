/**
 * A throwaway Dovecot IMAP server for tests and the email benchmark (one implementation, re-exported by
 * test/helpers/dovecot.ts). Everything lives in a temporary folder: the config file, a passwd-file user,
 * the Maildir, base_dir/state_dir and the log, so that several instances never collide. It listens on a
 * free loopback port, plaintext (loopback only), and is stopped by the pid in base_dir/master.pid.
 * Options: `tls` (a certificate and key: STARTTLS on that port, and implicit TLS on a second one,
 * `tlsPort`) and `oauth2` (XOAUTH2 / OAUTHBEARER checked by Dovecot's oauth2 passdb against a token
 * introspection URL, RFC 7662 style; the password still works for the harness's own client).
 * See shared/ENVIRONMENT.md, "Dovecot".
 */
import { execFile, spawnSync } from 'node:child_process';
import { childrenOf } from './proc.ts';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ImapFlow } from 'imapflow';

const run = promisify(execFile);
export const DOVECOT_BIN = '/usr/sbin/dovecot';
const DOVEADM_BIN = '/usr/bin/doveadm';

export function dovecotAvailable(): boolean {
  return existsSync(DOVECOT_BIN) && process.getuid?.() === 0;
}

/** Why Dovecot tests cannot run here, or null when they can. */
export function dovecotUnavailableReason(): string | null {
  if (!existsSync(DOVECOT_BIN)) return `${DOVECOT_BIN} is missing (apt-get install -y dovecot-imapd)`;
  if (process.getuid?.() !== 0) return 'the Dovecot harness needs root (it runs imap as the dovecot user)';
  return null;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('data', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.setTimeout(1000, () => {
      socket.destroy();
      resolve(false);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function ids(): { uid: number; gid: number } {
  const uid = Number(spawnSync('id', ['-u', 'dovecot'], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', 'dovecot'], { encoding: 'utf8' }).stdout.trim());
  if (!uid || !gid) throw new Error('the system user "dovecot" is missing (install dovecot-core)');
  return { uid, gid };
}

function chownTree(dir: string, uid: number, gid: number): void {
  chownSync(dir, uid, gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, uid, gid);
    else chownSync(p, uid, gid);
  }
}

export interface DovecotOptions {
  user?: string;
  password?: string;
  /** PEM files of the server certificate and its key: STARTTLS on `port`, implicit TLS on `tlsPort`. */
  tls?: { certFile: string; keyFile: string };
  /**
   * Tokens checked by POSTing `token=…` to this URL (Dovecot `introspection_mode = post`); the answer
   * must be JSON with `active: true` and `username` equal to the login. `mechanisms` offered: both by default.
   */
  oauth2?: { introspectionUrl: string; mechanisms?: ('xoauth2' | 'oauthbearer')[] };
}

export interface DovecotServer {
  readonly host: '127.0.0.1';
  /** Plaintext IMAP (with STARTTLS when `tls` was given). */
  readonly port: number;
  /** Implicit TLS (IMAPS) when `tls` was given, else null. */
  readonly tlsPort: number | null;
  readonly user: string;
  readonly password: string;
  readonly dir: string;
  /** The INBOX Maildir (cur/ new/ tmp/). */
  readonly maildir: string;
  /** Appends one raw message to a folder (INBOX by default) over IMAP; returns its UID. */
  append(raw: string | Buffer, options?: { folder?: string; flags?: string[]; date?: Date }): Promise<number | undefined>;
  /** Appends many messages over one connection per `connections` (parallel APPENDs). */
  appendMany(raws: (string | Buffer)[], options?: { folder?: string; connections?: number }): Promise<void>;
  /** Drops message files straight into Maildir/new (fastest way to fill a mailbox for a benchmark). */
  writeMaildir(raws: (string | Buffer)[]): Promise<void>;
  /** Gives the folder a new UIDVALIDITY (as a server restore or a recreated mailbox would). */
  setUidValidity(value: number, folder?: string): Promise<void>;
  /** An IMAP client logged in as the test user (caller closes it). */
  client(): Promise<ImapFlow>;
  start(): Promise<void>;
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and removes its folder. */
  destroy(): Promise<void>;
  log(): string;
  /** The master process, while the server runs (its CPU, with its sessions', is read from /proc). */
  masterPid(): number | null;
}

/** Writes a config under a new temporary folder, starts `dovecot -c FILE` and waits for its port. */
export async function startDovecot(options: DovecotOptions = {}): Promise<DovecotServer> {
  const reason = dovecotUnavailableReason();
  if (reason) throw new Error(`Dovecot unavailable: ${reason}`);
  const { uid, gid } = ids();
  const user = options.user ?? 'boite';
  const password = options.password ?? randomBytes(9).toString('base64url');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'guichet-dovecot-'));
  // Login processes run as dovenull and must reach base_dir: the folder may not stay 0700.
  chmodSync(dir, 0o755);
  const baseDir = path.join(dir, 'run');
  const stateDir = path.join(dir, 'state');
  const mailRoot = path.join(dir, 'mail');
  const home = path.join(mailRoot, user);
  const maildir = path.join(home, 'Maildir');
  for (const d of [baseDir, stateDir, path.join(maildir, 'cur'), path.join(maildir, 'new'), path.join(maildir, 'tmp')]) mkdirSync(d, { recursive: true });
  chownTree(mailRoot, uid, gid);
  const port = await freePort();
  const tlsPort = options.tls ? await freePort() : null;
  const passwd = path.join(dir, 'passwd');
  writeFileSync(passwd, `${user}:{PLAIN}${password}::::::\n`, { mode: 0o644 });
  const oauth2Mechanisms = options.oauth2 ? (options.oauth2.mechanisms ?? ['xoauth2', 'oauthbearer']) : [];
  const oauth2File = path.join(dir, 'dovecot-oauth2.conf.ext');
  if (options.oauth2) {
    writeFileSync(
      oauth2File,
      [
        'introspection_mode = post',
        `introspection_url = ${options.oauth2.introspectionUrl}`,
        'username_attribute = username',
        'active_attribute = active',
        'active_value = true',
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
  }
  const tlsLines = options.tls ? ['ssl = yes', `ssl_cert = <${options.tls.certFile}`, `ssl_key = <${options.tls.keyFile}`] : ['ssl = no'];
  const oauth2Passdb = options.oauth2
    ? ['passdb {', '  driver = oauth2', `  mechanisms = ${oauth2Mechanisms.join(' ')}`, `  args = ${oauth2File}`, '}']
    : [];
  const configFile = path.join(dir, 'dovecot.conf');
  const logFile = path.join(dir, 'dovecot.log');
  const startupLog = path.join(dir, 'startup.log');
  writeFileSync(
    configFile,
    [
      `base_dir = ${baseDir}`,
      `state_dir = ${stateDir}`,
      `log_path = ${logFile}`,
      `info_log_path = ${logFile}`,
      'protocols = imap',
      'listen = 127.0.0.1',
      ...tlsLines,
      'disable_plaintext_auth = no',
      `auth_mechanisms = ${['plain', 'login', ...oauth2Mechanisms].join(' ')}`,
      'default_login_user = dovenull',
      'default_internal_user = dovecot',
      `mail_location = maildir:${mailRoot}/%u/Maildir`,
      'mail_fsync = never',
      // The system user dovecot has a low uid, below the packaged default of 500.
      `first_valid_uid = ${uid}`,
      `first_valid_gid = ${gid}`,
      'namespace inbox {',
      '  inbox = yes',
      '  separator = /',
      '  mailbox Archives {',
      '    auto = create',
      '  }',
      '}',
      ...oauth2Passdb,
      'passdb {',
      '  driver = passwd-file',
      ...(options.oauth2 ? ['  mechanisms = plain login'] : []),
      `  args = scheme=PLAIN username_format=%u ${passwd}`,
      '}',
      'userdb {',
      '  driver = static',
      `  args = uid=${uid} gid=${gid} home=${mailRoot}/%u`,
      '}',
      'service imap-login {',
      '  inet_listener imap {',
      '    address = 127.0.0.1',
      `    port = ${port}`,
      '  }',
      '  inet_listener imaps {',
      ...(tlsPort ? ['    address = 127.0.0.1', `    port = ${tlsPort}`, '    ssl = yes'] : ['    port = 0']),
      '  }',
      '}',
      'service stats {',
      '  inet_listener http {',
      '    port = 0',
      '  }',
      '}',
      'protocol imap {',
      '  mail_max_userip_connections = 100',
      '}',
      '',
    ].join('\n'),
  );
  const pidFile = path.join(baseDir, 'master.pid');
  let stopped = true;

  const pid = (): number | null => {
    if (!existsSync(pidFile)) return null;
    const n = Number(readFileSync(pidFile, 'utf8').trim());
    return Number.isInteger(n) && n > 0 ? n : null;
  };
  // A daemon reparented to a PID 1 that never reaps it stays a zombie: count that as stopped.
  const alive = (p: number) => {
    try {
      process.kill(p, 0);
    } catch {
      return false;
    }
    try {
      return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${p}/stat`, 'utf8'));
    } catch {
      return false;
    }
  };
  const killNow = () => {
    const p = pid();
    if (p && alive(p)) process.kill(p, 'SIGKILL');
  };
  process.once('exit', killNow);

  const server: DovecotServer = {
    host: '127.0.0.1',
    port,
    tlsPort,
    user,
    password,
    dir,
    maildir,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    masterPid: () => (stopped ? null : pid()),
    async start() {
      // The daemon keeps the descriptors it inherits: give it a file, not a pipe spawnSync would wait on.
      const out = openSync(startupLog, 'w');
      const r = spawnSync(DOVECOT_BIN, ['-c', configFile], { stdio: ['ignore', out, out] });
      closeSync(out);
      if (r.status !== 0) throw new Error(`dovecot did not start: ${readFileSync(startupLog, 'utf8')}\n${server.log()}`);
      stopped = false;
      const deadline = Date.now() + 15_000;
      while (!(await canConnect(port))) {
        if (Date.now() > deadline) throw new Error(`dovecot does not answer on port ${port}\n${server.log()}`);
        await sleep(50);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const p = pid();
      if (!p) return;
      // Session processes (imap, one per client) outlive the master by seconds: end them too, so that
      // clients see the connection drop at once, as with a real server restart.
      const children = childrenOf(p);
      try {
        process.kill(p, 'SIGTERM');
      } catch {
        return;
      }
      const deadline = Date.now() + 10_000;
      while (alive(p) && Date.now() < deadline) await sleep(50);
      if (alive(p)) process.kill(p, 'SIGKILL');
      for (const c of children) {
        try {
          if (alive(c)) process.kill(c, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
      // Child processes (imap, auth) exit with the master; wait for the port to close.
      while ((await canConnect(port)) && Date.now() < deadline + 5000) await sleep(50);
    },
    async restart() {
      await server.stop();
      await server.start();
    },
    async destroy() {
      await server.stop();
      process.off('exit', killNow);
      rmSync(dir, { recursive: true, force: true });
    },
    async client() {
      // The harness's own client stays in plaintext on loopback, even where STARTTLS is offered.
      const c = new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user, pass: password }, logger: false, disableAutoIdle: true });
      c.on('error', () => {
        /* surfaced by the next command */
      });
      await c.connect();
      return c;
    },
    async append(raw, opts = {}) {
      const c = await server.client();
      try {
        const res = await c.append(opts.folder ?? 'INBOX', typeof raw === 'string' ? Buffer.from(raw) : raw, opts.flags ?? [], opts.date);
        return res ? res.uid : undefined;
      } finally {
        await c.logout().catch(() => c.close());
      }
    },
    async appendMany(raws, opts = {}) {
      const connections = Math.max(1, Math.min(opts.connections ?? 4, raws.length));
      let next = 0;
      await Promise.all(
        Array.from({ length: connections }, async () => {
          const c = await server.client();
          try {
            for (let i = next++; i < raws.length; i = next++) {
              const raw = raws[i]!;
              await c.append(opts.folder ?? 'INBOX', typeof raw === 'string' ? Buffer.from(raw) : raw, []);
            }
          } finally {
            await c.logout().catch(() => c.close());
          }
        }),
      );
    },
    async writeMaildir(raws) {
      const stamp = Math.floor(Date.now() / 1000);
      const host = os.hostname().replace(/[/:]/g, '_');
      const tag = randomBytes(4).toString('hex');
      const files: string[] = [];
      for (let i = 0; i < raws.length; i += 256) {
        await Promise.all(
          raws.slice(i, i + 256).map(async (raw, j) => {
            const file = path.join(maildir, 'new', `${stamp}.M${i + j}P${process.pid}_${tag}.${host}`);
            await writeFile(file, raw);
            files.push(file);
          }),
        );
      }
      for (const f of files) chownSync(f, uid, gid);
    },
    async setUidValidity(value, folder = 'INBOX') {
      await run(DOVEADM_BIN, ['-c', configFile, 'mailbox', 'update', '-u', user, '--uid-validity', String(value), folder]);
    },
  };
  await server.start();
  return server;
}
