import type { Config } from '../config.ts';
import { createDeps } from '../deps.ts';
import { findTenantBySlug } from '../db/repositories/tenants.ts';
import { computeAllSignals } from './signals.ts';
import { buildDigest, sendDigest } from './digest.ts';

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

/** `guichet signals [--tenant SLUG]` and `guichet digest --tenant SLUG [--dry-run]`. */
export async function steeringCommand(config: Config, command: 'signals' | 'digest', args: string[]): Promise<void> {
  const slug = flag(args, 'tenant');
  if (command === 'digest' && !slug) {
    console.error('Usage : guichet digest --tenant SLUG [--dry-run]');
    process.exitCode = 2;
    return;
  }
  const deps = await createDeps(config);
  try {
    const tenant = slug ? await findTenantBySlug(deps.db, slug) : undefined;
    if (slug && !tenant) {
      console.error(`Cabinet introuvable : ${slug}`);
      process.exitCode = 2;
      return;
    }
    if (command === 'signals') {
      console.log(JSON.stringify(await computeAllSignals(deps, tenant ? { tenantId: tenant.id } : {})));
      return;
    }
    if (args.includes('--dry-run')) {
      const digest = await buildDigest(deps, tenant!.id, deps.clock.now());
      console.log(`Objet : ${digest.subject}\n\n${digest.text}`);
      console.log(JSON.stringify({ week: digest.week, ...digest.counts, dryRun: true }));
      return;
    }
    const outcome = await sendDigest(deps, tenant!.id);
    console.log(JSON.stringify({ week: outcome.week, status: outcome.status, recipients: outcome.recipients.length, ...outcome.digest.counts }));
  } finally {
    await deps.close();
  }
}
