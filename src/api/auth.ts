import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
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

const unauthorized = (res: Response): ProblemError => {
  res.set('WWW-Authenticate', 'Bearer realm="codepay-payments"');
  return new ProblemError('unauthorized', 'send Authorization: Bearer <api key>');
};

export function requireApiKey(apiKeys: readonly string[]): RequestHandler {
  const isValid = createApiKeyCheck(apiKeys);
  return (req, res, next) => {
    if (isValid(bearerToken(req.get('authorization')))) return next();
    next(unauthorized(res));
  };
}

/** How an operator is named in events and logs: a prefix of the key's SHA-256, never the key. */
export function operatorIdentity(key: string): string {
  return `op-${digest(key).toString('hex').slice(0, 12)}`;
}

/** Who a bearer key belongs to, if anyone: an operator (by identity, never the key) or a merchant. */
export type KeyHolder = { role: 'operator'; operator: string } | { role: 'merchant' };

/**
 * The one check of operator keys, shared by the operator API and the console's sign-in: merchant
 * keys are known (so a caller can be told they are the wrong kind) but grant no operator action.
 */
export function createKeyHolderCheck({ operatorKeys, merchantKeys }: { operatorKeys: readonly string[]; merchantKeys: readonly string[] }): (token: string | undefined) => KeyHolder | undefined {
  const isOperator = createApiKeyCheck(operatorKeys);
  const isMerchant = createApiKeyCheck(merchantKeys);
  return (token) => {
    if (isOperator(token)) return { role: 'operator', operator: operatorIdentity(token!) };
    if (isMerchant(token)) return { role: 'merchant' };
    return undefined;
  };
}

/**
 * Operator actions: an operator key passes (its identity in `res.locals.operator`), a merchant
 * key is known but not allowed (403), anything else is 401.
 */
export function requireOperatorKey(keys: { operatorKeys: readonly string[]; merchantKeys: readonly string[] }): RequestHandler {
  const holderOf = createKeyHolderCheck(keys);
  return (req, res, next) => {
    const holder = holderOf(bearerToken(req.get('authorization')));
    if (holder?.role === 'operator') {
      res.locals.operator = holder.operator;
      return next();
    }
    if (holder?.role === 'merchant') return next(new ProblemError('forbidden', 'this action needs an operator key (OPERATOR_API_KEYS)'));
    next(unauthorized(res));
  };
}
