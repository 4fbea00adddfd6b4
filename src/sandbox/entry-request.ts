import { z } from 'zod';
import { FlatJsonError, parseFlatJson } from '../codepay/flat-json';
import { verifyFields } from '../codepay/signing';
import { GatewayCode, GatewayRejection } from './gateway-codes';
import type { SandboxMerchant } from './gateway';

/**
 * The protocol half of `POST /api/entry` (docs/codepay-protocol.md §1, §2, §5): read the body as sent (flat
 * JSON or form-encoded), then check it as CodePay does — common fields, the merchant, the RSA2
 * signature over the raw values, the 15-minute timestamp window, 4-byte characters.
 */
export type EntryFields = Record<string, string>;

export const TIMESTAMP_WINDOW_MS = 15 * 60 * 1000;

export function parseEntryBody(raw: string, contentType: string | undefined): EntryFields {
  const fields = /application\/x-www-form-urlencoded/i.test(contentType ?? '') ? parseForm(raw) : parseJson(raw);
  // Null and empty values count as absent, as in the string to sign.
  return Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== null && e[1] !== ''));
}

function parseJson(raw: string) {
  try {
    return parseFlatJson(raw);
  } catch (err) {
    if (err instanceof FlatJsonError || err instanceof SyntaxError) {
      throw new GatewayRejection(GatewayCode.MALFORMED_REQUEST, 'Request body is not a JSON object');
    }
    throw err;
  }
}

function parseForm(raw: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(raw)) {
    if (Object.prototype.hasOwnProperty.call(fields, key)) {
      throw new GatewayRejection(GatewayCode.MALFORMED_REQUEST, `Duplicate parameter ${key}`);
    }
    fields[key] = value;
  }
  return fields;
}

const id32 = z.string().max(32);
const CommonFieldsSchema = z.object({
  app_id: id32,
  merchant_no: id32,
  method: id32,
  sign: z.string(),
  sign_type: z.literal('RSA2'),
  format: z.literal('JSON'),
  charset: z.literal('UTF-8'),
  version: z.literal('1.0'),
  timestamp: z.string().regex(/^\d{13}$/),
  store_no: id32.optional(),
});
const COMMON_FIELDS = Object.keys(CommonFieldsSchema.shape).filter((k) => k !== 'store_no');
export type CommonFields = z.infer<typeof CommonFieldsSchema>;

/** Checks the common fields, the merchant and the signature; returns who is calling what. */
export function authenticate(
  fields: EntryFields,
  findMerchant: (appId: string, merchantNo: string) => SandboxMerchant | undefined,
  now: number,
): { merchant: SandboxMerchant; common: CommonFields } {
  const missing = COMMON_FIELDS.find((name) => fields[name] === undefined);
  if (missing) throw new GatewayRejection(GatewayCode.MISSING_PROTOCOL_FIELD, `Missing required parameter: ${missing}`);
  const parsed = CommonFieldsSchema.safeParse(fields);
  if (!parsed.success) {
    throw new GatewayRejection(GatewayCode.INVALID_PROTOCOL_FIELD, `Invalid parameter: ${String(parsed.error.issues[0]!.path[0])}`);
  }
  const common = parsed.data;
  const merchant = findMerchant(common.app_id, common.merchant_no);
  if (!merchant) throw new GatewayRejection(GatewayCode.UNKNOWN_MERCHANT, 'App id or merchant number is invalid');
  if (!verifyFields(fields, merchant.publicKey)) throw new GatewayRejection(GatewayCode.BAD_SIGNATURE, 'Signature verification failed');
  if (Math.abs(Number(common.timestamp) - now) > TIMESTAMP_WINDOW_MS) {
    throw new GatewayRejection(GatewayCode.TIMESTAMP_OUT_OF_WINDOW, 'Request timestamp is more than 15 minutes off');
  }
  const fourByte = Object.entries(fields).find(([key, value]) => hasFourByteCharacter(key) || hasFourByteCharacter(value));
  if (fourByte) {
    throw new GatewayRejection(GatewayCode.FOUR_BYTE_CHARACTERS, `Parameter ${fourByte[0]} contains 4-byte characters`);
  }
  return { merchant, common };
}

/** Characters outside the Basic Multilingual Plane take 4 bytes in UTF-8 (emoji, rare CJK). */
export function hasFourByteCharacter(text: string): boolean {
  return /[\u{10000}-\u{10FFFF}]/u.test(text);
}
