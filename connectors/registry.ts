import type { AsyncInboundMapper, InboundMapper } from '../src/intake/contract.ts';
import type { OutboundSender } from '../src/notify/dispatch.ts';
import type { TargetResolver } from '../src/notify/targets.ts';
import { mapEmail } from './email/mapper.ts';
import { sendEmail } from './email/outbound.ts';
import { mapSlack } from './chat/mapper.ts';
import { sendSlack, slackTarget } from './chat/outbound.ts';
import { mapWebform } from './webform/mapper.ts';
import { mapSms, mapVoice } from './sms/mapper.ts';
import { sendSms } from './sms/outbound.ts';

/** Channel name → the connector's pure mapper. Each connector adds itself here. */
const MAPPERS: Record<string, InboundMapper | AsyncInboundMapper> = {
  email: mapEmail,
  webform: mapWebform,
  sms: mapSms,
  voice: mapVoice,
  slack: mapSlack,
};

export function mapperFor(channel: string): InboundMapper | AsyncInboundMapper | undefined {
  return MAPPERS[channel];
}

/** Outbound channel (`email`, `sms`, `slack`) → the connector's sender. Each connector adds itself here. */
const SENDERS: Record<string, OutboundSender> = {
  // Called through a closure: email/outbound.ts imports src/notify/dispatch.ts, which imports this file.
  email: (ctx) => sendEmail(ctx),
  // Called through a closure: sms/outbound.ts imports src/notify/dispatch.ts, which imports this file.
  sms: (ctx) => sendSms(ctx),
  // Called through a closure: chat/outbound.ts imports src/notify/dispatch.ts, which imports this file.
  slack: (ctx) => sendSlack(ctx),
};

export function senderFor(channel: string): OutboundSender | undefined {
  return SENDERS[channel];
}

/**
 * Outbound channel → how its connector finds the customer there, for channels with threads (a Slack
 * thread). Channels without one (email, SMS) are addressed by the customer's identities (src/notify/targets.ts).
 */
const TARGETS: Record<string, TargetResolver> = {
  slack: (db, complaint, inbound) => slackTarget(db, complaint, inbound),
};

export function targetResolverFor(channel: string): TargetResolver | undefined {
  return TARGETS[channel];
}
