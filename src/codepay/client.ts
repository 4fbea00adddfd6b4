import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import { Config, ConfigError, DEFAULT_REFUND_AMOUNT_FIELDS, RefundAmountField, requireCodePayCredentials } from '../config';
import { BusinessFields, buildRequestEnvelope, INVALID_REQUEST_CODE, MerchantIdentity } from './envelope';
import { CodePayBusinessError, CodePayConfigError, CodePayError, CodePayTransportError, CodePayUnverifiedError } from './errors';
import { watchGatewayPublicKeys, watchPrivateKey } from './keys';
import { LiveFiles } from '../secrets/live-file';
import type { CodePayClient, CreateWapOrderRequest, OrderFact, RefundFact, SubmitRefundRequest } from './model';
import { MoneyError, toDecimalString } from './money';
import { CreateWapOrderDataSchema, OrderFactSchema, refundFactSchema } from './schemas';
import { readResponse } from './response';
import { HttpTimeoutError, httpPost, type HttpPost } from '../net/http-post';
import { inClientSpan, ORDER_NO_ATTRIBUTE, withTraceHeaders } from '../telemetry/spans';

/** Operation names as CodePay's Java SDK derives them (docs/codepay-protocol.md §4); each can be overridden. */
export interface CodePayMethods {
  createWapOrder: string;
  cancelOrder: string;
  submitRefund: string;
  queryOrder: string;
  queryRefund: string;
}

export const DEFAULT_METHODS: CodePayMethods = {
  createWapOrder: 'pay.unifiedorder',
  cancelOrder: 'order.revoker',
  submitRefund: 'order.refund.submit',
  queryOrder: 'order.query',
  queryRefund: 'order.refund.query',
};

/** One finished call, for metrics and logs (never the request or response bodies). */
export interface CodePayCallEvent {
  method: string;
  durationMs: number;
  outcome: 'ok' | 'business' | 'config' | 'transport' | 'unverified';
}

export interface CodePayClientOptions {
  baseUrl: string;
  appId: string;
  merchantNo: string;
  storeNo?: string;
  /**
   * The merchant's key: signs requests. Both keys are read on every call, so getters may hand out
   * keys re-read from their files (codePayClientOptionsFromConfig).
   */
  privateKey: KeyObject;
  /** CodePay's keys: verify responses (several during a key rotation). */
  gatewayPublicKeys: KeyObject[];
  timeoutMs: number;
  methods?: Partial<CodePayMethods>;
  /** The fields that carry a refund's amount (config CODEPAY_REFUND_AMOUNT_FIELDS); default both. */
  refundAmountFields?: readonly RefundAmountField[];
  /** How requests are sent (tests); node:http(s) with keep-alive by default. */
  post?: HttpPost;
  /** Epoch milliseconds, for the request `timestamp` and call durations. */
  now?: () => number;
  onCall?: (event: CodePayCallEvent) => void;
}

const NoData = z.object({});

