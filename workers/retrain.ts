import type { Deps } from '../src/deps.ts';
import { retrainTenant } from '../src/classify/tenant-models.ts';
import type { JobHandler } from '../src/queue/types.ts';

/** The `retrain` job: a new version of the tenant's model from its agents' corrections. */
export function retrainHandler(deps: Deps): JobHandler<'retrain'> {
  return async ({ tenantId, requestedBy }) => {
    await retrainTenant(deps, tenantId, requestedBy);
  };
}
