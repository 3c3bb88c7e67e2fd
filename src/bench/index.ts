import type { Config } from '../config.ts';

/** `guichet bench <name…>`: each bench prints progress lines, then one JSON summary on its last line. */
export async function runBench(config: Config, args: string[]): Promise<void> {
  // Names come first; flags (`--n 1000`) follow them.
  const firstFlag = args.findIndex((a) => a.startsWith('--'));
  const names = firstFlag === -1 ? args : args.slice(0, firstFlag);
  const wanted = names.length > 0 ? names : ['db'];
  const results: Record<string, unknown> = {};
  for (const name of wanted) {
    switch (name) {
      case 'db': {
        const { benchDb } = await import('./db.ts');
        results.db = await benchDb(config, args);
        break;
      }
      case 'ingest': {
        const { benchIngest } = await import('./ingest.ts');
        results.ingest = await benchIngest(config, args);
        break;
      }
      case 'webhooks': {
        const { benchWebhooks } = await import('./webhooks.ts');
        results.webhooks = await benchWebhooks(config, args);
        break;
      }
      case 'email': {
        const { benchEmail } = await import('./email.ts');
        results.email = await benchEmail(config, args);
        break;
      }
      case 'classify': {
        const { benchClassify } = await import('./classify.ts');
        results.classify = await benchClassify(args);
        break;
      }
      case 'console': {
        const { benchConsole } = await import('./console.ts');
        results.console = await benchConsole(config, args);
        break;
      }
      case 'dashboard': {
        const { benchDashboard } = await import('./dashboard.ts');
        results.dashboard = await benchDashboard(config, args);
        break;
      }
      default:
        console.error(`Benchmark inconnu : ${name} (disponibles : db, ingest, classify, webhooks, email, console, dashboard)`);
        process.exit(2);
    }
  }
  console.log(JSON.stringify(wanted.length === 1 ? results[wanted[0]!] : results));
}
