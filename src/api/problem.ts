import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import { PaymentErrorType } from '../workflows/messages';
import { PaymentCommandRejected } from './payment-command-channel';

/**
 * RFC 9457 problem details. Every error the API answers is one of the kinds below; a kind's
 * `type` URI and `title` never change, so clients can branch on `type` and show `detail`.
 */
const TYPE_BASE = 'urn:codepay-temporal:problem:';

export const PROBLEMS = {
  validation: { status: 400, title: 'The request is invalid' },
  unauthorized: { status: 401, title: 'A valid API key is required' },
  'bad-signature': { status: 401, title: 'The notification signature does not verify' },
  forbidden: { status: 403, title: 'The caller is not allowed' },
  'foreign-merchant': { status: 403, title: 'The notification is not for this merchant' },
  'not-found': { status: 404, title: 'No such resource' },
  'payment-not-found': { status: 404, title: 'No payment with this merchant order number' },
  'refund-not-found': { status: 404, title: 'No refund with this refund number on this payment' },
  'event-not-found': { status: 404, title: 'No webhook event with this id on this payment' },
  'payload-mismatch': { status: 409, title: 'The merchant order number is taken by a different payment' },
  'invalid-state': { status: 409, title: 'The payment does not allow this in its current status' },
  'refund-no-conflict': { status: 409, title: 'The refund number is taken by a different refund' },
  'review-refused': { status: 409, title: "CodePay's record does not allow this review decision" },
  'payload-too-large': { status: 413, title: 'The request body is too large' },
  'unsupported-media-type': { status: 415, title: 'The request body must be JSON' },
  'refund-amount': { status: 422, title: 'The refund amount is not allowed' },
  'refund-limit': { status: 422, title: 'The payment has reached its refund count limit' },
  'gateway-rejected': { status: 422, title: 'CodePay rejected the request' },
  // Not "retry later": a write may have been taken (`outcome`), `detail` says how to retry it safely.
  'temporal-unavailable': { status: 503, title: 'The payment engine did not answer in time' },
  overloaded: { status: 503, title: 'Payment starts are at capacity; retry after the Retry-After delay' },
  'codepay-unavailable': { status: 503, title: 'CodePay could not be reached; retry later' },
  'workflow-task-failing': { status: 503, title: "The payment's workflow cannot run its code now; operators are alerted, retry later" },
  internal: { status: 500, title: 'Internal error' },
} as const;

export type ProblemKind = keyof typeof PROBLEMS;

export const problemType = (kind: ProblemKind) => `${TYPE_BASE}${kind}`;

/** What a 503 says about a write the client may not simply repeat (docs/design.md §4). */
export const WRITE_OUTCOMES = ['unknown', 'not-started'] as const;

export const FieldErrorSchema = z
  .object({ field: z.string(), message: z.string() })
  .describe('One invalid field, named by its dotted path');

export const ProblemSchema = z
  .object({
    type: z.string().describe(`Stable problem type URI (${TYPE_BASE}<kind>)`),
    title: z.string(),
    status: z.int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(FieldErrorSchema).optional(),
    code: z.string().optional().describe('CodePay error code, for gateway rejections'),
    outcome: z
      .enum(WRITE_OUTCOMES)
      .optional()
      .describe(
        'On a 503 to a write: `unknown` when the request reached the payment engine and may still take effect (retry it only as `detail` says: the same request, the same refundNo; a read that finds nothing yet does not prove it will not happen); `not-started` when nothing was sent. Absent: nothing of the request was taken',
      ),
  })
  .describe('RFC 9457 problem details (application/problem+json)');

export type FieldError = z.infer<typeof FieldErrorSchema>;
export type WriteOutcome = (typeof WRITE_OUTCOMES)[number];
export type Problem = z.infer<typeof ProblemSchema>;

/** How long a client should wait before retrying a 503 (Temporal out of reach), in seconds. */
export const RETRY_AFTER_SECONDS = 2;

/** Thrown by handlers; the error middleware renders it. */
export class ProblemError extends Error {
  override name = 'ProblemError';
  constructor(
    readonly kind: ProblemKind,
    readonly detail?: string,
    readonly extra: { errors?: FieldError[]; code?: string; outcome?: WriteOutcome } = {},
    /** A 503's Retry-After (s), when the default does not fit (admission control knows its queue). */
    readonly retryAfterSeconds = RETRY_AFTER_SECONDS,
    /** Set for a problem that is ours to look at: logged as an error with these fields, never sent. */
    readonly log?: Record<string, unknown>,
  ) {
    super(detail ?? PROBLEMS[kind].title);
  }

  toProblem(instance?: string): Problem {
    const { status, title } = PROBLEMS[this.kind];
    return { type: problemType(this.kind), title, status, detail: this.detail, instance, ...this.extra };
  }
}

