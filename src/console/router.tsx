import express, { type ErrorRequestHandler, type Request, type RequestHandler, type Response, Router } from 'express';
import { parse as parseCookies } from 'cookie';
import type { Logger } from 'pino';
import type { ReactElement } from 'react';
import { z } from 'zod';
import type { KeyHolder } from '../api/auth';
import type { PaymentCommands } from '../api/payment-commands';
import type { ListPaymentsQuery, PaymentList } from '../api/payments-list';
import { params, parse } from '../api/payments-router';
import { CreateRefundBodySchema, EventParamsSchema, PaymentParamsSchema } from '../api/payments-schemas';
import { PROBLEMS, ProblemError } from '../api/problem';
import { ListReconciliationsQuerySchema, ReconciliationParamsSchema } from '../api/reconciliations-schemas';
import { ReviewBodySchema } from '../api/review-router';
import { budgeted } from '../api/temporal-failures';
import type { WebhookDeliveries } from '../api/webhook-deliveries';
import { cspNonce } from '../web/security-headers';
import { paymentWorkflowId } from '../workflows/messages';
import { ReconciliationPage, ReconciliationsPage } from './books-pages';
import type { BooksSource } from './books-source';
import { CSRF_FIELD, Notice, Page, renderPage } from './layout';
import { PAGE_SIZE, PaymentFiltersSchema, toListQuery } from './payment-filters';
import { PaymentPage } from './payment-page';
import { PaymentsPage } from './payments-page';
import type { ConsoleSession, ConsoleSessions } from './session';
import { SignInPage } from './sign-in-page';

export interface ConsoleDeps {
  commands: PaymentCommands;
  deliveries: WebhookDeliveries;
  list: (filters: ListPaymentsQuery) => Promise<PaymentList>;
  /** auth.ts's key check: only an operator key signs in. */
  holderOf: (key: string | undefined) => KeyHolder | undefined;
  /** auth.ts: whether a signed-in operator's key is still in force (else the session is over). */
  keyInForce: (operator: string) => boolean;
  sessions: ConsoleSessions;
  /** Reconciliation reports and the payments CSV (books-source.ts). */
  books: BooksSource;
  /** The Temporal Web UI and the namespace, for each payment's workflow link; no URL, no link. */
  temporalUi: { url?: string; namespace: string };
  logger: Logger;
  /** All Temporal calls of one request end within this. */
  requestMs: number;
}

const COOKIE = 'console_session';
const FORM_LIMIT = '16kb';

/** What a finished action says on the payment page it redirects to (post/redirect/get). */
const DONE = {
  review: 'Decision recorded.',
  refund: 'Refund requested; its status follows below.',
  cancel: 'Cancel requested.',
  redeliver: 'Redelivery started: the event is sent again from a fresh retry schedule.',
} as const;
type Done = keyof typeof DONE;
const DoneSchema = z.enum(Object.keys(DONE) as [Done, ...Done[]]);

const SignInSchema = z.object({ key: z.string().trim().min(1).max(512) });


const operatorOf = (res: Response) => res.locals.consoleSession as ConsoleSession;

/**
 * `/console`: the operator console (docs/operations.md, "The operator console"). Server-rendered
 * pages over the same commands as the API, behind a signed session cookie that only an operator
 * key gets; every form post carries the session's CSRF token.
 */
