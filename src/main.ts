import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createDeps, type Deps } from './deps.ts';
import { buildApp } from './http/app.ts';
import { countTenants } from './db/repositories/tenants.ts';
import { startWorkers } from '../workers/index.ts';
import { loadDemo } from './demo/load.ts';

const USAGE = `Usage : guichet <commande>

  start     tout-en-un : API, console et travaux de fond dans un seul processus (par défaut)
  api       l'API HTTP seule
  worker    les travaux de fond seuls
  migrate   applique les migrations de la base
  demo      crée le cabinet de démonstration (s'il n'existe pas)
  deadlines vérifie une fois les délais et alerte selon les règles d'escalade des processus
  tenant apply FICHIER.json
            crée ou met à jour un cabinet (utilisateurs, réglages, processus) depuis un fichier
  train     entraîne le modèle de qualification livré à partir du corpus (src/classify/corpus)
  eval      validation croisée en 5 plis du modèle sur le corpus, par tâche
  eval-classifier --data FICHIER.csv --field product|cause|kind
            évalue le modèle livré sur un CSV text,label (JSON sur la dernière ligne)
  mailbox import --channel ID|ADRESSE [--since AAAA-MM-JJ]
            importe au premier plan le courrier d'une boîte (reprise possible, JSON sur la dernière ligne)
  signals [--tenant SLUG]
            recalcule les signaux (causes récurrentes) de la dernière semaine complète (JSON)
  digest --tenant SLUG [--dry-run]
            synthèse du lundi aux responsables : l'affiche (--dry-run) ou l'envoie une fois par semaine
  bench db|ingest|email|dashboard  mesures de performance (voir README)
  inspect-email FICHIER.eml
            passe un email brut dans le mappeur de production, sans rien écrire ; JSON sur la dernière
            ligne (kind, fromEmail, threadRef, newText…) ; illisible : kind null, error, code de sortie 1
`;

function progressBar(label: string) {
  const tty = process.stdout.isTTY;
  let last = -1;
  return (done: number, total: number) => {
    const pct = Math.floor((done / total) * 100);
    if (pct === last) return;
    last = pct;
    const width = 30;
    const filled = Math.round((pct / 100) * width);
    const line = `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${pct}% (${done}/${total})`;
    if (tty) process.stdout.write(`\r${line}${done === total ? '\n' : ''}`);
    else if (pct % 25 === 0) console.log(line);
  };
}

function demoLoginFile(config: Config): string | null {
  return config.dataDir === 'memory' ? null : path.resolve(config.dataDir, 'demo-login.txt');
}

async function runDemo(deps: Deps): Promise<void> {
  const result = await loadDemo(deps, { onProgress: progressBar('Chargement de la démo') });
  const file = demoLoginFile(deps.config);
  if (result.created && result.password) {
    const text = `Identifiant : ${result.email}\nMot de passe : ${result.password}\n`;
    if (file) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, text, { mode: 0o600 });
    }
    console.log(`Cabinet de démonstration créé (${result.complaints} réclamations).`);
  } else {
    console.log('Le cabinet de démonstration existe déjà.');
  }
}

function printDemoLogin(config: Config): void {
  const file = demoLoginFile(config);
  if (file && existsSync(file)) {
    const shown = path.relative(process.cwd(), file);
    console.log(`\nCompte de démonstration (gardé dans ${shown.startsWith('..') ? file : shown}) :`);
    for (const line of readFileSync(file, 'utf8').trim().split('\n')) console.log(`  ${line}`);
  }
}

function onShutdown(deps: Deps, stops: (() => Promise<void> | void)[]): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => process.exit(1), 15_000);
    force.unref();
    for (const s of stops) await s();
    await deps.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

