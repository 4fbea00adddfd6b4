import { z } from 'zod';
import { ReadinessSchema } from './health-router';
import {
  CreatePaymentBodySchema,
  CreateRefundBodySchema,
  EventParamsSchema,
  PaymentParamsSchema,
  RefundParamsSchema,
} from './payments-schemas';
import {
  GatewayErrorSchema,
  PaymentEventSchema,
  PaymentResponseSchema,
  PaymentStatusSchema,
  RefundResponseSchema,
  StartPaymentResponseSchema,
  WebhookDeliverySchema,
} from '../views/payment-response';
import { ListPaymentsQuerySchema, PaymentListSchema, PaymentSummarySchema } from './payments-list';
import { FieldErrorSchema, ProblemSchema } from './problem';
import {
  CreateReconciliationBodySchema,
  ListReconciliationsQuerySchema,
  ReconciliationListSchema,
  ReconciliationParamsSchema,
  ReconciliationSchema,
  ReconciliationStartedSchema,
  ReconciliationSummarySchema,
} from './reconciliations-schemas';
import { REPORT_CSV_HEADER } from './reconciliations-router';
import { PAYMENTS_CSV_HEADER } from './payments-csv';
import { ReviewBodySchema } from './review-router';
import { WEBHOOK_BODY_LIMIT, WEBHOOK_PATH } from './webhook-router';
import { MerchantEventBodySchema } from '../webhooks/event-body';
import { MERCHANT_EVENT_TYPES } from '../workflows/merchant-events';
import { SERVICE_VERSION } from '../version';

/**
 * The OpenAPI 3.1 document, generated from the zod schemas the routes validate with. Named schemas
 * become components and are referenced wherever they appear, nested ones included.
 */
const COMPONENTS: Record<string, z.ZodType> = {
  CreatePaymentRequest: CreatePaymentBodySchema,
  CreateRefundRequest: CreateRefundBodySchema,
  ReviewRequest: ReviewBodySchema,
  StartPaymentResponse: StartPaymentResponseSchema,
  Payment: PaymentResponseSchema,
  Refund: RefundResponseSchema,
  PaymentEvent: PaymentEventSchema,
  PaymentStatus: PaymentStatusSchema,
  GatewayError: GatewayErrorSchema,
  Problem: ProblemSchema,
  FieldError: FieldErrorSchema,
  Readiness: ReadinessSchema,
  PaymentList: PaymentListSchema,
  PaymentSummary: PaymentSummarySchema,
  WebhookDelivery: WebhookDeliverySchema,
  WebhookEvent: MerchantEventBodySchema,
  CreateReconciliationRequest: CreateReconciliationBodySchema,
  ReconciliationStarted: ReconciliationStartedSchema,
  Reconciliation: ReconciliationSchema,
  ReconciliationSummary: ReconciliationSummarySchema,
  ReconciliationList: ReconciliationListSchema,
};

const NotificationBodySchema = z
  .record(z.string(), z.union([z.string(), z.number(), z.null()]))
  .describe(
    "CodePay's signed notification: flat fields, or the same fields in a `data` JSON string, as JSON or form-encoded",
  );

type JsonSchema = Record<string, unknown>;
const REF = '#/components/schemas/';

function componentSchemas(): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io: 'input', uri: (id) => `${REF}${id}` });
  // Components live inside the document: no per-schema $id / $schema.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, schema]) => {
      const { $id: _id, $schema: _schema, ...rest } = schema as JsonSchema;
      return [id, rest];
    }),
  );
}

function schemaRef(schema: z.ZodType): JsonSchema {
  const name = Object.entries(COMPONENTS).find(([, s]) => s === schema)?.[0];
  if (name) return { $ref: `${REF}${name}` };
  const { $schema: _schema, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as JsonSchema;
  return rest;
}

const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema: schemaRef(schema) } } });
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: schemaRef(ProblemSchema) } },
});

function queryParameters(schema: z.ZodObject): JsonSchema[] {
  return Object.entries(schema.shape).map(([name, field]) => ({ name, in: 'query', required: false, schema: schemaRef(field as z.ZodType) }));
}

function pathParameters(schema: z.ZodObject): JsonSchema[] {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: 'path',
    required: true,
    schema: schemaRef(field as z.ZodType),
  }));
}