export function createConsoleRouter({ commands, deliveries, list, holderOf, keyInForce, sessions, books, temporalUi, logger, requestMs }: ConsoleDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: FORM_LIMIT, parameterLimit: 20 });
  const budget = (handler: RequestHandler) => budgeted(requestMs, handler);
  const send = (res: Response, status: number, page: ReactElement) => res.status(status).type('html').send(renderPage(page));
  const who = (res: Response) => {
    const session = operatorOf(res);
    return { id: session.operator, csrf: sessions.csrfToken(session) };
  };
  const sessionOf = (req: Request) => {
    const session = sessions.verify(parseCookies(req.get('cookie') ?? '')[COOKIE]);
    return session && keyInForce(session.operator) ? session : undefined;
  };
  const cookieOptions = (req: Request) => ({ httpOnly: true, sameSite: 'strict' as const, secure: req.secure, path: '/console' });

  /** A page needs a session; without one the browser goes to the sign-in page. */
  const signedIn: RequestHandler = (req, res, next) => {
    const session = sessionOf(req);
    if (!session) return res.redirect(303, '/console/sign-in');
    res.locals.consoleSession = session;
    next();
  };
  /**
   * A form post needs the session and its CSRF token, and must not come from another site; anything
   * else is 403 before the action runs.
   */
  const csrfChecked: RequestHandler[] = [
    form,
    (req, res, next) => {
      const session = sessionOf(req);
      const body: Record<string, unknown> = req.body ?? {};
      if (!session || req.get('sec-fetch-site') === 'cross-site' || !sessions.checkCsrf(session, body[CSRF_FIELD])) {
        logger.warn({ path: req.path, signedIn: Boolean(session) }, 'console post refused: no session or CSRF token');
        return send(res, 403, <ErrorPage nonce={cspNonce(res)} title="Refused" message="This form did not come from your console session (missing or wrong CSRF token, or signed out). Nothing was done; reload the page and try again." />);
      }
      res.locals.consoleSession = session;
      next();
    },
  ];

  router.get('/console', (req, res) => res.redirect(303, sessionOf(req) ? '/console/payments' : '/console/sign-in'));

  router.get('/console/sign-in', (req, res) => {
    if (sessionOf(req)) return res.redirect(303, '/console/payments');
    send(res, 200, <SignInPage nonce={cspNonce(res)} notice={req.query.signedOut === '1' ? 'Signed out.' : undefined} />);
  });

  router.post('/console/sign-in', form, (req, res) => {
    const refuse = (status: number, error: string) => send(res, status, <SignInPage nonce={cspNonce(res)} error={error} />);
    // Sign-in has no session to bind a token to: a post from another site is refused outright.
    if (req.get('sec-fetch-site') === 'cross-site') return refuse(403, 'Sign in from the console page itself.');
    const parsed = SignInSchema.safeParse(req.body ?? {});
    const holder = parsed.success ? holderOf(parsed.data.key) : undefined;
    if (holder?.role === 'merchant') return refuse(403, 'This is a merchant API key. The console takes operator keys only.');
    if (holder?.role !== 'operator') return refuse(401, 'This is not a valid operator key.');
    const { token, session } = sessions.issue(holder.operator);
    res.cookie(COOKIE, token, { ...cookieOptions(req), maxAge: sessions.ttlMs });
    logger.info({ operator: session.operator }, 'console sign-in');
    res.redirect(303, '/console/payments');
  });

  router.post('/console/sign-out', ...csrfChecked, (req, res) => {
    sessions.signOut(operatorOf(res));
    res.clearCookie(COOKIE, cookieOptions(req));
    res.redirect(303, '/console/sign-in?signedOut=1');
  });

  router.get('/console/payments', signedIn, budget(async (req, res) => {
    const query = req.query as Record<string, unknown>;
    const text = (key: string) => (typeof query[key] === 'string' ? (query[key] as string) : '');
    const shown = { status: text('status'), from: text('from'), to: text('to'), orderNo: text('orderNo') };
    const page = { nonce: cspNonce(res), operator: who(res), form: shown };
    const filters = PaymentFiltersSchema.safeParse(query);
    if (!filters.success) {
      const error = filters.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      return send(res, 400, <PaymentsPage {...page} error={`Check the filters — ${error}`} />);
    }
    try {
      send(res, 200, <PaymentsPage {...page} filters={filters.data} list={await list(toListQuery(filters.data))} />);
    } catch (err) {
      if (!(err instanceof ProblemError)) throw err;
      send(res, PROBLEMS[err.kind].status, <PaymentsPage {...page} filters={filters.data} error={err.message} />);
    }
  }));

  router.get('/console/payments.csv', signedIn, budget(async (req, res) => {
    const { cursor: _page, ...filters } = parse(PaymentFiltersSchema, req.query, 'query');
    logger.info({ operator: operatorOf(res).operator, filters }, 'console payments export');
    await books.exportPaymentsCsv(toListQuery(filters), res);
  }));

  router.get('/console/reconciliations', signedIn, budget(async (req, res) => {
    const { cursor } = parse(ListReconciliationsQuerySchema, req.query, 'query');
    const { data, nextCursor } = books.runs({ cursor, limit: PAGE_SIZE });
    const nextHref = nextCursor ? `/console/reconciliations?${new URLSearchParams({ cursor: nextCursor }).toString()}` : undefined;
    send(res, 200, <ReconciliationsPage nonce={cspNonce(res)} operator={who(res)} runs={data} nextHref={nextHref} />);
  }));

  const reportOf = async (req: Request) => {
    const { id } = params(ReconciliationParamsSchema, req);
    const report = await books.report(id);
    if (!report) throw new ProblemError('not-found', `no reconciliation ${id}`);
    return report;
  };
  router.get('/console/reconciliations/:id', signedIn, budget(async (req, res) => {
    send(res, 200, <ReconciliationPage nonce={cspNonce(res)} operator={who(res)} report={await reportOf(req)} />);
  }));
  router.get('/console/reconciliations/:id/report.csv', signedIn, budget(async (req, res) => {
    const report = await reportOf(req);
    res.type('text/csv; charset=utf-8').attachment(`${report.id}.csv`).send(books.reportCsv(report));
  }));

  /** The payment page, after an action too (with its outcome). */
  async function showPayment(res: Response, merchantOrderNo: string, outcome: { status?: number; notice?: string; error?: string } = {}) {
    const [view, webhooks] = await Promise.all([commands.get(merchantOrderNo), deliveries.listIfAvailable(merchantOrderNo)]);
    const workflowUrl = temporalUi.url && `${temporalUi.url.replace(/\/+$/, '')}/namespaces/${encodeURIComponent(temporalUi.namespace)}/workflows/${encodeURIComponent(paymentWorkflowId(merchantOrderNo))}`;
    const suggestedRefundNo = `${merchantOrderNo.slice(0, 28)}-R${view.refunds.length + 1}`;
    send(
      res,
      outcome.status ?? 200,
      <PaymentPage nonce={cspNonce(res)} operator={who(res)} view={view} webhooks={webhooks} workflowUrl={workflowUrl} suggestedRefundNo={suggestedRefundNo} notice={outcome.notice} error={outcome.error} />,
    );
  }

  router.get('/console/payments/:merchantOrderNo', signedIn, budget(async (req, res) => {
    const { merchantOrderNo } = params(PaymentParamsSchema, req);
    const done = DoneSchema.safeParse(req.query.done);
    await showPayment(res, merchantOrderNo, { notice: done.success ? DONE[done.data] : undefined });
  }));

  /**
   * An operator action on one payment: done → back to its page (303) with a notice; refused by the
   * rules (a problem about the action, not the payment's existence) → its page with the reason.
   */
  const action = (done: Done, run: (req: Request, merchantOrderNo: string, operator: string) => Promise<unknown>) =>
    budget(async (req, res) => {
      const { merchantOrderNo } = params(PaymentParamsSchema, req);
      const { operator } = operatorOf(res);
      try {
        await run(req, merchantOrderNo, operator);
      } catch (err) {
        if (!(err instanceof ProblemError) || err.kind === 'payment-not-found' || err.kind === 'temporal-unavailable') throw err;
        logger.info({ operator, action: done, merchantOrderNo, refused: err.kind }, 'console action refused');
        return showPayment(res, merchantOrderNo, { status: PROBLEMS[err.kind].status, error: `${PROBLEMS[err.kind].title}: ${err.message}` });
      }
      logger.info({ operator, action: done, merchantOrderNo }, 'console action');
      res.redirect(303, `/console/payments/${encodeURIComponent(merchantOrderNo)}?done=${done}`);
    });
  const fields = (req: Request) => req.body as Record<string, unknown>;

  router.post('/console/payments/:merchantOrderNo/review', ...csrfChecked, action('review', async (req, no, operator) => {
    const { decision, reason } = fields(req);
    await commands.review(no, { ...parse(ReviewBodySchema, { decision, reason }, 'form'), operator });
  }));

  router.post('/console/payments/:merchantOrderNo/refunds', ...csrfChecked, action('refund', async (req, no, operator) => {
    const { refundNo, amount, reason } = fields(req);
    const body = parse(CreateRefundBodySchema, { refundNo, amount, ...(reason ? { reason } : {}) }, 'form');
    await commands.refundAmount(no, { ...body, operator });
  }));

  router.post('/console/payments/:merchantOrderNo/cancel', ...csrfChecked, action('cancel', (_req, no, operator) => commands.cancel(no, operator)));

  router.post('/console/payments/:merchantOrderNo/events/:eventId/redeliver', ...csrfChecked, action('redeliver', (req, no, operator) => {
    const { eventId } = params(EventParamsSchema, req);
    return deliveries.redeliver(no, eventId, operator);
  }));

  router.use('/console', signedIn, (req, res) => {
    send(res, 404, <ErrorPage nonce={cspNonce(res)} operator={who(res)} title="Not found" message={`The console has no page ${req.originalUrl}.`} />);
  });
  router.use('/console', consoleErrors(logger, who));
  return router;
}

/** Errors under /console are pages, not problem+json: a person reads them. */
function consoleErrors(logger: Logger, who: (res: Response) => { id: string; csrf: string }): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const problem = err instanceof ProblemError ? err : undefined;
    if (!problem) logger.error({ err, method: req.method, path: req.path }, 'console error');
    const status = problem ? PROBLEMS[problem.kind].status : 500;
    if (status === 503) res.set('Retry-After', '2');
    const operator = res.locals.consoleSession ? who(res) : undefined;
    const title = problem ? PROBLEMS[problem.kind].title : 'Something went wrong';
    const message = problem ? problem.message : 'The console could not answer; the error is logged.';
    res.status(status).type('html').send(renderPage(<ErrorPage nonce={cspNonce(res)} operator={operator} title={title} message={message} />));
  };
}

function ErrorPage({ nonce, operator, title, message }: { nonce: string; operator?: { id: string; csrf: string }; title: string; message: string }) {
  return (
    <Page nonce={nonce} title={title} operator={operator}>
      <h1>{title}</h1>
      <Notice error={message} />
      <p>
        <a href="/console/payments">Back to payments</a>
      </p>
    </Page>
  );
}
