import { createHash, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * API keys as the service holds them: SHA-256 digests, never the keys, each with an optional
 * expiry (docs/design.md §6). A key list is text, one key a line (a file) or one an item (an
 * environment list): `<key or sha256:<hex>> [<ISO-8601 instant after which it no longer works>]`,
 * `#` starting a comment. Errors name the line, never its content.
 */
export interface ApiKey {
  /** What logs and metrics call the key: the first 12 hex digits of its SHA-256. */
  id: string;
  digest: Buffer;
  expiresAtMs?: number;
}

/** From this long before its expiry a key is warned about. */
export const EXPIRY_WARNING_MS = 7 * 24 * 3600 * 1000;

const DIGEST_ENTRY = /^sha256:([0-9a-fA-F]{64})$/;
// An instant needs its offset: a local time would expire at a different moment on every host.
const Expiry = z.iso.datetime({ offset: true });

export const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/** An already trusted secret (METRICS_TOKEN), without the list syntax. */
export function apiKeyOf(secret: string): ApiKey {
  const digest = sha256(secret);
  return { id: keyId(digest), digest };
}

const keyId = (digest: Buffer) => digest.toString('hex').slice(0, 12);

function parseEntry(entry: string, where: string): ApiKey {
  const [token, expiry, ...rest] = entry.split(/\s+/);
  if (!token || rest.length > 0) throw new Error(`${where}: expected "<key> [<ISO-8601 expiry>]"`);
  const hex = DIGEST_ENTRY.exec(token)?.[1];
  if (token.startsWith('sha256:') && !hex) throw new Error(`${where}: a sha256: entry needs 64 hex digits`);
  const digest = hex ? Buffer.from(hex, 'hex') : sha256(token);
  if (expiry === undefined) return { id: keyId(digest), digest };
  if (!Expiry.safeParse(expiry).success) throw new Error(`${where}: the expiry is not an ISO-8601 instant with an offset (2027-01-31T00:00:00Z)`);
  return { id: keyId(digest), digest, expiresAtMs: Date.parse(expiry) };
}

/** Non-empty lines without their comments, with their 1-based numbers. */
function entries(text: string): { line: number; entry: string }[] {
  return text
    .split(/\r?\n/)
    .map((raw, i) => ({ line: i + 1, entry: raw.replace(/(^|\s)#.*$/, '').trim() }))
    .filter(({ entry }) => entry !== '');
}

/**
 * A key file. One without any key is refused: it is far likelier a truncated write than a wish to
 * lock everyone out, and refusing it keeps the last good set in use.
 */
export function parseApiKeyFile(text: string): ApiKey[] {
  const keys = entries(text).map(({ line, entry }) => parseEntry(entry, `line ${line}`));
  if (keys.length === 0) throw new Error('no key in the file');
  return keys;
}

/** An environment list (API_KEYS, OPERATOR_API_KEYS), already split at commas. */
export function parseApiKeyList(items: readonly string[]): ApiKey[] {
  return items.map((item, i) => parseEntry(item.trim(), `item ${i + 1}`));
}

/** The keys themselves (not `sha256:` entries) of a key file, in order: what `npm start` prints. */
export function plainKeys(text: string): string[] {
  return entries(text)
    .map(({ entry }) => entry.split(/\s+/)[0]!)
    .filter((token) => !token.startsWith('sha256:'));
}

export type KeyMatch = { result: 'valid'; key: ApiKey } | { result: 'expired'; key: ApiKey } | { result: 'unknown' };

/**
 * Which key `token` is. The token is hashed and compared with every key in constant time, so
 * neither a key's length nor its position in the list shows in the answer's timing.
 */
export function matchApiKey(keys: readonly ApiKey[], token: string | undefined, nowMs: number): KeyMatch {
  if (token === undefined) return { result: 'unknown' };
  const candidate = sha256(token);
  let found: ApiKey | undefined;
  for (const key of keys) {
    if (timingSafeEqual(candidate, key.digest) && !found) found = key;
  }
  if (!found) return { result: 'unknown' };
  return found.expiresAtMs !== undefined && nowMs >= found.expiresAtMs ? { result: 'expired', key: found } : { result: 'valid', key: found };
}

/** The keys to warn about at `nowMs`: expiring within EXPIRY_WARNING_MS, or expired. */
export function expiringApiKeys(keys: readonly ApiKey[], nowMs: number): ApiKey[] {
  return keys.filter((key) => key.expiresAtMs !== undefined && key.expiresAtMs - nowMs <= EXPIRY_WARNING_MS);
}
