import { describe, expect, it } from 'vitest';
import twilio from 'twilio';
import { isValidTwilioRequest, signedUrl } from './twilio.ts';

const TOKEN = '12345678901234567890123456789012';
const params = { MessageSid: 'SM1', From: '+33612345678', To: '+33757001122', Body: 'Bonjour', AccountSid: `AC${'a'.repeat(32)}` };

describe('Twilio signature', () => {
  it('accepts what Twilio signs: the public URL with the path and query as received, and the POST parameters', () => {
    const url = signedUrl('https://guichet.cabinet.example/base', '/webhooks/twilio/recording?numero=%2B33757001122');
    expect(url).toBe('https://guichet.cabinet.example/base/webhooks/twilio/recording?numero=%2B33757001122');
    const signature = twilio.getExpectedTwilioSignature(TOKEN, url, params);
    expect(isValidTwilioRequest(TOKEN, signature, url, params)).toBe(true);
  });

  it('refuses a missing signature, another token, another URL (as seen behind a proxy) or a changed parameter', () => {
    const url = 'https://guichet.cabinet.example/webhooks/twilio/sms';
    const signature = twilio.getExpectedTwilioSignature(TOKEN, url, params);
    expect(isValidTwilioRequest(TOKEN, undefined, url, params)).toBe(false);
    expect(isValidTwilioRequest(TOKEN, '', url, params)).toBe(false);
    expect(isValidTwilioRequest('another-token-another-token-1234', signature, url, params)).toBe(false);
    expect(isValidTwilioRequest(TOKEN, signature, 'http://10.0.0.5:3000/webhooks/twilio/sms', params)).toBe(false);
    expect(isValidTwilioRequest(TOKEN, signature, url, { ...params, Body: 'Bonjour !' })).toBe(false);
    expect(isValidTwilioRequest(TOKEN, signature, url, { ...params, Extra: '1' })).toBe(false);
  });
});
