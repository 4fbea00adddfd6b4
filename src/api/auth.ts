import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { ProblemError } from './problem';

/**
 * Bearer API keys. Keys are compared as SHA-256 digests with timingSafeEqual, and every configured
 * key is compared on every request, so neither a key's length nor its position leaks through timing.
 */
const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

export function createApiKeyCheck(apiKeys: readonly string[]): (token: string | undefined) => boolean {
  const digests = apiKeys.map(digest);
  return (token) => {
    if (token === undefined) return false;
    const candidate = digest(token);
    let matched = false;
    for (const known of digests) matched = timingSafeEqual(candidate, known) || matched;
    return matched;
  };
}

export function requireApiKey(apiKeys: readonly string[]): RequestHandler {
  const isValid = createApiKeyCheck(apiKeys);
  return (req, res, next) => {
    if (isValid(bearerToken(req.get('authorization')))) return next();
    res.set('WWW-Authenticate', 'Bearer realm="codepay-payments"');
    next(new ProblemError('unauthorized', 'send Authorization: Bearer <api key>'));
  };
}
