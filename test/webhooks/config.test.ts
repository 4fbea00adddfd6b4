import { assertMerchantWebhookConfig, ConfigError, loadConfig } from '../../src/config';
import { embeddedEnv, ensureEmbeddedSecrets } from '../../src/tools/embedded-secrets';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

describe('merchant webhook configuration', () => {
  it('retries by default for at least 3 days, and after that the event is failed', () => {
    const { retryScheduleMs, url } = loadConfig({}).merchantWebhooks;
    expect(url).toBeUndefined();
    expect(retryScheduleMs.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(3 * 24 * 3600 * 1000);
  });

  it('reads the URL, a whsec_ secret and a custom schedule', () => {
    const config = loadConfig({ MERCHANT_WEBHOOK_URL: 'https://shop.example/hooks', MERCHANT_WEBHOOK_SECRET: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', MERCHANT_WEBHOOK_RETRY_SECONDS: '1, 2.5,60' });
    expect(config.merchantWebhooks).toEqual({ url: 'https://shop.example/hooks', secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', retryScheduleMs: [1000, 2500, 60000] });
  });

  it.each([
    ['a secret without whsec_', { MERCHANT_WEBHOOK_SECRET: 'hunter2' }],
    ['a non-http URL', { MERCHANT_WEBHOOK_URL: 'ftp://shop.example/hooks' }],
    ['a negative delay', { MERCHANT_WEBHOOK_RETRY_SECONDS: '5,-1' }],
  ])('refuses %s', (_name, env) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
  });

  it('refuses a URL without a secret: events are never sent unsigned', () => {
    expect(() => assertMerchantWebhookConfig(loadConfig({ MERCHANT_WEBHOOK_URL: 'https://shop.example/hooks' }))).toThrow(/MERCHANT_WEBHOOK_SECRET/);
  });

  it('embedded default: one generated secret, kept across starts, and the demo shop as the endpoint', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'webhook-secrets-'));
    const first = ensureEmbeddedSecrets(dir);
    expect(first.merchantWebhookSecret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(ensureEmbeddedSecrets(dir).merchantWebhookSecret).toBe(first.merchantWebhookSecret);
    const env = embeddedEnv(first, {}, 3999);
    expect(env).toMatchObject({ MERCHANT_WEBHOOK_SECRET: first.merchantWebhookSecret, MERCHANT_WEBHOOK_URL: 'http://127.0.0.1:3999/demo/webhooks' });
    expect(loadConfig(env).merchantWebhooks.secret).toBe(first.merchantWebhookSecret);
    expect(embeddedEnv(first, { CODEPAY_BASE_URL: 'https://codepay-open.codepay.us' }, 3999).MERCHANT_WEBHOOK_URL).toBeUndefined();
  });
});
