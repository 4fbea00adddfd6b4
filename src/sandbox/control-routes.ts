import express, { Request, Response, Router } from 'express';
import { z } from 'zod';
import { FaultsUpdateSchema } from './faults';
import type { SandboxGateway } from './gateway';
import { GatewayRejection } from './gateway-codes';
import { NotPayableError, type SandboxOrder } from './ledger';
import { MoneyError, toMinorUnits } from '../codepay/money';
import { orderRecord, refundRecord } from './record-view';
import { sameOriginWrites } from './same-origin';

/** The sandbox control API (docs/design.md §5, a contract for tests and the demo). */
const PayBodySchema = z.object({ payMethodId: z.string().min(1).max(32).optional() }).strict();
const Decimal = z.string().regex(/^\d+(\.\d+)?$/, 'a decimal string such as "3.00"');
const PortalRefundBodySchema = z.strictObject({ amount: Decimal });
const OverrideBodySchema = z.strictObject({ transStatus: z.number().int().min(0).max(99), paidAmount: Decimal.optional() });

function problem(res: Response, status: number, type: string, title: string, detail?: string, extra?: object) {
  res
    .status(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: `urn:codepay-sandbox:${type}`, title, status, detail, ...extra }));
}

export function controlRouter(gateway: SandboxGateway): Router {
  const router = express.Router();
  router.use(
    '/sandbox',
    sameOriginWrites((res, origin) => problem(res, 403, 'foreign-origin', 'The control API takes writes from its own origin only', `Origin ${origin} is not this sandbox`)),
  );
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

  /** Books made to disagree (docs/design.md §5): CodePay's side moves without the merchant asking. */
  const backOffice = (act: (order: SandboxOrder, body: unknown) => void) => (req: Request<{ no: string }>, res: Response) => {
    const order = gateway.ledger.findOrder(undefined, { merchantOrderNo: req.params.no });
    if (!order) return problem(res, 404, 'unknown-order', 'Unknown order', `No order ${req.params.no}`);
    try {
      act(order, req.body ?? {});
    } catch (err) {
      if (err instanceof MoneyError) throw new InvalidBody(err.message);
      if (err instanceof GatewayRejection) return problem(res, 409, 'rejected', 'Rejected by the gateway', `[${err.code}] ${err.message}`, { code: err.code });
      throw err;
    }
    res.json(orderRecord(gateway, order));
  };
  router.post(
    '/sandbox/orders/:no/portal-refunds',
    backOffice((order, raw) => {
      const body = PortalRefundBodySchema.safeParse(raw);
      if (!body.success) throw new InvalidBody(z.prettifyError(body.error));
      gateway.portalRefund(order.merchantOrderNo, toMinorUnits(body.data.amount, order.currency));
    }),
  );
  router.post(
    '/sandbox/orders/:no/override',
    backOffice((order, raw) => {
      const body = OverrideBodySchema.safeParse(raw);
      if (!body.success) throw new InvalidBody(z.prettifyError(body.error));
      const paid = body.data.paidAmount;
      gateway.ledger.override(order.merchantOrderNo, { transStatus: body.data.transStatus, paidAmountMinor: paid === undefined ? undefined : toMinorUnits(paid, order.currency) });
    }),
  );

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
