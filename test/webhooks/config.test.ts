import { assertMerchantWebhookConfig, ConfigError, loadConfig } from '../../src/config';
import { parseWebhookSecrets } from '../../src/secrets/webhook-secret-list';
import { embeddedEnv, ensureEmbeddedSecrets } from '../../src/tools/embedded-secrets';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
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
    expect(config.merchantWebhooks).toEqual({ url: 'https://shop.example/hooks', secrets: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'], retryScheduleMs: [1000, 2500, 60000] });
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

  it('embedded default: one generated secret in a file, kept across starts, and the demo shop as the endpoint', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'webhook-secrets-'));
    const first = ensureEmbeddedSecrets(dir);
    const secrets = parseWebhookSecrets(readFileSync(first.merchantWebhookSecretFile, 'utf8'));
    expect(secrets).toEqual([expect.stringMatching(/^whsec_[A-Za-z0-9+/]{32}$/)]);
    expect(statSync(first.merchantWebhookSecretFile).mode & 0o777).toBe(0o600);
    expect(parseWebhookSecrets(readFileSync(ensureEmbeddedSecrets(dir).merchantWebhookSecretFile, 'utf8'))).toEqual(secrets);
    const env = embeddedEnv(first, {}, 3999);
    expect(env).toMatchObject({ MERCHANT_WEBHOOK_SECRET_FILE: first.merchantWebhookSecretFile, MERCHANT_WEBHOOK_URL: 'http://127.0.0.1:3999/demo/webhooks' });
    expect(env.MERCHANT_WEBHOOK_SECRET).toBeUndefined();
    expect(loadConfig(env).merchantWebhooks).toMatchObject({ secrets: [], secretFile: first.merchantWebhookSecretFile });
    expect(embeddedEnv(first, { CODEPAY_BASE_URL: 'https://codepay-open.codepay.us' }, 3999).MERCHANT_WEBHOOK_URL).toBeUndefined();
    // A secret given in the environment wins over the generated file.
    expect(embeddedEnv(first, { MERCHANT_WEBHOOK_SECRET: secrets[0] }, 3999).MERCHANT_WEBHOOK_SECRET_FILE).toBeUndefined();
  });

  it('takes several secrets, space- or comma-separated, and refuses a list with a bad one or both variables', () => {
    const [a, b] = ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_c2Vjb25kLXNlY3JldC1mb3ItdGVzdHM='];
    expect(loadConfig({ MERCHANT_WEBHOOK_SECRET: `${a} ${b}` }).merchantWebhooks.secrets).toEqual([a, b]);
    expect(loadConfig({ MERCHANT_WEBHOOK_SECRET: ` ${a},${b} ` }).merchantWebhooks.secrets).toEqual([a, b]);
    expect(() => loadConfig({ MERCHANT_WEBHOOK_SECRET: `${a},hunter2` })).toThrow(/MERCHANT_WEBHOOK_SECRET: secret 2: expected whsec_/);
    expect(() => loadConfig({ MERCHANT_WEBHOOK_SECRET: a, MERCHANT_WEBHOOK_SECRET_FILE: '/run/secrets/x' })).toThrow(/either MERCHANT_WEBHOOK_SECRET or MERCHANT_WEBHOOK_SECRET_FILE/);
    expect(() => assertMerchantWebhookConfig(loadConfig({ MERCHANT_WEBHOOK_URL: 'https://shop.example/hooks', MERCHANT_WEBHOOK_SECRET_FILE: '/run/secrets/x' }))).not.toThrow();
  });

  it('parses a secret file with comments and line breaks, never echoing a secret in an error', () => {
    const text = '# current\nwhsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n\nwhsec_c2Vjb25kLXNlY3JldC1mb3ItdGVzdHM= # next\n';
    expect(parseWebhookSecrets(text)).toEqual(['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 'whsec_c2Vjb25kLXNlY3JldC1mb3ItdGVzdHM=']);
    expect(() => parseWebhookSecrets('# nothing here\n')).toThrow('no whsec_ secret');
    expect(() => parseWebhookSecrets('not-a-secret-value')).toThrow('secret 1: expected whsec_<base64>');
  });
});
