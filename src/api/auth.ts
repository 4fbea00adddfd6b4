import type { RequestHandler, Response } from 'express';
import { type ApiKey, matchApiKey } from '../secrets/api-key-list';
import { ProblemError } from './problem';

/**
 * Bearer API keys, held as digests (src/secrets/api-key-list.ts): a token is hashed and compared
 * with every key in constant time. An unknown and an expired key get the same 401, so an answer
 * never tells which keys exist.
 */
export interface ApiKeySource {
  /** The keys in force now: an environment list, or a key file re-read live (api-keys.ts). */
  current(): readonly ApiKey[];
}

export type Clock = () => number;

export function bearerToken(header: string | undefined): string | undefined {
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1];
}

const unauthorized = (res: Response): ProblemError => {
  res.set('WWW-Authenticate', 'Bearer realm="codepay-payments"');
  return new ProblemError('unauthorized', 'send Authorization: Bearer <api key>');
};

export function requireApiKey(keys: ApiKeySource, now: Clock = Date.now): RequestHandler {
  return (req, res, next) => {
    if (matchApiKey(keys.current(), bearerToken(req.get('authorization')), now()).result === 'valid') return next();
    next(unauthorized(res));
  };
}

/** How an operator is named in events and logs: its key's id, never the key. */
export function operatorIdentity(key: ApiKey): string {
  return `op-${key.id}`;
}

/** Who a bearer key belongs to, if anyone: an operator (by identity, never the key) or a merchant. */
export type KeyHolder = { role: 'operator'; operator: string } | { role: 'merchant' };

type OperatorKeySets = { operatorKeys: ApiKeySource; merchantKeys: ApiKeySource; now?: Clock };

/**
 * The one check of operator keys, shared by the operator API and the console's sign-in: merchant
 * keys are known (so a caller can be told they are the wrong kind) but grant no operator action.
 * A key listed in both sets is a merchant's: config.ts refuses that for the environment lists, and
 * here it holds for key files edited while running, so a line copied into the wrong file never
 * gives a shop operator rights. An expired key is no one's.
 */
export function createKeyHolderCheck({ operatorKeys, merchantKeys, now = Date.now }: OperatorKeySets): (token: string | undefined) => KeyHolder | undefined {
  return (token) => {
    const at = now();
    const operator = matchApiKey(operatorKeys.current(), token, at);
    const merchant = matchApiKey(merchantKeys.current(), token, at);
    if (operator.result === 'valid' && merchant.result === 'unknown') return { role: 'operator', operator: operatorIdentity(operator.key) };
    if (merchant.result === 'valid') return { role: 'merchant' };
    return undefined;
  };
}

/**
 * Whether the operator named `operator` (operatorIdentity) still holds a key in force: a console
 * session, opened with a key, ends when that key is withdrawn, expires or turns up among the
 * merchant keys.
 */
export function createOperatorKeyInForce({ operatorKeys, merchantKeys, now = Date.now }: OperatorKeySets): (operator: string) => boolean {
  return (operator) => {
    const named = (key: ApiKey) => operatorIdentity(key) === operator;
    const key = operatorKeys.current().find(named);
    return key !== undefined && (key.expiresAtMs === undefined || now() < key.expiresAtMs) && !merchantKeys.current().some(named);
  };
}

/**
 * Operator actions: an operator key passes (its identity in `res.locals.operator`), a merchant
 * key is known but not allowed (403), anything else is 401.
 */
export function requireOperatorKey(keys: OperatorKeySets): RequestHandler {
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