export function createCodePayClient(options: CodePayClientOptions): CodePayClient {
  if (options.gatewayPublicKeys.length === 0) throw new ConfigError('CodePay client needs at least one gateway public key');
  const methods: CodePayMethods = { ...DEFAULT_METHODS, ...options.methods };
  const refundAmountFields = options.refundAmountFields ?? DEFAULT_REFUND_AMOUNT_FIELDS;
  const endpoint = `${options.baseUrl.replace(/\/+$/, '')}/api/entry`;
  const send = options.post ?? httpPost;
  const now = options.now ?? Date.now;
  const identity: MerchantIdentity = { appId: options.appId, merchantNo: options.merchantNo, storeNo: options.storeNo };

  /**
   * One call in a client span carrying CodePay's method, the order number and the result code:
   * names and codes only, never the envelope (its `sign`) or a key.
   */
  function call<S extends z.ZodType>(method: string, business: BusinessFields, dataSchema: S): Promise<z.output<S>> {
    const attributes = { 'codepay.method': method, [ORDER_NO_ATTRIBUTE]: business.merchant_order_no ?? '', 'http.request.method': 'POST', 'url.full': endpoint };
    return inClientSpan(`CodePay ${method}`, attributes, async (span) => {
      const started = now();
      try {
        const envelope = buildRequestEnvelope(identity, method, business, started, options.privateKey);
        const { status, body } = await post(method, envelope);
        span.setAttribute('http.response.status_code', status);
        const data = readResponse(method, status, body, options.gatewayPublicKeys, dataSchema);
        span.setAttribute('codepay.result_code', '0');
        options.onCall?.({ method, durationMs: now() - started, outcome: 'ok' });
        return data;
      } catch (err) {
        // The interface promises only errors.ts errors (e.g. a signing failure is a config problem).
        const error =
          err instanceof CodePayError ? err : new CodePayConfigError(`CodePay ${method} could not be called: ${(err as Error).message}`, method);
        const outcome = outcomeOf(error);
        span.setAttribute('codepay.outcome', outcome);
        if (error instanceof CodePayBusinessError) span.setAttribute('codepay.result_code', error.code);
        options.onCall?.({ method, durationMs: now() - started, outcome });
        throw error;
      }
    });
  }

  async function post(method: string, envelope: Record<string, string>): Promise<{ status: number; body: string }> {
    try {
      return await send(endpoint, {
        headers: withTraceHeaders({ 'content-type': 'application/json; charset=utf-8', accept: 'application/json' }),
        body: JSON.stringify(envelope),
        timeoutMs: options.timeoutMs,
      });
    } catch (err) {
      const reason = err instanceof HttpTimeoutError ? `timed out after ${options.timeoutMs} ms` : `failed: ${networkCause(err)}`;
      throw new CodePayTransportError(`CodePay ${method} ${reason}`, method);
    }
  }

  return {
    async createWapOrder(request: CreateWapOrderRequest) {
      const method = methods.createWapOrder;
      return call(
        method,
        {
          merchant_order_no: request.merchantOrderNo,
          price_currency: request.currency,
          order_amount: amount(request.amountMinor, request.currency, method),
          description: request.description,
          terminal_type: 'WAP',
          expires: String(request.expiresInSeconds),
          notify_url: request.notifyUrl,
          return_url: request.returnUrl,
          pay_method_id: request.payMethodId,
          attach: request.attach,
          language: request.language,
          os_type: request.shopper?.os,
          term_ip: request.shopper?.ip,
          browser_head_user_agent: request.shopper?.userAgent,
        },
        CreateWapOrderDataSchema,
      );
    },

    async cancelOrder(merchantOrderNo: string) {
      await call(methods.cancelOrder, { merchant_order_no: merchantOrderNo }, NoData);
    },

    /**
     * The refund amount goes in every configured field (default `trans_amount` and `order_amount`):
     * whichever of them CodePay reads as the refund, it refunds exactly this amount or refuses.
     * The answer's amount (RefundFact.amountMinor) is CodePay's, for the caller to compare.
     */
    async submitRefund(request: SubmitRefundRequest): Promise<RefundFact> {
      const method = methods.submitRefund;
      const refundAmount = amount(request.amountMinor, request.currency, method);
      const fact = await call(
        method,
        {
          merchant_order_no: request.refundNo,
          orig_merchant_order_no: request.merchantOrderNo,
          ...Object.fromEntries(refundAmountFields.map((field) => [field, refundAmount])),
          price_currency: request.currency,
          description: request.reason,
          notify_url: request.notifyUrl,
        },
        refundFactSchema({ currency: request.currency, refundNo: request.refundNo }),
      );
      return sameNumber(method, fact.refundNo, request.refundNo, fact);
    },

    async queryOrder(merchantOrderNo: string): Promise<OrderFact> {
      const method = methods.queryOrder;
      const fact = await call(method, { merchant_order_no: merchantOrderNo }, OrderFactSchema);
      return sameNumber(method, fact.merchantOrderNo, merchantOrderNo, fact);
    },

    async queryRefund(refundNo: string): Promise<RefundFact> {
      const method = methods.queryRefund;
      const fact = await call(method, { merchant_order_no: refundNo }, refundFactSchema());
      return sameNumber(method, fact.refundNo, refundNo, fact);
    },
  };
}

/** A verified answer about another order would be applied to the wrong payment: refuse it. */
function sameNumber<T>(method: string, answered: string, asked: string, fact: T): T {
  if (answered !== asked) throw new CodePayConfigError(`CodePay ${method} answered about a different merchant_order_no`, method);
  return fact;
}

function amount(minor: number, currency: string, method: string): string {
  try {
    return toDecimalString(minor, currency);
  } catch (err) {
    if (!(err instanceof MoneyError)) throw err;
    throw new CodePayBusinessError(INVALID_REQUEST_CODE, err.message, method);
  }
}

function outcomeOf(err: unknown): CodePayCallEvent['outcome'] {
  if (err instanceof CodePayTransportError) return 'transport';
  if (err instanceof CodePayBusinessError) return 'business';
  if (err instanceof CodePayUnverifiedError) return 'unverified';
  return 'config';
}

/** The useful part of a network error: its code (ECONNREFUSED, ENOTFOUND…), else its message. */
function networkCause(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : (err as Error).message;
}

/**
 * Options from the process configuration. The key files are read now (a missing or malformed one
 * fails the start) and re-read while the process runs through `files`, so a rotation is a file
 * change (docs/operations.md §5); their contents are never logged. The keys are getters: pass the
 * options on as they are (a spread would copy the keys of this moment and stop following the files).
 */
export function codePayClientOptionsFromConfig(config: Config, files: LiveFiles = new LiveFiles()): CodePayClientOptions {
  const { privateKeyFile } = requireCodePayCredentials(config);
  const privateKey = watchPrivateKey(files, privateKeyFile);
  const gatewayPublicKeys = watchGatewayPublicKeys(files, config.codepay.gatewayPublicKeyFiles);
  return {
    baseUrl: config.codepay.baseUrl,
    appId: config.codepay.appId,
    merchantNo: config.codepay.merchantNo,
    storeNo: config.codepay.storeNo,
    get privateKey() {
      return privateKey();
    },
    get gatewayPublicKeys() {
      return gatewayPublicKeys();
    },
    timeoutMs: config.codepay.timeoutMs,
    methods: { cancelOrder: config.codepay.methods.cancel },
    refundAmountFields: config.codepay.refundAmountFields,
  };
}
