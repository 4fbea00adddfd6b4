import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { MerchantEventBody } from '../../src/webhooks/event-body';

export interface ReceivedAttempt {
  id: string;
  timestamp: string;
  signature: string;
  body: MerchantEventBody;
  /** The body as sent, for checks of the signature with other secrets. */
  raw: string;
  /** 1-based attempt number of this webhook-id. */
  attempt: number;
  answeredStatus: number;
  /** `standardwebhooks`' own verification passed. */
  verifiedByLibrary: boolean;
  /** The spec's algorithm by hand (HMAC-SHA256 over "id.timestamp.body", base64 key after whsec_) passed. */
  verifiedBySpec: boolean;
}

export interface WebhookReceiver {
  url: string;
  secret: string;
  attempts: ReceivedAttempt[];
  /** Attempts answered 2xx, in arrival order. */
  delivered(): ReceivedAttempt[];
  close(): Promise<void>;
}

export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/** The Standard Webhooks signature check written out, independent of the library. */
export function verifyBySpec(secret: string, headers: IncomingHttpHeaders, rawBody: string): boolean {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const signed = `${String(headers['webhook-id'])}.${String(headers['webhook-timestamp'])}.${rawBody}`;
  const expected = createHmac('sha256', key).update(signed).digest();
  return String(headers['webhook-signature'] ?? '')
    .split(' ')
    .some((part) => {
      const [version, value] = part.split(',');
      const given = Buffer.from(value ?? '', 'base64');
      return version === 'v1' && given.length === expected.length && timingSafeEqual(given, expected);
    });
}

/** A merchant endpoint on a free port; `answer` decides each attempt's HTTP status. */
export async function startWebhookReceiver(answer: (attempt: number, id: string) => number = () => 204, secret = newWebhookSecret()): Promise<WebhookReceiver> {
  const library = new Webhook(secret);
  const attempts: ReceivedAttempt[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      let verifiedByLibrary = true;
      try {
        library.verify(raw, req.headers as Record<string, string>);
      } catch {
        verifiedByLibrary = false;
      }
      const attempt = attempts.filter((a) => a.id === id).length + 1;
      const status = answer(attempt, id);
      attempts.push({
        id,
        timestamp: String(req.headers['webhook-timestamp']),
        signature: String(req.headers['webhook-signature']),
        body: JSON.parse(raw) as MerchantEventBody,
        raw,
        attempt,
        answeredStatus: status,
        verifiedByLibrary,
        verifiedBySpec: verifyBySpec(secret, req.headers, raw),
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    secret,
    attempts,
    delivered: () => attempts.filter((a) => a.answeredStatus >= 200 && a.answeredStatus < 300),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
