import { createServer, type Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import type { Prng } from './prng';
import type { Receipt } from './webhook-check';

/**
 * The merchant's webhook endpoint under chaos: a receiver on its own port whose weather changes at
 * seeded intervals — up, down (connections reset), failing (5xx), slow (some answers after the
 * sender's 10 s timeout), and wrong (redirects, 4xx) — recording every attempt it saw. The bench
 * uses it in calm weather to time paid → webhook received.
 */
export const MERCHANT_WEATHER = ['up', 'down', 'failing', 'slow', 'wrong'] as const;
export type MerchantWeather = (typeof MERCHANT_WEATHER)[number];

const WRONG_ANSWERS = [301, 302, 400, 404, 410, 418];

export interface MerchantEndpoint {
  url: string;
  receipts: Receipt[];
  weatherSeconds: Record<string, number>;
  /** The secret arrives once the stack has generated it. */
  setSecret(secret: string): void;
  setWeather(weather: MerchantWeather): void;
  startWeather(prng: Prng, gapMs: [number, number]): void;
  stopWeather(): Promise<void>;
  close(): Promise<void>;
}

export async function startMerchantEndpoint(port: number, prng: Prng): Promise<MerchantEndpoint> {
  let verifier: Webhook | undefined;
  let weather: MerchantWeather = 'up';
  const receipts: Receipt[] = [];
  const weatherSeconds: Record<string, number> = {};

  const server: Server = createServer((req, res) => {
    if (weather === 'down') {
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let verified = false;
      let body: { type?: string; timestamp?: string; data?: { merchantOrderNo?: string; refundNo?: string } } = {};
      try {
        body = verifier!.verify(raw, req.headers as Record<string, string>) as typeof body;
        verified = true;
      } catch {
        try {
          body = JSON.parse(raw) as typeof body;
        } catch {
          // recorded as unverified with what the headers say
        }
      }
      const receipt: Receipt = {
        id: String(req.headers['webhook-id']),
        type: String(body.type),
        merchantOrderNo: String(body.data?.merchantOrderNo),
        subject: body.data?.refundNo ?? body.data?.merchantOrderNo,
        verified,
        acked: false,
        order: receipts.length,
        receivedAt: Date.now(),
        eventTimestamp: body.timestamp,
      };
      receipts.push(receipt);
      const answer = (status: number) => {
        if (req.socket.destroyed) return; // the sender gave up (timeout): not a delivery
        receipt.acked = status >= 200 && status < 300;
        const redirect = status >= 300 && status < 400 ? { location: '/elsewhere' } : {};
        res.writeHead(status, { 'content-type': 'text/plain', ...redirect }).end('ok');
      };
      const rng = prng;
      switch (weather) {
        case 'failing':
          return answer(rng.pick([500, 502, 503]));
        case 'slow':
          return void setTimeout(() => answer(204), rng.chance(0.5) ? 11_000 : rng.int(500, 3_000));
        case 'wrong':
          return answer(rng.chance(0.8) ? rng.pick(WRONG_ANSWERS) : 200);
        default:
          return answer(rng.chance(0.5) ? 200 : 204);
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });

  let stopped = true;
  let wake: (() => void) | undefined;
  let loop: Promise<void> = Promise.resolve();
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    receipts,
    weatherSeconds,
    setSecret(secret) {
      verifier = new Webhook(secret);
    },
    setWeather(next) {
      weather = next;
    },
    startWeather(weatherPrng, gapMs) {
      stopped = false;
      loop = (async () => {
        while (!stopped) {
          weather = weatherPrng.weighted<MerchantWeather>({ up: 3, down: 2, failing: 2, slow: 1, wrong: 1 });
          const started = Date.now();
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, weatherPrng.int(gapMs[0], gapMs[1]));
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          weatherSeconds[weather] = (weatherSeconds[weather] ?? 0) + (Date.now() - started) / 1000;
        }
        weather = 'up';
      })();
    },
    async stopWeather() {
      stopped = true;
      wake?.();
      await loop;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
