import { unreachableTemporal } from '../support/unreachable-temporal';
import { Client, Connection } from '@temporalio/client';
import pino from 'pino';
import { createApp } from '../../src/api/app';
import { createApiMetrics } from '../../src/api/metrics';
import { ConfigError, loadConfig } from '../../src/config';
import { hostPort } from '../../src/worker';
import { freePort } from '../support/free-port';
import { generateTestKeyPair } from '../support/keys';
import { apiConfig, listen } from './support/api-stack';

/** What a process exposes, and to whom: bind host, metrics token, ceilings from the environment. */
describe('exposure settings', () => {
  it('binds every server to loopback unless BIND_HOST says otherwise', () => {
    expect(loadConfig({}).bindHost).toBe('127.0.0.1');
    expect(loadConfig({ BIND_HOST: '0.0.0.0' }).bindHost).toBe('0.0.0.0');
    expect(hostPort('127.0.0.1', 9464)).toBe('127.0.0.1:9464');
    expect(hostPort('::', 9464)).toBe('[::]:9464');
  });

  it('reads METRICS_TOKEN (empty = none), PAYMENT_MAX_AMOUNT and API_TEMPORAL_TIMEOUT_MS', () => {
    expect(loadConfig({}).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: ' ' }).metricsToken).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 'scrape-me' }).metricsToken).toBe('scrape-me');
    expect(loadConfig({ PAYMENT_MAX_AMOUNT: '5000,JPY:500000' }).payments.maxAmount).toEqual({ default: '5000', byCurrency: { JPY: '500000' } });
    expect(() => loadConfig({ PAYMENT_MAX_AMOUNT: 'JPY:1.5' })).toThrow(ConfigError);
    expect(loadConfig({}).apiTemporalTimeoutMs).toBe(3_500);
    expect(loadConfig({ API_TEMPORAL_TIMEOUT_MS: '2000' }).apiTemporalTimeoutMs).toBe(2_000);
    expect(() => loadConfig({ API_TEMPORAL_TIMEOUT_MS: '0' })).toThrow(ConfigError);
  });

  describe('API /metrics behind METRICS_TOKEN', () => {
    let connection: Connection;
    let server: Awaited<ReturnType<typeof listen>>;
    beforeAll(async () => {
      connection = unreachableTemporal(`127.0.0.1:${await freePort()}`);
      const gatewayKeys = [generateTestKeyPair().publicKey];
      server = await listen((url) =>
        createApp({
          config: { ...apiConfig(url, 'unused'), metricsToken: 'scrape-token' },
          clients: { temporal: new Client({ connection }) },
          gatewayPublicKeys: () => gatewayKeys,
          logger: pino({ enabled: false }),
          metrics: createApiMetrics({ processMetrics: false }),
        }),
      );
    });
    afterAll(async () => {
      await server.close();
      await connection.close();
    });

    it('answers 401 without the token, 200 with it; a merchant API key is not the token', async () => {
      const scrape = (authorization?: string) => fetch(`${server.url}/metrics`, { headers: authorization ? { authorization } : {} });
      expect((await scrape()).status).toBe(401);
      expect((await scrape('Bearer sk_test_api_suite')).status).toBe(401);
      const ok = await scrape('Bearer scrape-token');
      expect(ok.status).toBe(200);
      expect(await ok.text()).toContain('http_request_duration_seconds');
    });
  });
});
