import { randomUUID } from 'node:crypto';
import type { Deps } from '../../src/deps.ts';
import { acceptInbound, inboundOutcome } from '../../src/intake/journal.ts';
import { buildWebformPayload, type WebformFields } from '../../connectors/webform/payload.ts';

/** Journals a web-form submission as the public form does, waits for ingestion, returns its outcome. */
export async function submitForm(
  deps: Deps,
  tenantId: string,
  fields: WebformFields,
  options: { key?: string; submittedAt?: Date; trackingToken?: string; files?: { filename: string; contentType: string; content: Uint8Array }[]; wait?: boolean } = {},
) {
  const key = options.key ?? randomUUID();
  const { payload, contentType } = buildWebformPayload({
    tenantId,
    kind: options.trackingToken ? 'follow_up' : 'complaint',
    trackingToken: options.trackingToken,
    fields,
    files: options.files ?? [],
    submittedAt: options.submittedAt ?? deps.clock.now(),
  });
  const accepted = await acceptInbound(deps, { tenantId, channel: 'webform', externalId: key, payload, contentType });
  if (options.wait !== false) await deps.queue.drain();
  return { key, accepted, outcome: await inboundOutcome(deps, tenantId, 'webform', key) };
}
