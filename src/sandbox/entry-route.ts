import express, { NextFunction, Request, Response, Router } from 'express';
import { authenticate, parseEntryBody } from './entry-request';
import { ENTRY_METHODS } from './entry-methods';
import { envelope, Envelope } from './envelope';
import { GatewayCode, GatewayRejection } from './gateway-codes';
import type { SandboxGateway } from './gateway';

/**
 * `POST /api/entry` (and `/api/entry/<suffix>`): always HTTP 200 with a signed envelope once the
 * request was processed, never a stack trace. Faults wrap it: `errorRate` answers 502/503 before
 * processing; `latencyMs` delays the answer; `timeoutRate` commits and then never answers.
 */
export function entryRouter(gateway: SandboxGateway): Router {
  const router = express.Router();
  router.post(
    ['/api/entry', '/api/entry/*suffix'],
    express.text({ type: () => true, limit: '256kb' }),
    async (req: Request, res: Response) => {
      if (gateway.chance(gateway.faults.errorRate)) {
        const status = gateway.chance(0.5) ? 502 : 503;
        res.status(status).type('text/plain').send(status === 502 ? 'Bad Gateway' : 'Service Unavailable');
        return;
      }
      const reply = answer(gateway, typeof req.body === 'string' ? req.body : '', req.get('content-type'));
      const { latencyMs, timeoutRate } = gateway.faults;
      if (latencyMs > 0) await gateway.later(latencyMs);
      if (gateway.chance(timeoutRate)) {
        // Committed, never answered: the socket stays open until the client gives up or close().
        gateway.logger.info({ code: reply.code }, 'fault: holding /api/entry answer');
        return;
      }
      res.json(reply);
    },
  );
  // Body-parser failures (oversized body, unknown charset) are answered like any bad request.
  router.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    gateway.logger.warn({ err: (err as Error).message }, 'unreadable /api/entry body');
    res.json(envelope(gateway.signer, GatewayCode.MALFORMED_REQUEST, 'Request body cannot be read'));
  });
  return router;
}

function answer(gateway: SandboxGateway, raw: string, contentType: string | undefined): Envelope {
  let method: string | undefined;
  try {
    const fields = parseEntryBody(raw, contentType);
    method = fields.method;
    const { merchant, common } = authenticate(fields, (appId, merchantNo) => gateway.merchant(appId, merchantNo), gateway.now());
    const run = Object.hasOwn(ENTRY_METHODS, common.method) ? ENTRY_METHODS[common.method] : undefined;
    if (!run) throw new GatewayRejection(GatewayCode.UNKNOWN_METHOD, `Method ${common.method} is not authorised`);
    const { data } = run(gateway, merchant, fields);
    gateway.logger.debug({ method, merchantOrderNo: fields.merchant_order_no }, '/api/entry ok');
    return envelope(gateway.signer, GatewayCode.SUCCESS, 'Success', data);
  } catch (err) {
    if (err instanceof GatewayRejection) {
      gateway.logger.info({ method, code: err.code, reason: err.message }, '/api/entry rejected');
      return envelope(gateway.signer, err.code, err.message);
    }
    gateway.logger.error({ method, err }, '/api/entry failed');
    return envelope(gateway.signer, GatewayCode.INTERNAL_ERROR, 'Internal error');
  }
}
