import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../config';
import type { LiveFiles } from '../secrets/live-file';
import { parseCursorSecret } from '../secrets/cursor-secret';
import { ProblemError } from './problem';

/**
 * The `GET /v1/payments` cursor (docs/design.md §4): Temporal's page token, a digest of the listing's
 * filters and an HMAC of both under the server's cursor key. Only a cursor this API issued reaches
 * Temporal: a forged or damaged one is a 400 at once, never a page token Temporal fails to read
 * (which it answers UNKNOWN, and the SDK retries for seconds). The digest tells "another listing's
 * cursor" from a forgery.
 */
export type CursorKey = () => Buffer;

/** API_CURSOR_SECRET_FILE (re-read while running), API_CURSOR_SECRET, or a random key for this process. */
export function cursorKey(config: Config['cursors'], files: LiveFiles): CursorKey {
  if (config.secretFile) {
    const live = files.watch('API_CURSOR_SECRET_FILE', config.secretFile, parseCursorSecret);
    return () => live.current();
  }
  const key = config.secret === undefined ? randomBytes(32) : Buffer.from(config.secret, 'utf8');
  return () => key;
}

const digest = (query: string) => createHash('sha256').update(query).digest('base64url').slice(0, 16);
const mac = (key: Buffer, q: string, t: string) => createHmac('sha256', key).update(`${q}\n${t}`).digest();

export function encodeCursor(key: Buffer, query: string, pageToken: Uint8Array): string {
  const q = digest(query);
  const t = Buffer.from(pageToken).toString('base64');
  return Buffer.from(JSON.stringify({ q, t, s: mac(key, q, t).toString('base64url') })).toString('base64url');
}

const CursorSchema = z.object({ q: z.string(), t: z.string().min(1), s: z.string() });

/** The page token of `cursor`, if this API issued it for the listing of `query`; else a 400 problem. */
export function decodeCursor(key: Buffer, query: string, cursor: string): Uint8Array {
  const invalid = (message: string) => new ProblemError('validation', `cursor: ${message}`, { errors: [{ field: 'cursor', message }] });
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalid('not a cursor this API issued');
  }
  const shape = CursorSchema.safeParse(parsed);
  if (!shape.success) throw invalid('not a cursor this API issued');
  const { q, t, s } = shape.data;
  const expected = mac(key, q, t);
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('not a cursor this API issued');
  if (q !== digest(query)) throw invalid('belongs to a listing with other filters');
  return Buffer.from(t, 'base64');
}
