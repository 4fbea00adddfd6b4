import { unreachableTemporal } from '../support/unreachable-temporal';
import { Client } from '@temporalio/client';
import type { Express } from 'express';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { createOpenApiDocument } from '../../src/api/openapi';
import { generateTestKeyPair } from '../support/keys';
import { apiConfig } from './support/api-stack';
import { openApiValidator } from './support/openapi-validator';

interface Layer {
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** Every `METHOD /path` the express app really serves, with `:param` written as OpenAPI's `{param}`. */
function servedRoutes(app: Express): string[] {
  const routes: string[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = layer.route.path.replace(/:(\w+)/g, '{$1}');
        for (const method of Object.keys(layer.route.methods)) routes.push(`${method.toUpperCase()} ${path}`);
      } else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return routes.sort();
}

function documentedRoutes(document: Record<string, unknown>): string[] {
  const paths = document.paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths)
    .flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

function refs(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, found));
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') found.push(v);
      else refs(v, found);
    }
  }
  return found;
}

function resolvePointer(document: unknown, ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  return ref
    .slice(2)
    .split('/')
    .reduce<unknown>((node, part) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[part] : undefined), document);
}

describe('OpenAPI document', () => {
  const document = createOpenApiDocument({ serverUrl: 'http://127.0.0.1:3000' });

  it('documents exactly the routes the app serves', async () => {
    const connection = unreachableTemporal('127.0.0.1:1');
    const gatewayKeys = [generateTestKeyPair().publicKey];
    const app = createApp({
      config: apiConfig('http://127.0.0.1:3000', 'unused'),
      clients: { temporal: new Client({ connection }) },
      gatewayPublicKeys: () => gatewayKeys,
      logger: pino({ enabled: false }),
    });
    expect(document.openapi).toBe('3.1.0');
    // The operator console's pages are HTML for people (docs/operations.md), not part of the API.
    const apiRoutes = servedRoutes(app).filter((route) => !/^[A-Z]+ \/console(\/|$)/.test(route));
    expect(servedRoutes(app)).toContain('GET /console/payments');
    expect(documentedRoutes(document)).toEqual(apiRoutes);
    expect(servedRoutes(app)).toEqual(
      expect.arrayContaining([
        'POST /v1/payments',
        'GET /v1/payments/{merchantOrderNo}',
        'POST /v1/payments/{merchantOrderNo}/cancel',
        'POST /v1/payments/{merchantOrderNo}/refunds',
        'GET /v1/payments/{merchantOrderNo}/refunds/{refundNo}',
        'POST /v1/payments/{merchantOrderNo}/review',
        'POST /webhooks/codepay',
        'GET /healthz',
        'GET /readyz',
        'GET /metrics',
        'GET /openapi.json',
      ]),
    );
    await connection.close();
  });

  it('says, for every write, what its 503 means and how to retry it safely', () => {
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, { description: string; headers?: object }> }>>;
    const writes = Object.entries(paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([method]) => ['post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, operation]) => ({ route: `${method.toUpperCase()} ${path}`, unavailable: operation.responses[503] })),
    );
    expect(writes.map((w) => w.route).sort()).toEqual(
      [
        'POST /v1/payments',
        'POST /v1/payments/{merchantOrderNo}/cancel',
        'POST /v1/payments/{merchantOrderNo}/events/{eventId}/redeliver',
        'POST /v1/payments/{merchantOrderNo}/refunds',
        'POST /v1/payments/{merchantOrderNo}/review',
        'POST /v1/reconciliations',
        'POST /webhooks/codepay',
      ].sort(),
    );
    for (const { route, unavailable } of writes) {
      expect({ route, documented: unavailable !== undefined }).toEqual({ route, documented: true });
      expect({ route, retryAfter: unavailable?.headers !== undefined }).toEqual({ route, retryAfter: true });
      // `outcome` and the safe retry: the same request / number, or read first.
      expect(unavailable?.description).toMatch(/`outcome`/);
      expect(unavailable?.description).toMatch(/retry/i);
    }
    const refund = paths['/v1/payments/{merchantOrderNo}/refunds']?.post?.responses[503]?.description;
    expect(refund).toMatch(/same `refundNo`/);
    const schemas = (document.components as { schemas: Record<string, { properties: Record<string, { enum?: string[] }> }> }).schemas;
    expect(schemas.Problem?.properties.outcome?.enum).toEqual(['unknown', 'not-started']);
  });

  it('resolves every $ref inside the document', () => {
    const all = refs(document);
    expect(all.length).toBeGreaterThan(20);
    for (const ref of all) expect({ ref, resolved: resolvePointer(document, ref) !== undefined }).toEqual({ ref, resolved: true });
  });

  it('declares the path parameters of every templated path and problem responses for errors', () => {
    const paths = document.paths as Record<string, Record<string, { parameters?: { name: string; in: string }[]; responses: Record<string, { content?: Record<string, unknown> }> }>>;
    for (const [path, operations] of Object.entries(paths)) {
      const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      for (const operation of Object.values(operations)) {
        expect((operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)).toEqual(templated);
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) >= 400 && path !== '/readyz') expect(Object.keys(response.content ?? {})).toEqual(['application/problem+json']);
        }
      }
    }
  });

  it('has component schemas that compile as JSON Schema 2020-12 and mean what the API sends', () => {
    const validator = openApiValidator(document);
    for (const name of validator.componentNames) expect(() => validator.compile(name)).not.toThrow();
    expect(validator.errors('CreatePaymentRequest', { merchantOrderNo: 'A1', amount: '1.00', currency: 'USD', description: 'x' })).toEqual([]);
    expect(validator.errors('CreatePaymentRequest', { merchantOrderNo: 'A 1', amount: 1, currency: 'USD', description: 'x', extra: 1 })).toHaveLength(3);
    expect(validator.errors('Problem', { type: 'urn:x', title: 't', status: 400, errors: [{ field: 'amount', message: 'm' }] })).toEqual([]);
    expect(validator.errors('ReviewRequest', { decision: 'close_as_failed', reason: 'ticket 1' })).toEqual([]);
    expect(validator.errors('ReviewRequest', { decision: 'refund', reason: 'x', operator: 'me' })).toHaveLength(2);
    expect(validator.errors('Problem', { type: 'urn:x', status: '400' })).not.toEqual([]);
  });
});
