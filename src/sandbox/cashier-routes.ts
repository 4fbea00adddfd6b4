import express, { Request, Response, Router } from 'express';
import { z } from 'zod';
import { TransStatus } from '../codepay/trans-status';
import { allowFormTargets, cspNonce } from '../web/security-headers';
import { checkoutPage, notFoundPage, resultPage, returnUrlFor } from './cashier-page';
import type { SandboxGateway } from './gateway';
import { NotPayableError, SandboxOrder } from './ledger';

/** The cashier at `pay_url`: GET shows the order, the forms POST Pay or Decline back here. */
const PayFormSchema = z.object({ pay_method: z.string().min(1).max(32).optional() });

export function cashierRouter(gateway: SandboxGateway): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });

  const withOrder =
    (handle: (order: SandboxOrder, req: Request, res: Response) => void) => (req: Request<{ token: string }>, res: Response) => {
      const order = gateway.ledger.orderByToken(req.params.token);
      if (!order) {
        res.status(404).type('html').send(notFoundPage(cspNonce(res)));
        return;
      }
      // Pay and Decline answer with a redirect to the shop's return URL: the page's forms may go there.
      if (order.returnUrl) allowFormTargets(res, [order.returnUrl]);
      handle(order, req, res);
    };

  const act = (run: (order: SandboxOrder, req: Request) => void) =>
    withOrder((order, req, res) => {
      const name = gateway.merchantName(order);
      try {
        run(order, req);
      } catch (err) {
        if (!(err instanceof NotPayableError)) throw err;
        res.status(409).type('html').send(resultPage(cspNonce(res), order, name, 'This order can no longer be paid.'));
        return;
      }
      const target = returnUrlFor(order);
      if (target) res.redirect(303, target);
      else res.type('html').send(resultPage(cspNonce(res), order, name));
    });

  router.get(
    '/cashier/:token',
    withOrder((order, _req, res) => {
      const name = gateway.merchantName(order);
      const nonce = cspNonce(res);
      res.type('html').send(order.status === TransStatus.CREATED ? checkoutPage(nonce, order, name) : resultPage(nonce, order, name));
    }),
  );
  router.post(
    '/cashier/:token/pay',
    form,
    act((order, req) => {
      const body = PayFormSchema.safeParse(req.body ?? {});
      gateway.pay(order.merchantOrderNo, body.success ? body.data.pay_method : undefined);
    }),
  );
  router.post(
    '/cashier/:token/decline',
    form,
    act((order) => void gateway.decline(order.merchantOrderNo)),
  );
  return router;
}
