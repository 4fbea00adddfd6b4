import type { KeyObject } from 'node:crypto';
import { parseFlatJson } from '../../../src/codepay/flat-json';
import { withSignature } from '../../../src/codepay/signing';
import { RunningSandbox, SandboxOptions, startSandbox } from '../../../src/sandbox/app';
import type { Faults } from '../../../src/sandbox/faults';
import type { OrderRecord, RefundRecord } from '../../../src/sandbox/record-view';
import { generateTestKeyPair, TestKeyPair } from '../../support/keys';
import { verifyFields } from '../../../src/codepay/signing';

/** Key pairs are generated once per test file (RSA-2048 generation is slow-ish). */
/** The business fields of a valid Wap order (12.50 USD), with `extra` on top. */
export function wapOrderFields(no: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    merchant_order_no: no,
    price_currency: 'USD',
    order_amount: '12.50',
    description: 'Two coffees',
    terminal_type: 'WAP',
    expires: '900',
    ...extra,
  };
}

export const merchantKeys: TestKeyPair = generateTestKeyPair();
export const gatewayKeys: TestKeyPair = generateTestKeyPair();
export const MERCHANT = { appId: 'app-test', merchantNo: '312300000969' };

export interface EntryAnswer {
  httpStatus: number;
  code: string;
  msg: string;
  /** The parsed `data` string, when present. */
  data?: Record<string, string>;
  signatureValid: boolean;
  raw: string;
}

export class SandboxFixture {
  constructor(
    readonly sandbox: RunningSandbox,
    readonly clock: { now: () => number },
  ) {}

  get url(): string {
    return this.sandbox.url;
  }

  /** Common fields for a call, signed with the merchant key unless told otherwise. */
  request(method: string, business: Record<string, string>, { key = merchantKeys.privateKey }: { key?: KeyObject } = {}) {
    return withSignature(
      {
        app_id: MERCHANT.appId,
        merchant_no: MERCHANT.merchantNo,
        format: 'JSON',
        charset: 'UTF-8',
        sign_type: 'RSA2',
        version: '1.0',
        timestamp: String(this.clock.now()),
        method,
        ...business,
      },
      key,
    );
  }

  async postEntry(body: string, contentType = 'application/json', path = '/api/entry'): Promise<EntryAnswer> {
    const response = await fetch(`${this.url}${path}`, { method: 'POST', headers: { 'content-type': contentType }, body });
    const raw = await response.text();
    if (response.status !== 200) return { httpStatus: response.status, code: '', msg: '', signatureValid: false, raw };
    const fields = parseFlatJson(raw);
    return {
      httpStatus: response.status,
      code: fields.code ?? '',
      msg: fields.msg ?? '',
      data: fields.data ? (JSON.parse(fields.data) as Record<string, string>) : undefined,
      signatureValid: verifyFields(fields, gatewayKeys.publicKey),
      raw,
    };
  }

  call(method: string, business: Record<string, string>): Promise<EntryAnswer> {
    return this.postEntry(JSON.stringify(this.request(method, business)));
  }

  createOrder(no: string, extra: Record<string, string> = {}): Promise<EntryAnswer> {
    return this.call('pay.unifiedorder', wapOrderFields(no, extra));
  }

  refund(refundNo: string, origNo: string, amount: string, extra: Record<string, string> = {}): Promise<EntryAnswer> {
    return this.call('order.refund.submit', {
      merchant_order_no: refundNo,
      orig_merchant_order_no: origNo,
      order_amount: amount,
      price_currency: 'USD',
      ...extra,
    });
  }

  async control<T = unknown>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; contentType: string }> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, contentType: response.headers.get('content-type') ?? '' };
  }

  async order(no: string): Promise<OrderRecord> {
    const { status, body } = await this.control<OrderRecord>('GET', `/sandbox/orders/${encodeURIComponent(no)}`);
    if (status !== 200) throw new Error(`GET order ${no}: HTTP ${status}`);
    return body;
  }

  async ledger(): Promise<{ orders: OrderRecord[]; refunds: RefundRecord[] }> {
    return (await this.control<{ orders: OrderRecord[]; refunds: RefundRecord[] }>('GET', '/sandbox/ledger')).body;
  }

  async setFaults(faults: Partial<Faults>): Promise<Faults> {
    const { status, body } = await this.control<Faults>('PUT', '/sandbox/faults', faults);
    if (status !== 200) throw new Error(`PUT faults: HTTP ${status} ${JSON.stringify(body)}`);
    return body;
  }

  pay(no: string, payMethodId?: string) {
    return this.control<OrderRecord>('POST', `/sandbox/orders/${encodeURIComponent(no)}/pay`, payMethodId ? { payMethodId } : undefined);
  }

  close(): Promise<void> {
    return this.sandbox.close();
  }
}

/** A sandbox on a random port with a controllable clock (real time unless advanced). */
export async function startFixture(options: Partial<SandboxOptions> = {}): Promise<SandboxFixture & { advance(ms: number): void }> {
  let offset = 0;
  const clock = { now: () => Date.now() + offset };
  const sandbox = await startSandbox({
    gatewayPrivateKey: gatewayKeys.privateKey,
    merchants: [{ ...MERCHANT, publicKey: merchantKeys.publicKey, name: 'Test Café' }],
    notifyTimeScale: 0.0001,
    now: clock.now,
    ...options,
  });
  const fixture = new SandboxFixture(sandbox, clock);
  return Object.assign(fixture, {
    advance(ms: number) {
      offset += ms;
    },
  });
}

let sequence = 0;
/** A merchant order number unique within the run. */
export function orderNo(prefix = 'M'): string {
  sequence += 1;
  return `${prefix}${Date.now().toString(36)}${sequence}`;
}
