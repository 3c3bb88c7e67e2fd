import { SMTPServer, type SMTPServerAddress } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export interface CapturedMail {
  raw: Buffer;
  parsed: ParsedMail;
  envelope: { from: string | null; to: string[] };
}

export interface SmtpCapture {
  port: number;
  mails: CapturedMail[];
  /** The next `times` RCPT TO are refused with this SMTP code and text (451: try later, 550: refused). */
  reject(code: number, message: string, times?: number): void;
  close(): Promise<void>;
}

/** A local SMTP server (smtp-server) capturing what it receives, parsed with mailparser. */
export async function startSmtpCapture(): Promise<SmtpCapture> {
  const mails: CapturedMail[] = [];
  let rejection: { code: number; message: string; times: number } | null = null;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(_address: SMTPServerAddress, _session, callback) {
      if (rejection && rejection.times > 0) {
        rejection.times--;
        return callback(Object.assign(new Error(rejection.message), { responseCode: rejection.code }));
      }
      callback();
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw)
          .then((parsed) => {
            mails.push({ raw, parsed, envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : null, to: session.envelope.rcptTo.map((r) => r.address) } });
            callback();
          })
          .catch((err: Error) => callback(err));
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    mails,
    reject(code, message, times = 1) {
      rejection = { code, message, times };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