async function serve(deps: Deps, withWorker: boolean): Promise<void> {
  const app = await buildApp(deps, deps.secretKey);
  const stopWork = withWorker ? await startWorkers(deps) : async () => {};
  // Stop taking requests first, then let running jobs finish (deps.close closes the queue gracefully).
  onShutdown(deps, [() => app.close(), stopWork]);
  await app.listen({ host: deps.config.host, port: deps.config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : deps.config.port;
  const local = `http://${deps.config.host === '0.0.0.0' ? 'localhost' : deps.config.host}:${port}`;
  console.log(`\nGuichet est prêt : ${local}  (base : ${deps.dbKind === 'pglite' ? `embarquée, ${deps.config.pgliteDir}` : 'PostgreSQL'})`);
  console.log(`Console des agents : ${local}/console/`);
  console.log(`Documentation de l'API : ${local}/api/docs`);
}

/** Separate api and worker processes share work through PostgreSQL and Redis; the embedded mode is `start`. */
function requireDistributed(config: Config, role: string): void {
  const missing = [!config.databaseUrl && 'DATABASE_URL', !config.redisUrl && 'REDIS_URL'].filter(Boolean);
  if (missing.length > 0) {
    console.error(`« guichet ${role} » fonctionne avec d'autres processus : définissez ${missing.join(' et ')} (ou utilisez « npm start », tout-en-un).`);
    process.exit(2);
  }
}

async function main(argv: string[]): Promise<void> {
  const [command = 'start', ...args] = argv;
  if (command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  switch (command) {
    case 'start': {
      const deps = await createDeps(config);
      if (config.demo === 'on' || (config.demo === 'auto' && (await countTenants(deps.db)) === 0)) await runDemo(deps);
      await serve(deps, true);
      printDemoLogin(config);
      return;
    }
    case 'api':
      requireDistributed(config, 'api');
      await serve(await createDeps(config), false);
      return;
    case 'worker': {
      requireDistributed(config, 'worker');
      const deps = await createDeps(config, { migrate: false });
      onShutdown(deps, [await startWorkers(deps)]);
      deps.logger.info({ queue: deps.queue.kind }, 'worker started');
      return;
    }
    case 'migrate': {
      const deps = await createDeps(config, { migrate: false });
      const { migrateToLatest } = await import('./db/index.ts');
      const { applied } = await migrateToLatest(deps.db);
      console.log(applied.length ? `Migrations appliquées : ${applied.join(', ')}` : 'Base à jour, aucune migration à appliquer.');
      await deps.close();
      return;
    }
    case 'demo': {
      const deps = await createDeps(config);
      await runDemo(deps);
      printDemoLogin(config);
      await deps.close();
      return;
    }
    case 'tenant': {
      if (args[0] !== 'apply' || !args[1]) {
        console.error('Usage : guichet tenant apply FICHIER.json');
        process.exit(2);
      }
      const { readFileSync } = await import('node:fs');
      const { applyTenantFile } = await import('./services/tenant-apply.ts');
      const { DomainError } = await import('./domain/errors.ts');
      const deps = await createDeps(config);
      try {
        const report = await applyTenantFile(deps, JSON.parse(readFileSync(args[1], 'utf8')));
        for (const inv of report.invitations) console.log(`Invitation pour ${inv.email} : ${inv.url}`);
        console.log(JSON.stringify({ tenantId: report.tenantId, slug: report.slug }));
      } catch (err) {
        if (err instanceof DomainError) {
          console.error(`${err.message}${err.fields ? `\n${Object.entries(err.fields).map(([k, v]) => `  ${k} : ${v}`).join('\n')}` : ''}`);
          process.exitCode = 2;
        } else throw err;
      } finally {
        await deps.close();
      }
      return;
    }
    case 'deadlines': {
      const deps = await createDeps(config);
      const { runDeadlineWatch } = await import('./routing/deadlines.ts');
      console.log(JSON.stringify(await runDeadlineWatch(deps)));
      await deps.close();
      return;
    }
    case 'train': {
      (await import('./classify/cli.ts')).trainCommand();
      return;
    }
    case 'eval': {
      (await import('./classify/cli.ts')).evalCommand();
      return;
    }
    case 'eval-classifier': {
      (await import('./classify/cli.ts')).evalClassifierCommand(args);
      return;
    }
    case 'inspect-email': {
      if (!args[0] || !existsSync(args[0])) {
        console.error(args[0] ? `Fichier introuvable : ${args[0]}` : 'Usage : guichet inspect-email FICHIER.eml');
        process.exit(2);
      }
      const { inspectEmail } = await import('../connectors/email/inspect.ts');
      const result = await inspectEmail(readFileSync(args[0]));
      console.log(JSON.stringify(result));
      if (result.kind === null) process.exitCode = 1;
      return;
    }
    case 'mailbox': {
      await (await import('../connectors/email/cli.ts')).mailboxCommand(config, args);
      return;
    }
    case 'signals':
    case 'digest': {
      await (await import('./steering/cli.ts')).steeringCommand(config, command, args);
      return;
    }
    case 'bench': {
      const { runBench } = await import('./bench/index.ts');
      await runBench(config, args);
      return;
    }
    default:
      console.error(`Commande inconnue : ${command}\n\n${USAGE}`);
      process.exit(2);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
