/**
 * Our own spans around the calls that leave a process (CodePay, merchant webhooks) and the HTTP
 * requests that enter one. With tracing off the API's tracer is a no-op and these cost a closure.
 */
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';
import type { RequestHandler } from 'express';

const tracer = () => trace.getTracer('codepay-temporal');

/**
 * Runs `call` in a client span that is active while it runs (so the request's `traceparent` and the
 * log lines name it); a throw marks the span as an error. Attributes must never hold keys,
 * signatures or bodies: callers pass names and numbers only.
 */
export function inClientSpan<T>(name: string, attributes: Attributes, call: (span: Span) => Promise<T>): Promise<T> {
  return tracer().startActiveSpan(name, { kind: SpanKind.CLIENT, attributes }, async (span) => {
    try {
      return await call(span);
    } catch (err) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
      throw err;
    } finally {
      span.end();
    }
  });
}

/**
 * The attribute every trace of one payment carries (the start's, each notification's, each
 * webhook delivery's): how a notification's trace is found from the payment's (docs/design.md).
 */
export const ORDER_NO_ATTRIBUTE = 'codepay.merchant_order_no';

/** Names the payment on the span of the current request (no-op without one). */
export function tagActiveSpanWithOrder(merchantOrderNo: string): void {
  trace.getActiveSpan()?.setAttribute(ORDER_NO_ATTRIBUTE, merchantOrderNo);
}

/** The active span's W3C `traceparent` (and `tracestate`) added to outgoing headers; unchanged without one. */
export function withTraceHeaders(headers: Record<string, string>): Record<string, string> {
  const carrier: Record<string, string> = { ...headers };
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * A server span per request that continues an incoming W3C `traceparent`, active for the rest of
 * the request; named `METHOD route` once the router has matched (the pattern, never the raw path).
 */
export function serverSpanMiddleware(): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer().startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    // 'close' comes after 'finish', and also when the client went away first.
    res.once('close', () => {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : undefined;
      if (route) span.setAttribute('http.route', route);
      span.updateName(route ? `${req.method} ${route}` : req.method);
      span.setAttribute('http.response.status_code', res.statusCode);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
