import { X509Certificate } from 'node:crypto';
import { z } from 'zod';
import type { Deps } from '../deps.ts';
import type { Channel, ChannelKind } from '../db/types.ts';
import { ConflictError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { normalizeEmail, normalizePhone } from '../domain/identity.ts';
import { deleteChannel, findChannelByAddress, getChannel, insertChannel, listChannels, updateChannel } from '../db/repositories/channels.ts';
import { insertEvents } from '../db/repositories/events.ts';
import { openSecret, sealSecret } from '../secrets.ts';
import { requireRole, type Actor } from './actor.ts';

/**
 * Connected channels of a tenant: mailboxes (IMAP in, SMTP out), Twilio numbers, Slack workspaces.
 * Public settings live in `config`; credentials in `secrets`, sealed at rest and never returned.
 */
const email = z.string().trim().refine((e) => normalizeEmail(e) !== null, 'Adresse email invalide.');
const host = z.string().trim().min(1, 'Serveur requis.').max(255);
const port = z.number().int().min(1).max(65535);

/** The certificates of a PEM bundle, each parsed, or null when there is none or one does not parse. */
export function pemCertificates(pem: string): string[] | null {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) return null;
  try {
    for (const b of blocks) new X509Certificate(b);
  } catch {
    return null;
  }
  return blocks;
}

export const emailConfigSchema = z.object({
  address: email,
  imap: z.object({
    host,
    port: port.default(993),
    /** true: TLS from the start (993); false: STARTTLS when the server offers it (143), else plaintext. */
    tls: z.boolean().default(true),
    /**
     * A server whose certificate no public authority signed (self-signed, private CA): the PEM of its
     * certificate or of the authority, trusted for this mailbox on top of the public ones. Hostname and
     * expiry are still checked; there is deliberately no switch that turns verification off.
     */
    tlsCa: z.string().trim().max(50_000).nullable().default(null).refine((pem) => pem === null || pemCertificates(pem) !== null, 'Certificat PEM invalide : collez le certificat du serveur ou de son autorité, de « -----BEGIN CERTIFICATE----- » à « -----END CERTIFICATE----- ».'),
    user: z.string().min(1).max(320),
    auth: z.enum(['password', 'oauth2']).default('password'),
    folder: z.string().min(1).max(200).default('INBOX'),
    /** What happens on the server once a mail is journaled. */
    afterImport: z.enum(['seen', 'move', 'leave']).default('seen'),
    moveTo: z.string().min(1).max(200).nullable().default(null),
    /** Polling period when the server has no IDLE (or IDLE fails). */
    pollSeconds: z.number().int().min(5).max(3600).default(60),
  }),
  smtp: z.object({
    host,
    port: port.default(587),
    /** true: TLS from the start (465); false: STARTTLS when offered (587, 25). */
    secure: z.boolean().default(false),
    user: z.string().min(1).max(320).nullable().default(null),
    fromName: z.string().max(200).nullable().default(null),
  }),
  /** Automatic messages (acknowledgements, status updates) one address can trigger per hour. */
  autoRepliesPerHour: z.number().int().min(0).max(100).default(5),
});
export const emailSecretsSchema = z.object({
  imapPassword: z.string().min(1).optional(),
  imapAccessToken: z.string().min(1).optional(),
  smtpPassword: z.string().min(1).optional(),
});

export const twilioConfigSchema = z.object({
  /** The number customers write to and call (any format; stored E.164). */
  number: z.string().trim().refine((p) => normalizePhone(p) !== null, 'Numéro de téléphone invalide.'),
  accountSid: z.string().regex(/^AC[0-9a-fA-F]{32}$/, 'Identifiant de compte Twilio attendu (AC suivi de 32 caractères hexadécimaux).'),
  /** Send through a messaging service instead of the number itself. */
  messagingServiceSid: z.string().regex(/^MG[0-9a-fA-F]{32}$/, 'Identifiant de service de messagerie attendu (MG…).').nullable().default(null),
  /** Longest voice message recorded, in seconds. */
  maxRecordingSeconds: z.number().int().min(10).max(600).default(120),
  autoRepliesPerHour: z.number().int().min(0).max(100).default(5),
});
export const twilioSecretsSchema = z.object({ authToken: z.string().min(1).optional() });

export const slackConfigSchema = z.object({
  teamId: z.string().regex(/^[TE][A-Z0-9]{2,}$/, 'Identifiant d’espace Slack attendu (T…).'),
  teamName: z.string().max(200).nullable().default(null),
  autoRepliesPerHour: z.number().int().min(0).max(100).default(10),
});
export const slackSecretsSchema = z.object({
  botToken: z.string().min(1).optional(),
  signingSecret: z.string().min(1).optional(),
});

