import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inboundMessageSchema, MappingError } from '../../src/intake/contract.ts';
import { inspectEmail } from './inspect.ts';
import { createEmailMapper, type EmailMapperOptions } from './mapper.ts';

/**
 * Every written sample under test/fixtures/email against its expectation in expected.json: what the
 * mapper reads (kind, people, thread, new text, charsets, attachments) and what inspect-email prints.
 */
const DIR = path.resolve(import.meta.dirname, '../../test/fixtures/email');

interface Expectation {
  kind: 'complaint' | 'reply' | 'forward' | 'autoreply' | 'bounce' | 'quarantined';
  error?: string;
  fromEmail?: string;
  fromName?: string;
  originalSenderEmail?: string | null;
  threadRef?: string | null;
  subject?: string | null;
  attachments?: { filename: string; contentType: string }[];
  inline?: string[];
  refused?: string[];
  refusedReason?: string;
  bouncedMessageId?: string | null;
  relatesTo?: string[];
  noiseDetail?: string;
  newTextContains?: string;
  newTextExcludes?: string;
  textContains?: string[];
  forwardNote?: string;
  language?: 'fr' | 'en' | null;
  sentAt?: string;
  options?: EmailMapperOptions;
}

const expected = JSON.parse(readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as Record<string, Expectation>;
const files = readdirSync(DIR).filter((f) => f.endsWith('.eml')).sort();

const raw = (payload: Uint8Array) => ({
  tenantId: '00000000-0000-4000-8000-000000000001',
  channel: 'email' as const,
  externalId: 'corpus',
  payload,
  contentType: 'message/rfc822',
  receivedAt: new Date('2026-04-01T10:00:00Z'),
});

describe('email fixture corpus', () => {
  it('has at least 45 samples, each with an expectation, and no expectation without a sample', () => {
    expect(files.length).toBeGreaterThanOrEqual(45);
    expect(files.filter((f) => !(f in expected))).toEqual([]);
    expect(Object.keys(expected).filter((f) => !files.includes(f))).toEqual([]);
  });

  it('covers every kind of mail the issue lists', () => {
    const count = (kind: Expectation['kind']) => Object.values(expected).filter((e) => e.kind === kind).length;
    expect(count('forward')).toBeGreaterThanOrEqual(3);
    expect(count('autoreply')).toBeGreaterThanOrEqual(5);
    expect(count('bounce')).toBeGreaterThanOrEqual(3);
    expect(count('quarantined')).toBeGreaterThanOrEqual(2);
  });

  describe.each(files)('%s', (file) => {
    const e = expected[file];
    const bytes = readFileSync(path.join(DIR, file));

    it('maps as expected', async () => {
      expect(e, `no expectation for ${file} in expected.json`).toBeDefined();
      if (!e) return;
      const map = createEmailMapper(e.options);
      if (e.kind === 'quarantined') {
        const err = await map(raw(bytes)).then(
          () => null,
          (x: unknown) => x,
        );
        expect(err).toBeInstanceOf(MappingError);
        expect((err as MappingError).reason).toContain(e.error);
        return;
      }
      const m = inboundMessageSchema.parse(await map(raw(bytes)));
      const newText = m.newText ?? m.text;
      if (e.kind === 'autoreply' || e.kind === 'bounce') expect(m.noise?.kind).toBe(e.kind);
      else expect(m.noise).toBeNull();
      expect(m.forwardedBy === null).toBe(e.kind !== 'forward');
      if (e.fromEmail !== undefined) expect(m.forwardedBy?.email ?? m.sender.email).toBe(e.fromEmail);
      if (e.originalSenderEmail !== undefined) expect(m.forwardedBy ? m.sender.email : null).toBe(e.originalSenderEmail);
      if (e.fromName !== undefined) expect(m.sender.name).toBe(e.fromName);
      if (e.subject !== undefined) expect(m.subject).toBe(e.subject);
      if (e.attachments) expect(m.attachments.map((a) => ({ filename: a.filename, contentType: a.contentType }))).toEqual(e.attachments);
      if (e.inline) expect(m.attachments.filter((a) => a.inline).map((a) => a.filename)).toEqual(e.inline);
      if (e.refused) expect(m.refusedAttachments.map((a) => a.filename)).toEqual(e.refused);
      if (e.refusedReason) for (const r of m.refusedAttachments) expect(r.reason).toContain(e.refusedReason);
      if (e.relatesTo) expect(m.noise?.relatesTo).toEqual(e.relatesTo);
      if (e.noiseDetail) expect(m.noise?.detail).toContain(e.noiseDetail);
      if (e.newTextContains) expect(newText).toContain(e.newTextContains);
      if (e.newTextExcludes) {
        expect(newText).not.toContain(e.newTextExcludes);
        // The excluded part is really in the mail (a quote or signature stripped), except a forward's
        // note or header block, which is not the customer's text at all.
        if (e.kind === 'forward') expect(m.text).not.toContain(e.newTextExcludes);
        else expect(m.text).toContain(e.newTextExcludes);
      }
      for (const t of e.textContains ?? []) expect(m.text).toContain(t);
      if (e.forwardNote) expect(m.declared.forwardNote).toContain(e.forwardNote);
      if (e.language !== undefined) expect(m.language).toBe(e.language);
      if (e.sentAt) expect(m.sentAt?.toISOString()).toBe(e.sentAt);
      // No mojibake from a wrong charset anywhere in what agents read.
      expect(`${m.subject ?? ''}\n${m.text}\n${m.sender.name ?? ''}`).not.toMatch(/Ã©|Ã¨|Ã |â‚¬|Å“|\uFFFD/);
    });

    it('is explained by inspect-email', async () => {
      if (!e) return;
      const r = await inspectEmail(bytes, e.options);
      if (e.kind === 'quarantined') {
        expect(r.kind).toBeNull();
        expect(r.error).toContain(e.error);
        return;
      }
      expect(r.kind).toBe(e.kind);
      expect(r.error).toBeUndefined();
      for (const key of ['fromEmail', 'originalSenderEmail', 'threadRef', 'subject', 'bouncedMessageId', 'attachments'] as const) {
        if (e[key] !== undefined) expect(r[key], key).toEqual(e[key]);
      }
      if (e.newTextContains) expect(r.newText).toContain(e.newTextContains);
      if (e.newTextExcludes) expect(r.newText).not.toContain(e.newTextExcludes);
    });
  });
});
