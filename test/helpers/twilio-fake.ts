import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Twilio's REST API, as the SDK and our media fetches use it:
 * `POST /2010-04-01/Accounts/{AccountSid}/Messages.json` (form-encoded, HTTP Basic) answers like Twilio
 * (201 + JSON with sid/status, or Twilio's error JSON), and GET serves registered media and recordings,
 * only to the right Basic credentials. Every request is recorded.
 */
export interface FakeRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  form: Record<string, string>;
}

export interface FakeTwilio {
  baseUrl: string;
  requests: FakeRequest[];
  /** Serves these bytes at `path` (GET), to `accountSid:authToken` only. */
  serve(path: string, content: Uint8Array, contentType: string): string;
  /** The next message sends answer this instead of 201 (status, Twilio error code). */
  failNext(status: number, code: number, message: string): void;
  sent(): FakeRequest[];
  close(): Promise<void>;
}

export async function startFakeTwilio(accountSid: string, authToken: string): Promise<FakeTwilio> {
  const expected = `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
  const files = new Map<string, { content: Uint8Array; contentType: string }>();
  const requests: FakeRequest[] = [];
  const failures: { status: number; code: number; message: string }[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '/';
      const body = Buffer.concat(chunks).toString('utf8');
      const form = req.method === 'POST' ? Object.fromEntries(new URLSearchParams(body)) : {};
      requests.push({ method: req.method ?? 'GET', path, authorization: req.headers.authorization, form });
      const json = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (req.headers.authorization !== expected) return json(401, { code: 20003, message: 'Authenticate', status: 401 });
      if (req.method === 'POST' && path === `/2010-04-01/Accounts/${accountSid}/Messages.json`) {
        const failure = failures.shift();
        if (failure) return json(failure.status, { code: failure.code, message: failure.message, more_info: `https://www.twilio.com/docs/errors/${failure.code}`, status: failure.status });
        const sid = `SM${randomBytes(16).toString('hex')}`;
        return json(201, {
          sid,
          account_sid: accountSid,
          to: form.To,
          from: form.From ?? null,
          messaging_service_sid: form.MessagingServiceSid ?? null,
          body: form.Body,
          status: 'queued',
          num_segments: '1',
          direction: 'outbound-api',
          api_version: '2010-04-01',
          date_created: new Date().toUTCString(),
          uri: `/2010-04-01/Accounts/${accountSid}/Messages/${sid}.json`,
        });
      }
      const file = req.method === 'GET' ? files.get(path) : undefined;
      if (file) {
        res.writeHead(200, { 'content-type': file.contentType, 'content-length': String(file.content.byteLength) });
        return res.end(Buffer.from(file.content));
      }
      json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    baseUrl,
    requests,
    serve(path, content, contentType) {
      files.set(path, { content, contentType });
      return `${baseUrl}${path}`;
    },
    failNext(status, code, message) {
      failures.push({ status, code, message });
    },
    sent() {
      return requests.filter((r) => r.method === 'POST' && r.path.endsWith('/Messages.json'));
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Bytes whose type file-type recognises. */
export const SAMPLE_FILES = {
  jpeg: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, ...new Array(64).fill(0)]),
  pdf: new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n'),
  mp3: new Uint8Array([0x49, 0x44, 0x33, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, ...new Array(10).fill(0), 0xff, 0xfb, 0x90, 0x64, ...new Array(400).fill(0)]),
  zip: new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x00, 0x00, 0x08, 0x00, ...new Array(40).fill(0)]),
};
