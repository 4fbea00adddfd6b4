import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from '@temporalio/client';
import type { Express } from 'express';
import { WEBHOOK_PATH } from './webhook-router';

export interface WarmUpRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  contentType?: string;
  /** Sent with the merchant API key. */
  auth?: boolean;
}

/** The requests the API answers once before it listens. None creates or changes anything. */
export const WARM_UP_REQUESTS: readonly WarmUpRequest[] = [
  // Temporal answers (describes the namespace) over the connection the API keeps.
  { method: 'GET', path: '/readyz' },
  // Body parser, auth and the start schema: refused (400) before Temporal is asked.
  { method: 'POST', path: '/v1/payments', body: '{}', contentType: 'application/json', auth: true },
  // A Temporal query and its not-found answer (404).
  { method: 'GET', path: '/v1/payments/warm-up-probe', auth: true },
  // The notification parser and signature check: unsigned, so refused, and nothing is signalled.
  { method: 'POST', path: WEBHOOK_PATH, body: 'sign=warm-up', contentType: 'application/x-www-form-urlencoded' },
];

export interface WarmUpResult {
  /** Each request's HTTP status, in order; 0 when it failed to answer. */
  statuses: number[];
  ms: number;
}

/**
 * Answers `requests` once through `app`, on a loopback port of its own, so the first merchant's
 * payment after a start does not pay for the process's cold paths (lazily compiled code in express,
 * zod, the Temporal client and gRPC). The caller passes a twin of the app it will serve (same
 * clients, throwaway metrics and a silent logger): the warm-up shows in no metric or log. Never
 * throws: a request that fails only leaves its path cold.
 */
export async function warmUpApp(app: Express, apiKey: string, requests: readonly WarmUpRequest[] = WARM_UP_REQUESTS): Promise<WarmUpResult> {
  const started = performance.now();
  const server = createServer(app);
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const statuses: number[] = [];
  try {
    for (const request of requests) {
      const headers: Record<string, string> = {};
      if (request.contentType) headers['content-type'] = request.contentType;
      if (request.auth) headers.authorization = `Bearer ${apiKey}`;
      try {
        const response = await fetch(`${base}${request.path}`, { method: request.method, headers, body: request.body, signal: AbortSignal.timeout(5_000) });
        await response.arrayBuffer();
        statuses.push(response.status);
      } catch {
        statuses.push(0);
      }
    }
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  return { statuses, ms: Math.round(performance.now() - started) };
}

/** A workflow id no payment, refund or webhook workflow has (they start `payment-`, `refund-`, `webhooks-`). */
export const WARM_UP_WORKFLOW_ID = 'warm-up-probe';

/**
 * The Temporal client's describe, signal and query paths (the webhook's and the commands' signal,
 * the read-back of a start or a command), each tried once on a workflow that does not exist: the server refuses each as not found,
 * so nothing is created or changed. Resolves to how many were refused as expected.
 */
export async function warmUpTemporalClient(client: Client, workflowId = WARM_UP_WORKFLOW_ID): Promise<number> {
  const handle = client.workflow.getHandle(workflowId);
  const attempts = [() => handle.describe(), () => handle.signal('warmUp', { at: 'start' }), () => handle.query('warmUp')];
  let refused = 0;
  for (const attempt of attempts) {
    try {
      await attempt();
    } catch (err) {
      if (/not found/i.test((err as Error).message)) refused += 1;
    }
  }
  return refused;
}