/** A failing workflow task heals only with a fixed deployment: retrying every 2 s would only add load. */
export const TASK_FAILING_RETRY_AFTER_SECONDS = 30;

export function sendProblem(res: Response, problem: Problem, retryAfterSeconds = RETRY_AFTER_SECONDS): void {
  if (problem.status === 503) res.set('Retry-After', String(retryAfterSeconds));
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}

/** The request's path as received, without its query string, which may carry credentials. */
export function requestPath(req: Request): string {
  const url = req.originalUrl;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/**
 * zod issues as field errors: `shopper.os`, `amount`, or `body` for the whole document. In a query
 * string every parameter is a field of its own, so an unknown one is named.
 */
export function fieldErrors(error: z.ZodError, where = 'request body'): FieldError[] {
  return error.issues.flatMap((issue) => {
    if (where === 'query' && issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: 'unknown query parameter' }));
    }
    return [{ field: issue.path.length ? issue.path.join('.') : 'body', message: issue.message }];
  });
}

export function validationProblem(error: z.ZodError, where = 'request body'): ProblemError {
  const errors = fieldErrors(error, where);
  return new ProblemError('validation', `${errors.length} invalid field(s) in the ${where}`, { errors });
}

const FAILURE_KINDS: Record<string, ProblemKind> = {
  [PaymentErrorType.INVALID_STATE]: 'invalid-state',
  [PaymentErrorType.REFUND_NO_CONFLICT]: 'refund-no-conflict',
  [PaymentErrorType.REFUND_AMOUNT]: 'refund-amount',
  [PaymentErrorType.REFUND_LIMIT]: 'refund-limit',
  [PaymentErrorType.GATEWAY_REJECTED]: 'gateway-rejected',
  [PaymentErrorType.REVIEW_REFUSED]: 'review-refused',
  [PaymentErrorType.CODEPAY_UNAVAILABLE]: 'codepay-unavailable',
};

/**
 * A payment's refusal of a command (its recorded rejection, of a PaymentErrorType) as the problem
 * the merchant sees; undefined for anything else, which is not the caller's fault.
 */
export function problemFromRefusal(err: unknown): ProblemError | undefined {
  if (!(err instanceof PaymentCommandRejected)) return undefined;
  const kind = FAILURE_KINDS[err.rejection.type];
  return kind ? new ProblemError(kind, err.rejection.message) : undefined;
}

/**
 * Errors express, its router and body-parser raise for a request that cannot be read (malformed
 * percent-encoding in a path, a body that does not decompress, an unknown charset…) carry an HTTP
 * 4xx `status`: the client's mistake, answered as a problem, never as our 500.
 */
function clientErrorProblem(err: unknown): ProblemError | undefined {
  if (!(err instanceof Error)) return undefined;
  const status = 'status' in err && typeof err.status === 'number' ? err.status : undefined;
  if (status === undefined || status < 400 || status > 499) return undefined;
  const type = 'type' in err ? err.type : undefined;
  if (status === 413) return new ProblemError('payload-too-large');
  if (status === 415) return new ProblemError('unsupported-media-type', 'send UTF-8 JSON without Content-Encoding');
  if (type === 'entity.parse.failed') {
    return new ProblemError('validation', 'the body is not valid JSON', { errors: [{ field: 'body', message: 'not valid JSON' }] });
  }
  if (err instanceof URIError) {
    return new ProblemError('validation', 'the path is not valid percent-encoding', { errors: [{ field: 'path', message: 'malformed percent-encoding' }] });
  }
  return new ProblemError('validation', 'the request body cannot be read', { errors: [{ field: 'body', message: err.message }] });
}

/**
 * The last middleware: every error becomes a problem. A client's mistake is logged at most as a
 * warning without a stack; only an unexpected error (ours) is a 500, logged, never echoed.
 */
export function problemMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) return next(err);
    const path = requestPath(req);
    if (err instanceof ProblemError) {
      if (err.log) logger.error({ ...err.log, method: req.method, path, problem: err.kind }, err.detail ?? err.message);
      return sendProblem(res, err.toProblem(path), err.retryAfterSeconds);
    }
    const clientError = clientErrorProblem(err);
    if (clientError) {
      logger.warn({ method: req.method, path, status: PROBLEMS[clientError.kind].status, reason: (err as Error).message }, 'unreadable request');
      return sendProblem(res, clientError.toProblem(path));
    }
    logger.error({ err, method: req.method, path }, 'unhandled error');
    sendProblem(res, new ProblemError('internal').toProblem(path));
  };
}

export function notFoundMiddleware(): RequestHandler {
  return (req, _res, next) => next(new ProblemError('not-found', `no route ${req.method} ${req.path}`));
}
