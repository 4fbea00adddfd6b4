import type { KeyObject } from 'node:crypto';
import { CodePayBusinessError } from './errors';
import { withSignature } from './signing';

/**
 * A signed CodePay request (docs/codepay-protocol.md §2): the common fields beside the call's business fields,
 * all strings, signed with the merchant's private key.
 */
export interface MerchantIdentity {
  appId: string;
  merchantNo: string;
  storeNo?: string;
}

export type BusinessFields = Record<string, string | undefined>;

/**
 * Code of the CodePayBusinessError thrown before sending a request CodePay would refuse. A business
 * error, because retrying cannot help and the merchant's input has to change.
 */
export const INVALID_REQUEST_CODE = 'INVALID_REQUEST';

// A UTF-16 surrogate is a 4-byte character in UTF-8 (or a broken one); CodePay accepts 1–3 bytes.
const FOUR_BYTE_CHAR = /[\uD800-\uDFFF]/;

export function buildRequestEnvelope(
  identity: MerchantIdentity,
  method: string,
  business: BusinessFields,
  timestampMs: number,
  privateKey: KeyObject,
): Record<string, string> {
  const fields: Record<string, string> = {
    app_id: identity.appId,
    format: 'JSON',
    charset: 'UTF-8',
    sign_type: 'RSA2',
    version: '1.0',
    timestamp: String(timestampMs),
    method,
    merchant_no: identity.merchantNo,
  };
  if (identity.storeNo) fields.store_no = identity.storeNo;
  for (const [key, value] of Object.entries(business)) {
    if (value === undefined || value === '') continue;
    if (FOUR_BYTE_CHAR.test(value)) {
      throw new CodePayBusinessError(
        INVALID_REQUEST_CODE,
        `${key} contains a 4-byte character (such as an emoji), which CodePay rejects`,
        method,
      );
    }
    fields[key] = value;
  }
  return withSignature(fields, privateKey);
}
