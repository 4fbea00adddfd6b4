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
  const response = await fetch(url, init);
  const text = await response.text();
  const ms = performance.now() - started;
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    throw new Error(`${init.method ?? 'GET'} ${url} → ${response.status}: not JSON: ${text.slice(0, 200)}`);
  }
  if (response.status >= 400) throw new Error(`${init.method ?? 'GET'} ${url} → ${response.status}: ${text.slice(0, 300)}`);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new Error(`${init.method ?? 'GET'} ${url}: unexpected answer: ${z.prettifyError(parsed.error)}`);
  return { status: response.status, body: parsed.data, ms };
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

export function merchantApi(apiUrl: string, apiKey: string) {
  const headers = { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' };
  return {
    createPayment: (payment: NewPayment) =>
      call(`${apiUrl}/v1/payments`, { method: 'POST', headers, body: JSON.stringify(payment) }, PaymentAnswerSchema),
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
