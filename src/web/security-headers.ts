import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * The security headers of every HTTP surface (merchant API, demo shop, sandbox cashier), set by
 * helmet: `nosniff`, no framing, no referrer, and a Content-Security-Policy that allows nothing but
 * our own inline `<style>`/`<script>` carrying this response's nonce (`cspNonce(res)`), fetches to
 * our own origin, and form posts to our own origin plus the origins the caller names (a form whose
 * answer redirects elsewhere: the demo's checkout → the cashier, the cashier → the shop's return
 * URL; browsers check redirects of a form post against `form-action`). Every answer is
 * `Cache-Control: no-store`: payment data must not sit in a browser or proxy cache.
 */
const NONCE = 'cspNonce';

export function cspNonce(res: Response): string {
  return String(res.locals[NONCE]);
}

const nonceSource = (_req: IncomingMessage, res: ServerResponse) => `'nonce-${String((res as Response).locals[NONCE])}'`;

function policy(formTargets: readonly string[]) {
  return {
    useDefaults: false as const,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: [nonceSource],
      styleSrc: [nonceSource],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      formAction: ["'self'", ...formTargets.map((url) => new URL(url).origin)],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
  };
}

export interface SecurityHeadersOptions {
  /** URLs (their origins count) that pages' forms may end up at through a redirect. */
  formTargets?: readonly string[];
}

export function securityHeaders({ formTargets = [] }: SecurityHeadersOptions = {}): RequestHandler[] {
  return [
    (_req, res, next) => {
      res.locals[NONCE] = randomBytes(16).toString('base64');
      next();
    },
    helmet({ contentSecurityPolicy: policy(formTargets), referrerPolicy: { policy: 'no-referrer' } }),
    (_req, res, next) => {
      res.set('Cache-Control', 'no-store');
      next();
    },
  ];
}

/** Replaces the policy of one response when its form targets are known only per request. */
export function allowFormTargets(res: Response, formTargets: readonly string[]): void {
  helmet.contentSecurityPolicy(policy(formTargets))(res.req, res, () => undefined);
}
