/**
 * Normalisation of the identities used to link a message to a customer (email, E.164 phone, Slack user,
 * contract number). Every function returns the canonical form, or null when the value is unusable.
 */
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import type { CountryCode } from 'libphonenumber-js/max';
import { ValidationError } from './errors.ts';

export const identityKinds = ['email', 'phone', 'slack', 'contract'] as const;
export type IdentityKind = (typeof identityKinds)[number];

type Input = string | null | undefined;

// --- Email ------------------------------------------------------------------------------------------

const LOCAL_RE = /^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const TLD_RE = /^(?:[a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/** The address inside `Display Name <addr>` or `<addr>`; the input itself otherwise. */
function extractAddress(s: string): string {
  const bracketed = /<([^<>]*)>\s*$/.exec(s);
  const address = bracketed ? bracketed[1]! : s;
  return address.trim().replace(/^mailto:/i, '');
}

/** Lowercased bare address (display name and <> removed), or null when it is not a sane address. */
export function normalizeEmail(s: Input): string | null {
  if (typeof s !== 'string') return null;
  const address = extractAddress(s.trim()).toLowerCase();
  if (address.length > 254) return null;
  const at = address.lastIndexOf('@');
  if (at <= 0) return null;
  const local = address.slice(0, at);
  const labels = address.slice(at + 1).split('.');
  if (local.length > 64 || !LOCAL_RE.test(local)) return null;
  if (labels.length < 2 || !labels.every((l) => LABEL_RE.test(l))) return null;
  if (!TLD_RE.test(labels.at(-1)!)) return null;
  return address;
}

// --- Phone ------------------------------------------------------------------------------------------

/** France and the overseas regions sharing its 0-prefixed national numbering (GP, MQ, GF, RE, YT). */
const FRENCH_REGIONS: readonly CountryCode[] = ['FR', 'GP', 'MQ', 'GF', 'RE', 'YT'];

function validE164(s: string, country: CountryCode): string | null {
  const parsed = parsePhoneNumberFromString(s, country);
  return parsed?.isValid() ? parsed.number : null;
}

/**
 * E.164 form (`+33612345678`) of a phone number, or null when it is not a valid number.
 * A French national number that is not valid in metropolitan France (e.g. `0690 12 34 56`) is tried as
 * Guadeloupe, Martinique, Guyane, La Réunion and Mayotte in turn, since they share the `0` national prefix.
 */
export function normalizePhone(s: Input, defaultCountry: CountryCode = 'FR'): string | null {
  if (typeof s !== 'string') return null;
  const text = s.trim().replace(/^tel:/i, '');
  if (!/\d/.test(text)) return null;
  const direct = validE164(text, defaultCountry);
  if (direct) return direct;
  // Only a nationally written number can belong to another French region: +… and 00… name their country.
  const international = /^\s*(?:\+|00)/.test(text);
  if (international || !FRENCH_REGIONS.includes(defaultCountry)) return null;
  for (const region of FRENCH_REGIONS) {
    if (region === defaultCountry) continue;
    const e164 = validE164(text, region);
    if (e164) return e164;
  }
  return null;
}

// --- Contract number, Slack user ---------------------------------------------------------------------

/** Uppercase A–Z0–9 only (spaces, dots, dashes, slashes, underscores and any other sign removed), 4–40 chars. */
export function normalizeContractNumber(s: Input): string | null {
  if (typeof s !== 'string') return null;
  const cleaned = s.toUpperCase().replace(/[^A-Z0-9]/g, '');
  return cleaned.length >= 4 && cleaned.length <= 40 ? cleaned : null;
}

/** `TEAMID:USERID`, trimmed and uppercased (Slack ids are uppercase), or null when empty. */
export function normalizeSlackUser(s: Input): string | null {
  if (typeof s !== 'string') return null;
  const value = s.trim().toUpperCase();
  return value === '' ? null : value;
}

export function isIdentityKind(value: unknown): value is IdentityKind {
  return typeof value === 'string' && (identityKinds as readonly string[]).includes(value);
}

/** Normalises a value of the given identity kind; null when the value is unusable. */
export function normalizeIdentity(kind: IdentityKind, value: Input): string | null {
  switch (kind) {
    case 'email':
      return normalizeEmail(value);
    case 'phone':
      return normalizePhone(value);
    case 'slack':
      return normalizeSlackUser(value);
    case 'contract':
      return normalizeContractNumber(value);
    default:
      throw new ValidationError(`Type d'identité inconnu : « ${String(kind)} ».`, { kind: "Type d'identité inconnu." });
  }
}