export const channelInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('email'), name: z.string().trim().min(1).max(200), enabled: z.boolean().default(true), config: emailConfigSchema, secrets: emailSecretsSchema.default({}) }).strict(),
  z.object({ kind: z.literal('twilio'), name: z.string().trim().min(1).max(200), enabled: z.boolean().default(true), config: twilioConfigSchema, secrets: twilioSecretsSchema.default({}) }).strict(),
  z.object({ kind: z.literal('slack'), name: z.string().trim().min(1).max(200), enabled: z.boolean().default(true), config: slackConfigSchema, secrets: slackSecretsSchema.default({}) }).strict(),
]);
export type ChannelInput = z.input<typeof channelInputSchema>;
type ParsedInput = z.infer<typeof channelInputSchema>;

export type EmailConfig = z.infer<typeof emailConfigSchema>;
export type EmailSecrets = z.infer<typeof emailSecretsSchema>;
export type TwilioConfig = z.infer<typeof twilioConfigSchema>;
export type TwilioSecrets = z.infer<typeof twilioSecretsSchema>;
export type SlackConfig = z.infer<typeof slackConfigSchema>;
export type SlackSecrets = z.infer<typeof slackSecretsSchema>;
export interface ChannelConfigs { email: EmailConfig; twilio: TwilioConfig; slack: SlackConfig }
export interface ChannelSecrets { email: EmailSecrets; twilio: TwilioSecrets; slack: SlackSecrets }

/** A channel with its settings parsed and its credentials opened, for connectors (server side only). */
export interface OpenChannel<K extends ChannelKind = ChannelKind> {
  id: string;
  tenantId: string;
  kind: K;
  address: string;
  name: string;
  config: ChannelConfigs[K];
  secrets: ChannelSecrets[K];
}

export const channelDtoSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['email', 'twilio', 'slack']),
  address: z.string(),
  name: z.string(),
  enabled: z.boolean(),
  config: z.record(z.string(), z.unknown()),
  /** Names of the credentials set (their values are never returned). */
  secretsSet: z.array(z.string()),
  health: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type ChannelDto = z.infer<typeof channelDtoSchema>;

function addressOf(input: ParsedInput): string {
  switch (input.kind) {
    case 'email':
      return normalizeEmail(input.config.address)!;
    case 'twilio':
      return normalizePhone(input.config.number)!;
    case 'slack':
      return input.config.teamId;
  }
}

const configSchemas = { email: emailConfigSchema, twilio: twilioConfigSchema, slack: slackConfigSchema };
const secretSchemas = { email: emailSecretsSchema, twilio: twilioSecretsSchema, slack: slackSecretsSchema };

function secretsOf(deps: Pick<Deps, 'secretKey'>, row: Channel): Record<string, string> {
  if (!row.sealed_secrets) return {};
  return JSON.parse(openSecret(deps.secretKey, row.sealed_secrets)) as Record<string, string>;
}

export function channelDto(deps: Pick<Deps, 'secretKey'>, row: Channel): ChannelDto {
  return {
    id: row.id,
    kind: row.kind,
    address: row.address,
    name: row.name,
    enabled: row.enabled,
    config: row.config,
    secretsSet: Object.keys(secretsOf(deps, row)).sort(),
    health: row.health,
    createdAt: row.created_at.toISOString(),
    updatedAt: row.updated_at.toISOString(),
  };
}

export function openChannel<K extends ChannelKind>(deps: Pick<Deps, 'secretKey'>, row: Channel & { kind: K }): OpenChannel<K> {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    kind: row.kind,
    address: row.address,
    name: row.name,
    config: configSchemas[row.kind].parse(row.config) as ChannelConfigs[K],
    secrets: secretSchemas[row.kind].parse(secretsOf(deps, row)) as ChannelSecrets[K],
  };
}

function parseInput(input: unknown): ParsedInput {
  const parsed = channelInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new ValidationError('Canal invalide.', Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.') || 'canal', i.message])));
  }
  return parsed.data;
}

/** Writes a channel (new, or the one with this id): secrets given replace those stored, the others stay. */
export async function saveChannel(deps: Deps, tenantId: string, input: unknown, options: { id?: string; actorUserId: string | null }): Promise<Channel> {
  return deps.db.transaction().execute((trx) => saveChannelIn(trx, deps, tenantId, input, options));
}

/**
 * The same inside the caller's transaction (tenant apply). Without an id, a channel of the tenant with the
 * same kind and address is updated: applying one file twice changes nothing.
 */