const authProblems = { 401: problem('Missing or unknown API key') };
const operatorProblems = { ...authProblems, 403: problem('A merchant key: this needs an operator key') };
const csv = (header: readonly string[], description: string) => ({ 'text/csv': { schema: { type: 'string', description: `${description}; header: ${header.join(',')}` } } });
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer' } } };
const temporalProblem = {
  503: { ...problem('Temporal unreachable or too slow (API_TEMPORAL_TIMEOUT_MS); a read, safe to retry with the same request'), headers: retryAfter },
};
/**
 * A write's 503 (docs/design.md §4): Temporal may have taken the write and run it after the API's
 * deadline, so "retry later" is not enough; `retry` says how to retry without doing it twice.
 */
const writeUnavailable = (retry: string, others = '') => ({
  503: {
    ...problem(
      `${others}\`temporal-unavailable\`: the payment engine did not answer in time (API_TEMPORAL_TIMEOUT_MS). With \`outcome: unknown\` the request reached it and may still take effect: never treat it as failed; ${retry}. Without \`outcome\` it failed before anything was sent: retry as is.`,
    ),
    headers: retryAfter,
  },
});

export function createOpenApiDocument(options: { serverUrl?: string; version?: string } = {}): JsonSchema {
  const secured = { security: [{ bearerAuth: [] }] };
  const paymentParams = pathParameters(PaymentParamsSchema);
  return {
    openapi: '3.1.0',
    info: {
      title: 'CodePay payments on Temporal — merchant API',
      version: options.version ?? SERVICE_VERSION,
      description: [
        'Start CodePay mobile-web (H5) payments, read them, cancel them and refund them; every payment is a durable Temporal workflow.',
        'Amounts are decimal strings in major units, validated against the currency\'s digits. Errors are RFC 9457 problem details with a stable `type`.',
        '`/metrics` serves this process\'s Prometheus metrics; the Temporal SDK\'s worker metrics are served by the worker process on WORKER_METRICS_PORT.',
      ].join('\n\n'),
    },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    // What this service POSTs to MERCHANT_WEBHOOK_URL, signed per Standard Webhooks (docs/webhooks.md).
    webhooks: Object.fromEntries(
      MERCHANT_EVENT_TYPES.map((type) => [
        type,
        {
          post: {
            summary: `${type}: headers webhook-id (stable across retries), webhook-timestamp, webhook-signature (v1,<base64 HMAC-SHA256>)`,
            requestBody: { required: true, content: { 'application/json': { schema: schemaRef(MerchantEventBodySchema) } } },
            responses: { '2XX': { description: 'Delivered; anything else is retried on MERCHANT_WEBHOOK_RETRY_SECONDS' } },
          },
        },
      ]),
    ),
    components: {
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', description: 'One of API_KEYS' },
        operatorAuth: { type: 'http', scheme: 'bearer', description: 'One of OPERATOR_API_KEYS (operator actions only)' },
      },
      schemas: componentSchemas(),
    },
    paths: {
      '/v1/payments': {
        get: {
          operationId: 'listPayments',
          summary: 'List payments, newest (current workflow run) first, filtered by status, currency and creation time',
          ...secured,
          parameters: queryParameters(ListPaymentsQuerySchema),
          description:
            'From Temporal visibility: a payment shows up (or changes status) within about a second. `nextCursor` (opaque, signed by the server) pages on with the same filters. With `Accept: text/csv` every page is streamed as one CSV (the filters apply, `limit` and `cursor` do not).',
          responses: {
            200: { description: 'One page of payments, or all of them as CSV', content: { ...json(PaymentListSchema, '').content, ...csv(PAYMENTS_CSV_HEADER, 'Every payment matching the filters') } },
            400: problem('Unknown filter (named in `errors`), bad value, a date outside the years 0000–9999 in UTC, limit above 100, a cursor this API did not issue (answered at once) or one of other filters; `errors` names each'),
            ...authProblems,
            ...temporalProblem,
          },
        },
        post: {
          operationId: 'startPayment',
          summary: 'Start a payment (idempotent by merchantOrderNo) and get the cashier URL',
          ...secured,
          requestBody: { required: true, content: { 'application/json': { schema: schemaRef(CreatePaymentBodySchema) } } },
          responses: {
            201: json(StartPaymentResponseSchema, 'Payment started'),
            200: json(StartPaymentResponseSchema, 'The same request again: the existing payment'),
            400: problem('Invalid request; `errors` names each bad field'),
            ...authProblems,
            409: problem('The merchant order number is taken by a different payment'),
            413: problem('Body too large'),
            415: problem('Body is not JSON'),
            422: problem('CodePay rejected the order; `code` carries its error code'),
            ...writeUnavailable(
              'retry the same request (same merchantOrderNo and body) after Retry-After: it gets that payment\'s answer, never a second payment',
              '`overloaded` (`outcome: not-started`): starts are at capacity, answered at once, nothing started; retry the same request after Retry-After. ',
            ),
          },
        },
      },
      '/v1/payments/{merchantOrderNo}': {
        get: {
          operationId: 'getPayment',
          summary: 'The payment: status, amounts, refunds and its event log',
          ...secured,
          parameters: paymentParams,
          responses: {
            200: json(PaymentResponseSchema, 'The payment'),
            400: problem('Invalid merchant order number'),
            ...authProblems,
            404: problem('Unknown payment'),
            ...temporalProblem,
          },
        },
      },
      '/v1/payments/{merchantOrderNo}/cancel': {
        post: {
          operationId: 'cancelPayment',
          summary: 'Cancel (close) the payment; a paid payment is refunded by CodePay',
          ...secured,
          parameters: paymentParams,
          responses: {
            200: json(PaymentResponseSchema, 'The payment after the cancel settled'),
            400: problem('Invalid merchant order number'),
            ...authProblems,
            404: problem('Unknown payment'),
            409: problem('Not cancellable in its current status'),
            422: problem('CodePay rejected the cancel'),
            ...writeUnavailable('retry the cancel: a cancelled payment answers 200 (or read the payment: CANCELLED means done)'),
          },
        },
      },
      '/v1/payments/{merchantOrderNo}/events/{eventId}/redeliver': {
        post: {
          operationId: 'redeliverEvent',
          summary: 'Send one merchant webhook event again, under the same webhook-id, from a fresh retry schedule',
          ...secured,
          parameters: pathParameters(EventParamsSchema),
          responses: {
            202: json(WebhookDeliverySchema, 'Queued; the payment view shows its delivery'),
            400: problem('Invalid number or event id'),
            ...authProblems,
            404: problem('Unknown payment or event'),
            ...writeUnavailable('a retry sends the event once more under the same webhook-id, which receivers dedupe'),
          },
        },
      },
      '/v1/payments/{merchantOrderNo}/refunds': {
        post: {
          operationId: 'requestRefund',
          summary: 'Refund part or all of a paid payment (idempotent by refundNo)',
          ...secured,
          parameters: paymentParams,
          requestBody: { required: true, content: { 'application/json': { schema: schemaRef(CreateRefundBodySchema) } } },
          responses: {
            201: json(RefundResponseSchema, 'Refund admitted'),
            200: json(RefundResponseSchema, 'The same refund again: the existing refund'),
            400: problem('Invalid request; `errors` names each bad field'),
            ...authProblems,
            404: problem('Unknown payment'),
            409: problem("Wrong payment status, or the refund number is taken: by a different refund of this payment, another payment's refund, or a payment's number"),
            422: problem('Over-refund, refund count limit, or CodePay rejected the refund'),
            ...writeUnavailable(
              'retry with the same `refundNo` and amount, never a new number (that would be a second refund): the payment answers a repeated number with its one refund. `GET …/refunds/{refundNo}` shows it once taken; a 404 before then does not mean it will not be made',
            ),
          },
        },
      },
      '/v1/payments/{merchantOrderNo}/review': {
        post: {
          operationId: 'reviewPayment',
          summary: 'Operator decision on a NEEDS_REVIEW payment, applied to CodePay\'s record queried again now',
          description: 'Recorded as a `review` event with the operator (a hash prefix of the key) and the reason; the new status is emitted like any other.',
          security: [{ operatorAuth: [] }],
          parameters: paymentParams,
          requestBody: { required: true, content: { 'application/json': { schema: schemaRef(ReviewBodySchema) } } },
          responses: {
            200: json(PaymentResponseSchema, 'The payment after the decision'),
            400: problem('Invalid request; `errors` names each bad field'),
            ...authProblems,
            403: problem('A merchant key: operator actions need an operator key'),
            404: problem('Unknown payment'),
            409: problem("Not in NEEDS_REVIEW, or CodePay's record does not allow the decision (the payment stays in review)"),
            415: problem('Body is not JSON'),
            ...writeUnavailable(
              'retry the same decision with the same reason: a recorded one answers 200 with the payment',
              '`codepay-unavailable`: CodePay could not be queried, nothing was decided; retry. ',
            ),
          },
        },
      },
      '/v1/payments/{merchantOrderNo}/refunds/{refundNo}': {
        get: {
          operationId: 'getRefund',
          summary: 'One refund of the payment',
          ...secured,
          parameters: pathParameters(RefundParamsSchema),
          responses: {
            200: json(RefundResponseSchema, 'The refund'),
            400: problem('Invalid number'),
            ...authProblems,
            404: problem('Unknown payment or refund'),
            ...temporalProblem,
          },
        },
      },
      '/v1/reconciliations': {
        get: {
          operationId: 'listReconciliations',
          summary: 'Reconciliation runs, newest first',
          security: [{ operatorAuth: [] }],
          parameters: queryParameters(ListReconciliationsQuerySchema),
          responses: { 200: json(ReconciliationListSchema, 'One page of runs'), 400: problem('Bad limit or cursor'), ...operatorProblems },
        },
        post: {
          operationId: 'startReconciliation',
          summary: "Check every payment created in [from, to), and every one still open from before, against CodePay's records",
          description: 'Never moves money: a payment that disagrees goes to NEEDS_REVIEW with the evidence. The same window while its run is going answers that run.',
          security: [{ operatorAuth: [] }],
          requestBody: { required: true, content: { 'application/json': { schema: schemaRef(CreateReconciliationBodySchema) } } },
          responses: {
            202: json(ReconciliationStartedSchema, 'Started (or already running)'),
            400: problem('Invalid window'),
            ...operatorProblems,
            415: problem('Body is not JSON'),
            ...writeUnavailable('retry with the same window: it answers the run that started'),
          },
        },
      },
      '/v1/reconciliations/{id}': {
        get: {
          operationId: 'getReconciliation',
          summary: 'A run: progress, exceptions with both sides, pending payments, adopted refunds and the totals',
          security: [{ operatorAuth: [] }],
          parameters: pathParameters(ReconciliationParamsSchema),
          responses: {
            200: { description: 'The report', content: { ...json(ReconciliationSchema, '').content, ...csv(REPORT_CSV_HEADER, 'One row per exception and per pending payment, then the totals') } },
            400: problem('Invalid id'),
            ...operatorProblems,
            404: problem('Unknown run'),
            ...temporalProblem,
          },
        },
      },
      [WEBHOOK_PATH]: {
        post: {
          operationId: 'codepayNotification',
          summary: "CodePay's transaction result notification; the signature is the authentication",
          description: `Answers \`success\` once the notification is durably signalled to its workflow. Body limit ${WEBHOOK_BODY_LIMIT}.`,
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: schemaRef(NotificationBodySchema) },
              'application/x-www-form-urlencoded': { schema: schemaRef(NotificationBodySchema) },
            },
          },
          responses: {
            200: { description: 'Accepted', content: { 'text/plain': { schema: { type: 'string', const: 'success' } } } },
            400: problem('Malformed notification'),
            401: problem('Missing or bad signature'),
            403: problem('Source address outside WEBHOOK_ALLOWED_IPS'),
            404: problem('No payment or refund with this number'),
            413: problem('Body too large'),
            ...writeUnavailable('CodePay retries the notification, and a repeat is applied once'),
          },
        },
      },
      '/healthz': {
        get: { operationId: 'liveness', summary: 'The process is alive', responses: { 200: { description: 'Alive' } } },
      },
      '/readyz': {
        get: {
          operationId: 'readiness',
          summary: 'Temporal reachable and keys configured',
          responses: { 200: json(ReadinessSchema, 'Ready'), 503: json(ReadinessSchema, 'Not ready') },
        },
      },
      '/metrics': {
        get: {
          operationId: 'metrics',
          summary: 'Prometheus metrics of the API process',
          responses: { 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } },
        },
      },
      '/openapi.json': {
        get: {
          operationId: 'openapi',
          summary: 'This document',
          responses: { 200: { description: 'OpenAPI 3.1', content: { 'application/json': { schema: { type: 'object' } } } } },
        },
      },
    },
  };
}
