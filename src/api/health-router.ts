import type { Client } from '@temporalio/client';
import { type RequestHandler, Router } from 'express';
import { z } from 'zod';
import type { LiveFileStatus } from '../secrets/live-file';
import type { ApiMetrics } from './metrics';
import { RETRY_AFTER_SECONDS } from './problem';
import { withDeadline } from './temporal-failures';

export const ReadinessSchema = z
  .object({
    status: z.enum(['ready', 'not_ready']),
    checks: z.object({
      temporal: z.enum(['ok', 'unreachable']),
      apiKeys: z.enum(['ok', 'missing']),
      gatewayPublicKeys: z.enum(['ok', 'missing']),
    }),
    /**
     * Key and secret files re-read while running. A refused file (`ok: false`) keeps its last good
     * content in use and does not make the API unready: taking every replica out of service over
     * a bad edit would be the outage rotation exists to avoid.
     */
    secretFiles: z.array(z.object({ variable: z.string(), file: z.string(), ok: z.boolean(), error: z.string().optional() })),
  });

export type Readiness = z.infer<typeof ReadinessSchema>;

export interface HealthRouterDeps {
  client: Client;
  namespace: string;
  apiKeyCount: () => number;
  gatewayKeyCount: () => number;
  secretFiles: () => LiveFileStatus[];
  metrics: ApiMetrics;
  readinessTimeoutMs: number;
  /** Guards /metrics (METRICS_TOKEN) when given. */
  metricsAuth?: RequestHandler;
}

/**
 * Liveness says the process answers; readiness says it can do its job: Temporal answers a cheap
 * call (describing our namespace, which also proves it exists) within a short deadline, and the
 * keys the API needs are configured.
 */
export function createHealthRouter(deps: HealthRouterDeps): Router {
  const router = Router();

  router.get('/healthz', (_req, res) => {
    res.json({ status: 'alive' });
  });

  router.get('/readyz', async (_req, res) => {
    const temporal = await withDeadline(deps.client, deps.readinessTimeoutMs, () =>
      deps.client.workflowService.describeNamespace({ namespace: deps.namespace }),
    ).then(
      () => 'ok' as const,
      () => 'unreachable' as const,
    );
    const checks: Readiness['checks'] = {
      temporal,
      apiKeys: deps.apiKeyCount() > 0 ? 'ok' : 'missing',
      gatewayPublicKeys: deps.gatewayKeyCount() > 0 ? 'ok' : 'missing',
    };
    const ready = Object.values(checks).every((c) => c === 'ok');
    const body: Readiness = { status: ready ? 'ready' : 'not_ready', checks, secretFiles: deps.secretFiles() };
    if (!ready) res.set('Retry-After', String(RETRY_AFTER_SECONDS));
    res.status(ready ? 200 : 503).json(body);
  });

  const metricsAuth: RequestHandler = deps.metricsAuth ?? ((_req, _res, next) => next());
  router.get('/metrics', metricsAuth, async (_req, res) => {
    res.type(deps.metrics.registry.contentType).send(await deps.metrics.registry.metrics());
  });

  return router;
}
