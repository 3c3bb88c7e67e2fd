import type { AsyncInboundMapper, InboundMapper } from '../src/intake/contract.ts';
import type { OutboundSender } from '../src/notify/dispatch.ts';
import { mapEmail } from './email/mapper.ts';
import { mapWebform } from './webform/mapper.ts';

/** Channel name → the connector's pure mapper. Each connector adds itself here. */
const MAPPERS: Record<string, InboundMapper | AsyncInboundMapper> = {
  email: mapEmail,
  webform: mapWebform,
};

export function mapperFor(channel: string): InboundMapper | AsyncInboundMapper | undefined {
  return MAPPERS[channel];
}

/** Outbound channel (`email`, `sms`, `slack`) → the connector's sender. Each connector adds itself here. */
const SENDERS: Record<string, OutboundSender> = {};

export function senderFor(channel: string): OutboundSender | undefined {
  return SENDERS[channel];
}
