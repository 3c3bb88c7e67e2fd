import type { Deps } from '../src/deps.ts';
import { deliverMessage } from '../src/notify/dispatch.ts';
import type { JobHandler } from '../src/queue/types.ts';

/** The `send` job: one outbound message through its connector (retries and failures recorded in src/notify). */
export function sendHandler(deps: Deps): JobHandler<'send'> {
  return async ({ tenantId, messageId }) => {
    await deliverMessage(deps, tenantId, messageId);
  };
}
