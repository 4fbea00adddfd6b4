import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';

/**
 * The bench's HTTP calls to the merchant API (docs/design.md §4) and the sandbox control API (§5),
 * each answer checked against the few fields the bench reads. Node's fetch keeps connections alive.
 */
export interface Timed<T> {
  status: number;
  body: T;
  ms: number;
}

async function call<T>(url: string, init: RequestInit, schema: z.ZodType<T>): Promise<Timed<T>> {
  const started = performance.now();
  const answer = await answerOf(await fetch(url, init), init, url, schema);
  return { ...answer, ms: performance.now() - started };
}

/** An answer ≥ 400; `retryAfterMs` when it was a 503/429 the caller may try again after. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    message: string,
    readonly status: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

async function answerOf<T>(response: Response, init: RequestInit, url: string, schema: z.ZodType<T>): Promise<Omit<Timed<T>, 'ms'>> {
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new Error(`${init.method ?? 'GET'} ${url} → ${response.status}: not JSON: ${text.slice(0, 200)}`);
  }
  if (response.status >= 400) {
    const message = `${init.method ?? 'GET'} ${url} → ${response.status}: ${text.slice(0, 300)}`;
    throw new HttpError(message, response.status, retryAfterMs(response.status, response.headers.get('retry-after')));
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${init.method ?? 'GET'} ${url}: unexpected answer: ${z.prettifyError(parsed.error)}`);
  return { status: response.status, body: parsed.data };
}

const PaymentAnswerSchema = z.object({ merchantOrderNo: z.string(), status: z.string() });
export type PaymentAnswer = z.infer<typeof PaymentAnswerSchema>;

export interface NewPayment {
  merchantOrderNo: string;
  amount: string;
  currency: string;
  description: string;
  expiresInSeconds?: number;
}

/** A shop gives up on a payment whose start is still refused this long after its first try (its checkout session, say). */
const START_RETRY_DEADLINE_MS = 300_000;

/** `Retry-After` of a 503/429 as ms (delay-seconds or an HTTP date); undefined when absent or not one. */
export function retryAfterMs(status: number, header: string | null, nowMs = Date.now()): number | undefined {
  if ((status !== 503 && status !== 429) || header === null) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export function merchantApi(apiUrl: string, apiKey: string) {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  return {
    /**
     * As a shop would: a 503/429 with Retry-After is retried with the same request after the delay
     * (the start is idempotent by merchantOrderNo and request), so `status` may be 200 when an
     * earlier try started the payment. `ms` is first try → final answer; `retries` the tries after the first.
     */
    createPayment: async (payment: NewPayment): Promise<Timed<PaymentAnswer> & { retries: number; retriedOn: string[] }> => {
      const started = performance.now();
      const init = { method: 'POST', headers, body: JSON.stringify(payment) };
      const retriedOn: string[] = [];
      for (;;) {
        const response = await fetch(`${apiUrl}/v1/payments`, init);
        const delay = retryAfterMs(response.status, response.headers.get('retry-after'));
        if (delay === undefined || performance.now() - started + delay > START_RETRY_DEADLINE_MS) {
          const answer = await answerOf(response, init, `${apiUrl}/v1/payments`, PaymentAnswerSchema);
          return { ...answer, ms: performance.now() - started, retries: retriedOn.length, retriedOn };
        }
        // Which refusal: the problem type's last part (`overloaded`, `temporal-unavailable`), else the status.
        const type = /"type":"[^"]*:([a-z-]+)"/.exec(await response.text())?.[1];
        retriedOn.push(type ?? String(response.status));
        await sleep(delay);
      }
    },
    getPayment: (merchantOrderNo: string) =>
      call(`${apiUrl}/v1/payments/${encodeURIComponent(merchantOrderNo)}`, { headers }, PaymentAnswerSchema),
    metricsText: async () => (await fetch(`${apiUrl}/metrics`)).text(),
  };
}
export type MerchantApi = ReturnType<typeof merchantApi>;

const NotificationAttemptSchema = z.object({ attempt: z.number(), at: z.string(), outcome: z.string(), duplicate: z.boolean().optional() });
const OrderRecordSchema = z.object({
  merchantOrderNo: z.string(),
  transNo: z.string(),
  appId: z.string(),
  merchantNo: z.string(),
  status: z.number(),
  currency: z.string(),
  amount: z.string(),
  createdAt: z.string(),
  endTime: z.string().optional(),
  notifications: z.array(NotificationAttemptSchema),
});
export type OrderRecord = z.infer<typeof OrderRecordSchema>;
const LedgerSchema = z.object({ orders: z.array(OrderRecordSchema) });

export interface FaultsUpdate {
  dropNotifications?: number;
  duplicateNotifications?: number;
  autoPayAfterMs?: number;
}

export function sandboxControl(sandboxUrl: string) {
  const headers = { 'content-type': 'application/json' };
  return {
    setFaults: (faults: FaultsUpdate) =>
      call(`${sandboxUrl}/sandbox/faults`, { method: 'PUT', headers, body: JSON.stringify(faults) }, z.object({}).passthrough()),
    pay: (merchantOrderNo: string) =>
      call(`${sandboxUrl}/sandbox/orders/${encodeURIComponent(merchantOrderNo)}/pay`, { method: 'POST', headers, body: '{}' }, OrderRecordSchema),
    ledger: async () => (await call(`${sandboxUrl}/sandbox/ledger`, {}, LedgerSchema)).body.orders,
  };
}
export type SandboxControl = ReturnType<typeof sandboxControl>;
