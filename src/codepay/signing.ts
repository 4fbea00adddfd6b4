import { sign, verify, KeyObject } from 'node:crypto';
import { canonicalString, WireValue } from './canonical';

/** SHA256withRSA (RSASSA-PKCS1-v1_5) over the canonical string, base64 (docs/codepay-protocol.md §5). */
export function signFields(fields: Record<string, WireValue>, privateKey: KeyObject): string {
  return sign('sha256', Buffer.from(canonicalString(fields), 'utf8'), privateKey).toString('base64');
}

/**
 * True only for a present, well-formed signature that verifies. A message without `sign` is
 * unverified, not valid (unlike the official Java SDK, which skips the check).
 */
export function verifyFields(fields: Record<string, WireValue>, publicKeys: KeyObject | KeyObject[]): boolean {
  const signature = fields.sign;
  if (typeof signature !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  const data = Buffer.from(canonicalString(fields), 'utf8');
  const bytes = Buffer.from(signature, 'base64');
  // Several keys are accepted during a gateway key rotation window.
  return (Array.isArray(publicKeys) ? publicKeys : [publicKeys]).some((key) => verify('sha256', data, key, bytes));
}

export function withSignature<T extends Record<string, WireValue>>(fields: T, privateKey: KeyObject): T & { sign: string } {
  return { ...fields, sign: signFields(fields, privateKey) };
}
