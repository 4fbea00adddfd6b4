import express from 'express';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { createApiMetrics } from '../../src/api/metrics';
import { WARM_UP_REQUESTS, WARM_UP_WORKFLOW_ID, warmUpApp, warmUpTemporalClient } from '../../src/api/warm-up';
import { connectTestTemporal, type TestTemporal } from '../harness/temporal';
import { generateTestKeyPair } from '../support/keys';
import { apiConfig, TEST_API_KEY } from './support/api-stack';

describe('API warm-up', () => {
  let temporal: TestTemporal;
  beforeAll(async () => {
    temporal = await connectTestTemporal();
  });
  afterAll(() => temporal.close());

  it('answers each request through the real app against Temporal, creating nothing', async () => {
    const metrics = createApiMetrics({ processMetrics: false });
    const gatewayKeys = [generateTestKeyPair().publicKey];
    const app = createApp({
      config: apiConfig('http://127.0.0.1:9', 'warm-up-test'),
      clients: { temporal: temporal.client },
      gatewayPublicKeys: () => gatewayKeys,
      logger: pino({ enabled: false }),
      metrics,
    });
    const result = await warmUpApp(app, TEST_API_KEY);
    // ready; start refused by validation; query of an unknown payment; unsigned notification refused.
    expect(result.statuses.slice(0, 3)).toEqual([200, 400, 404]);
    expect(result.statuses[3]).toBeGreaterThanOrEqual(400);
    expect(result.statuses[3]).toBeLessThan(500);
    expect(result.statuses).toHaveLength(WARM_UP_REQUESTS.length);
    await expect(temporal.client.workflow.getHandle('payment-warm-up-probe').describe()).rejects.toThrow(/not found/i);
  });

  it('tries describe, signal and query on a workflow that does not exist: all refused, none created', async () => {
    await expect(warmUpTemporalClient(temporal.client)).resolves.toBe(3);
    await expect(temporal.client.workflow.getHandle(WARM_UP_WORKFLOW_ID).describe()).rejects.toThrow(/not found/i);
  });

  it('never throws: a request that fails is status 0, and the port is closed afterwards', async () => {
    const app = express();
    const seen: string[] = [];
    app.get('/ok', (req, res) => void (seen.push(req.get('authorization') ?? ''), res.send('ok')));
    app.get('/drop', (req) => void req.socket.destroy());
    const result = await warmUpApp(app, 'k', [{ method: 'GET', path: '/ok', auth: true }, { method: 'GET', path: '/drop' }]);
    expect(result.statuses).toEqual([200, 0]);
    expect(seen).toEqual(['Bearer k']);
  });
});
