import express, { Request, Response, Router } from 'express';
import { z } from 'zod';
import { FaultsUpdateSchema } from './faults';
import type { SandboxGateway } from './gateway';
import { GatewayRejection } from './gateway-codes';
import { NotPayableError } from './ledger';
import { orderRecord, refundRecord } from './record-view';

/** The sandbox control API (docs/design.md §5, a contract for tests and the demo). */
const PayBodySchema = z.object({ payMethodId: z.string().min(1).max(32).optional() }).strict();

function problem(res: Response, status: number, type: string, title: string, detail?: string, extra?: object) {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: `urn:codepay-sandbox:${type}`, title, status, detail, ...extra }));
}

export function controlRouter(gateway: SandboxGateway): Router {
  const router = express.Router();
  router.use('/sandbox', express.json({ limit: '16kb' }));

  const shopperAction = (act: (no: string, req: Request) => void) => (req: Request<{ no: string }>, res: Response) => {
    const no = req.params.no;
    try {
      act(no, req);
    } catch (err) {
      if (err instanceof NotPayableError) {
        return problem(res, 409, 'not-payable', 'Order is not awaiting payment', err.message, { transStatus: err.order.status });
      }
      if (err instanceof GatewayRejection) return problem(res, 404, 'unknown-order', 'Unknown order', `No order ${no}`);
      throw err;
    }
    res.json(orderRecord(gateway, gateway.ledger.findOrder(undefined, { merchantOrderNo: no })!));
  };

  router.post(
    '/sandbox/orders/:no/pay',
    shopperAction((no, req) => {
      const body = PayBodySchema.safeParse(req.body ?? {});
      if (!body.success) throw new InvalidBody(z.prettifyError(body.error));
      gateway.pay(no, body.data.payMethodId);
    }),
  );
  router.post('/sandbox/orders/:no/decline', shopperAction((no) => void gateway.decline(no)));

  router.get('/sandbox/orders/:no', (req: Request<{ no: string }>, res: Response) => {
    const order = gateway.ledger.findOrder(undefined, { merchantOrderNo: req.params.no });
    if (!order) return problem(res, 404, 'unknown-order', 'Unknown order', `No order ${req.params.no}`);
    res.json(orderRecord(gateway, order));
  });

  router.get('/sandbox/ledger', (_req, res) => {
    res.json({
      orders: gateway.ledger.allOrders().map((o) => orderRecord(gateway, o)),
      refunds: gateway.ledger.allRefunds().map(refundRecord),
    });
  });

  router.get('/sandbox/faults', (_req, res) => {
    res.json(gateway.faults);
  });
  router.put('/sandbox/faults', (req, res) => {
    const update = FaultsUpdateSchema.safeParse(req.body ?? {});
    if (!update.success) {
      return problem(res, 400, 'invalid-faults', 'Invalid faults', z.prettifyError(update.error), {
        errors: update.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
      });
    }
    gateway.logger.info({ faults: update.data }, 'faults updated');
    res.json(gateway.updateFaults(update.data));
  });

  router.get('/sandbox/keys', (_req, res) => {
    res.json({ gatewayPublicKey: gateway.publicKeyPem });
  });

  router.use('/sandbox', (err: unknown, _req: Request, res: Response, next: (err: unknown) => void) => {
    if (res.headersSent) return next(err);
    if (err instanceof InvalidBody) return problem(res, 400, 'invalid-body', 'Invalid request body', err.message);
    const status = (err as { status?: number }).status;
    if (status === 400 || status === 413) return problem(res, status, 'invalid-body', 'Invalid request body', (err as Error).message);
    next(err);
  });
  return router;
}

class InvalidBody extends Error {}