export async function saveChannelIn(trx: Deps['db'], deps: Pick<Deps, 'secretKey' | 'clock'>, tenantId: string, input: unknown, options: { id?: string; actorUserId: string | null }): Promise<Channel> {
  const data = parseInput(input);
  const address = addressOf(data);
  const now = deps.clock.now();
  const taken = await findChannelByAddress(trx, data.kind, address, { enabledOnly: false });
  const existing = options.id ? await getChannel(trx, tenantId, options.id) : taken?.tenant_id === tenantId ? taken : undefined;
  if (options.id && !existing) throw new NotFoundError('Canal introuvable.');
  if (existing && existing.kind !== data.kind) throw new ValidationError('Le type d’un canal ne change pas.', { kind: 'Créez un nouveau canal.' });
  if (taken && taken.id !== existing?.id) {
    throw new ConflictError('channel_taken', taken.tenant_id === tenantId ? 'Ce canal est déjà configuré.' : 'Cette adresse est déjà reliée à un autre cabinet.');
  }
  const secrets = { ...(existing ? secretsOf(deps, existing) : {}), ...Object.fromEntries(Object.entries(data.secrets).filter(([, v]) => v !== undefined)) };
  const sealed = Object.keys(secrets).length > 0 ? sealSecret(deps.secretKey, JSON.stringify(secrets)) : null;
  const values = { kind: data.kind, address, name: data.name, enabled: data.enabled, config: JSON.stringify(data.config), sealed_secrets: sealed, updated_at: now };
  const row = existing
    ? (await updateChannel(trx, tenantId, existing.id, values))!
    : await insertChannel(trx, { ...values, tenant_id: tenantId, created_at: now });
  // The audit trail records what changed, never the credentials themselves.
  await insertEvents(trx, [{ tenantId, actorUserId: options.actorUserId, actorKind: options.actorUserId ? 'user' : 'system', type: existing ? 'channel.updated' : 'channel.created', data: { channelId: row.id, kind: row.kind, address, secretsSet: Object.keys(secrets).sort() }, at: now }]);
  return row;
}

export async function listChannelDtos(deps: Deps, actor: Actor): Promise<ChannelDto[]> {
  requireRole(actor, 'admin');
  return (await listChannels(deps.db, actor.tenantId)).map((r) => channelDto(deps, r));
}

export async function getChannelDto(deps: Deps, actor: Actor, id: string): Promise<ChannelDto> {
  requireRole(actor, 'admin');
  const row = await getChannel(deps.db, actor.tenantId, id);
  if (!row) throw new NotFoundError('Canal introuvable.');
  return channelDto(deps, row);
}

export async function createChannel(deps: Deps, actor: Actor, input: unknown): Promise<ChannelDto> {
  requireRole(actor, 'admin');
  return channelDto(deps, await saveChannel(deps, actor.tenantId, input, { actorUserId: actor.userId }));
}

export async function replaceChannel(deps: Deps, actor: Actor, id: string, input: unknown): Promise<ChannelDto> {
  requireRole(actor, 'admin');
  return channelDto(deps, await saveChannel(deps, actor.tenantId, input, { id, actorUserId: actor.userId }));
}

export async function removeChannel(deps: Deps, actor: Actor, id: string): Promise<void> {
  requireRole(actor, 'admin');
  const row = await getChannel(deps.db, actor.tenantId, id);
  if (!row) throw new NotFoundError('Canal introuvable.');
  await deps.db.transaction().execute(async (trx) => {
    await deleteChannel(trx, actor.tenantId, id);
    await insertEvents(trx, [{ tenantId: actor.tenantId, actorUserId: actor.userId, actorKind: 'user', type: 'channel.deleted', data: { channelId: id, kind: row.kind, address: row.address }, at: deps.clock.now() }]);
  });
}

/** The enabled channel an inbound webhook is addressed to, with its credentials; undefined when unknown. */
export async function resolveChannel<K extends ChannelKind>(deps: Deps, kind: K, address: string): Promise<OpenChannel<K> | undefined> {
  const key = kind === 'twilio' ? normalizePhone(address) : kind === 'email' ? normalizeEmail(address) : address;
  if (!key) return undefined;
  const row = await findChannelByAddress(deps.db, kind, key);
  return row ? openChannel(deps, row as Channel & { kind: K }) : undefined;
}

/** The tenant's enabled channel of a kind (first one) for sending, with its credentials. */
export async function tenantChannel<K extends ChannelKind>(deps: Deps, tenantId: string, kind: K): Promise<OpenChannel<K> | undefined> {
  const row = (await listChannels(deps.db, tenantId, kind)).find((r) => r.enabled);
  return row ? openChannel(deps, row as Channel & { kind: K }) : undefined;
}
