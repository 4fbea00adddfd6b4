import type { RequestHandler } from 'express';

/** Methods a browser sends to another origin without asking first are the ones that change things here. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a write whose `Origin` is not the sandbox's own. Any page the developer visits could
 * otherwise pay an order with a simple cross-origin POST (a form or a text/plain fetch needs no
 * CORS preflight, and the sandbox's control API takes bodiless POSTs). Browsers always send
 * `Origin` on such a POST (`null` from sandboxed or opaque contexts); tools such as curl and the
 * tests send none and are let through, as are the sandbox's own pages.
 */
export function sameOriginWrites(onRefused: (res: Parameters<RequestHandler>[1], origin: string) => void): RequestHandler {
  return (req, res, next) => {
    const origin = req.get('origin');
    if (SAFE_METHODS.has(req.method) || origin === undefined || origin === `${req.protocol}://${req.get('host') ?? ''}`) return next();
    onRefused(res, origin);
  };
}
