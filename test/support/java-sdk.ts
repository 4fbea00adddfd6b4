import { createPrivateKey, createPublicKey, KeyObject, sign, verify } from 'node:crypto';

/**
 * CodePay's official Java SDK (github.com/codepay-us/gateway-api-sdk-java) as a test fixture,
 * written from its source, independent of our own canonical/signing code:
 * - `OpenApiClient.execute`: the request object → fastjson JSONObject (null fields left out,
 *   `Double` as Java text, `Integer` as digits), plus `buildCommonParameters`: app_id, method,
 *   format=JSON, charset=UTF-8, sign_type=RSA2, version=1.0, timestamp = UTC epoch ms as a string;
 *   header `Http-Request-Psn` (20 characters); `SignHandler.sign` puts `sign` in.
 * - `HttpClientUtil.doPost`: `UrlEncodedFormEntity(pairs, "UTF-8")`, i.e. a form body with
 *   `Content-Type: application/x-www-form-urlencoded; charset=UTF-8` to `<gatewayUrl>/api/entry`.
 * - `SignHandler`: drop null/"" values and any key equal to "sign" ignoring case, sort the keys
 *   (`Collections.sort`, Java String order = UTF-16 code units), join `k=v` with `&`.
 * - `RSA`: SHA256WithRSA; the private key is bare base64 PKCS#8 (`PKCS8EncodedKeySpec`), the
 *   gateway key bare base64 SPKI (`X509EncodedKeySpec`); signatures standard base64.
 * The method name comes from the request class name (`OpenApiRequest.getRequestMethod`):
 * PayUnifiedorderRequest → pay.unifiedorder, OrderRefundSubmitRequest → order.refund.submit.
 */
export type JavaValue = string | JavaDouble | JavaInteger | undefined;

/** A `Double` field: fastjson writes `Double.toString`, re-read as BigDecimal for the form. */
export class JavaDouble {
  constructor(readonly value: number) {}
  toString(): string {
    if (Math.abs(this.value) >= 1e7) {
      // 12345678.9 → Double "1.23456789E7" → BigDecimal "1.23456789E+7"
      const [mantissa = '', exponent = ''] = this.value.toExponential().split('e');
      return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${exponent}`;
    }
    return Number.isInteger(this.value) ? this.value.toFixed(1) : String(this.value);
  }
}
export class JavaInteger {
  constructor(readonly value: number) {}
  toString(): string {
    return String(this.value);
  }
}
export const double = (value: number) => new JavaDouble(value);
export const integer = (value: number) => new JavaInteger(value);

/** The SDK's request classes' method names (OpenApiRequest.getRequestMethod on the class name). */
export function requestMethod(className: string): string {
  return className
    .replace('Request', '')
    .replace(/^./, (c) => c.toLowerCase())
    .replace(/[A-Z]/g, (c) => `.${c.toLowerCase()}`);
}

export interface JavaSdkClient {
  appId: string;
  /** Bare base64 of the PKCS#8 DER, as the SDK's samples hold APP_RSA_PRIVATE_KEY. */
  appRsaPrivateKey: string;
  /** Bare base64 of the SPKI DER, as the SDK's samples hold GATEWAY_RSA_PUBLIC_KEY. */
  gatewayRsaPublicKey: string;
}

export const bareBase64Private = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'der' }).toString('base64');
export const bareBase64Public = (key: KeyObject) => key.export({ type: 'spki', format: 'der' }).toString('base64');

/** SignHandler.paraFilter + createLinkString. */
export function sdkLinkString(params: Record<string, string | undefined>): string {
  return Object.keys(params)
    .filter((key) => params[key] !== undefined && params[key] !== '' && key.toLowerCase() !== 'sign')
    .sort()
    .map((key) => `${key}=${params[key]}`)
    .join('&');
}

/** The form fields OpenApiClient.execute sends for a request object of `className`. */
export function sdkRequestParams(client: JavaSdkClient, className: string, request: Record<string, JavaValue>, timestampMs: number): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [key, value] of Object.entries(request)) if (value !== undefined) params[key] = value.toString();
  Object.assign(params, {
    app_id: client.appId,
    method: requestMethod(className),
    format: 'JSON',
    charset: 'UTF-8',
    sign_type: 'RSA2',
    version: '1.0',
    timestamp: String(timestampMs),
  });
  const privateKey = createPrivateKey({ key: Buffer.from(client.appRsaPrivateKey, 'base64'), format: 'der', type: 'pkcs8' });
  params.sign = sign('sha256', Buffer.from(sdkLinkString(params), 'utf8'), privateKey).toString('base64');
  return params;
}

/** HttpClientUtil.doPost: the form body and headers on the wire. */
export function sdkHttpRequest(params: Record<string, string>): { headers: Record<string, string>; body: string } {
  // Apache's URLEncodedUtils and URLSearchParams both keep A-Za-z0-9 and -_.*, write space as +
  // and everything else as %XX of its UTF-8 bytes.
  return {
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8', 'Http-Request-Psn': '11280330121234567890' },
    body: new URLSearchParams(params).toString(),
  };
}

/**
 * OpenApiClient.execute's answer handling, with one deliberate difference: the SDK's
 * SignHandler.verifySign returns true when `sign` is blank; this fixture reports `verified: false`.
 */
export function sdkReadResponse(client: JavaSdkClient, body: string): { verified: boolean; fields: Record<string, unknown> } {
  const json = JSON.parse(body) as Record<string, unknown>;
  const text = (value: unknown) => (value === null || value === undefined ? undefined : typeof value === 'string' ? value : JSON.stringify(value));
  const params = Object.fromEntries(Object.entries(json).map(([k, v]) => [k, text(v)]));
  const signature = params.sign;
  const publicKey = createPublicKey({ key: Buffer.from(client.gatewayRsaPublicKey, 'base64'), format: 'der', type: 'spki' });
  const verified =
    signature !== undefined && signature.trim() !== '' && verify('sha256', Buffer.from(sdkLinkString(params), 'utf8'), publicKey, Buffer.from(signature, 'base64'));
  const fields: Record<string, unknown> = { ...json };
  if (typeof json.data === 'string') Object.assign(fields, JSON.parse(json.data) as object);
  delete fields.data;
  return { verified, fields };
}
