import { buildRequestEnvelope } from './envelope';
import type { CodePayClientOptions } from './client';
import { readResponse } from './response';
import { CreateWapOrderDataSchema, OrderFactSchema } from './schemas';

/** The method name the warm-up signs; never sent anywhere. */
export const WARM_UP_METHOD = 'warm-up';

/**
 * Runs a CodePay call's cold paths once, offline, so the first payment after a worker start does
 * not pay for them: the first RSA sign with the merchant key, the first verify with each gateway
 * key, the response parser and its schemas. Nothing leaves the process: the signed envelope is
 * read back as if it were an answer (it fails verification, as it must: the merchant did sign it).
 * Resolves to the milliseconds it took.
 */
export function warmUpCodePay(options: Pick<CodePayClientOptions, 'appId' | 'merchantNo' | 'storeNo' | 'privateKey' | 'gatewayPublicKeys'>): number {
  const started = performance.now();
  const identity = { appId: options.appId, merchantNo: options.merchantNo, storeNo: options.storeNo };
  const envelope = buildRequestEnvelope(identity, WARM_UP_METHOD, { merchant_order_no: WARM_UP_METHOD }, Date.now(), options.privateKey);
  const answer = JSON.stringify({ ...envelope, code: '0', msg: 'SUCCESS', data: '{}' });
  for (const schema of [CreateWapOrderDataSchema, OrderFactSchema]) {
    schema.safeParse({});
    try {
      readResponse(WARM_UP_METHOD, 200, answer, options.gatewayPublicKeys, schema);
    } catch {
      // Expected: the merchant's own signature does not verify under CodePay's keys.
    }
  }
  return performance.now() - started;
}
