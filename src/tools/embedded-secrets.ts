import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_WEBHOOK_PATH } from '../api/demo-receiver';

/**
 * The embedded default's secrets, made once under DATA_DIR and reused on every start: the
 * merchant's and the sandbox gateway's RSA key pairs, one merchant API key and the merchant
 * webhook signing secret. Files are 0600; contents are never printed except the API key and the
 * webhook secret, which the operator needs to call the API and to verify its webhooks.
 */
export interface EmbeddedSecrets {
  merchantPrivateKeyFile: string;
  merchantPublicKeyFile: string;
  gatewayPrivateKeyFile: string;
  gatewayPublicKeyFile: string;
  apiKey: string;
  /** Standard Webhooks secret (`whsec_<base64>`) for MERCHANT_WEBHOOK_SECRET. */
  merchantWebhookSecret: string;
}

function ensureKeyPair(dir: string, name: string): { privateKeyFile: string; publicKeyFile: string } {
  const privateKeyFile = path.join(dir, `${name}-private.pem`);
  const publicKeyFile = path.join(dir, `${name}-public.pem`);
  if (!existsSync(privateKeyFile) || !existsSync(publicKeyFile)) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  }
  return { privateKeyFile, publicKeyFile };
}

export function ensureEmbeddedSecrets(dataDir: string): EmbeddedSecrets {
  const dir = path.resolve(dataDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const merchant = ensureKeyPair(dir, 'merchant');
  const gateway = ensureKeyPair(dir, 'gateway');
  const apiKeyFile = path.join(dir, 'api-key');
  if (!existsSync(apiKeyFile)) writeFileSync(apiKeyFile, `sk_test_${randomBytes(24).toString('hex')}\n`, { mode: 0o600 });
  const webhookSecretFile = path.join(dir, 'merchant-webhook-secret');
  if (!existsSync(webhookSecretFile)) writeFileSync(webhookSecretFile, `whsec_${randomBytes(24).toString('base64')}\n`, { mode: 0o600 });
  return {
    merchantPrivateKeyFile: merchant.privateKeyFile,
    merchantPublicKeyFile: merchant.publicKeyFile,
    gatewayPrivateKeyFile: gateway.privateKeyFile,
    gatewayPublicKeyFile: gateway.publicKeyFile,
    apiKey: readFileSync(apiKeyFile, 'utf8').trim(),
    merchantWebhookSecret: readFileSync(webhookSecretFile, 'utf8').trim(),
  };
}

/**
 * Env for the sandbox, worker and API so they find each other's keys (DESIGN.md §6 names). With
 * the sandbox, merchant webhooks go to the demo shop's receiver on the API (`apiPort`).
 */
export function embeddedEnv(secrets: EmbeddedSecrets, env: NodeJS.ProcessEnv, apiPort: number): Record<string, string> {
  const wired: Record<string, string> = {};
  const setDefault = (name: string, value: string) => {
    if (!env[name]) wired[name] = value;
  };
  setDefault('API_KEYS', secrets.apiKey);
  setDefault('MERCHANT_WEBHOOK_SECRET', secrets.merchantWebhookSecret);
  if (!env.CODEPAY_BASE_URL) {
    setDefault('CODEPAY_PRIVATE_KEY_FILE', secrets.merchantPrivateKeyFile);
    setDefault('CODEPAY_GATEWAY_PUBLIC_KEY_FILE', secrets.gatewayPublicKeyFile);
    setDefault('SANDBOX_GATEWAY_PRIVATE_KEY_FILE', secrets.gatewayPrivateKeyFile);
    setDefault('SANDBOX_MERCHANT_PUBLIC_KEY_FILE', secrets.merchantPublicKeyFile);
    setDefault('MERCHANT_WEBHOOK_URL', `http://127.0.0.1:${apiPort}${DEMO_WEBHOOK_PATH}`);
  }
  return wired;
}
