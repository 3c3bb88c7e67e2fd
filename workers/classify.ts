import type { Deps } from '../src/deps.ts';
import { qualifyMessage } from '../src/classify/apply.ts';
import type { JobHandler } from '../src/queue/types.ts';

/** The `classify` job: qualify one inbound message and route its complaint. */
export function classifyHandler(deps: Deps): JobHandler<'classify'> {
  return async ({ tenantId, messageId }) => {
    await qualifyMessage(deps, tenantId, messageId);
  };
}
