import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_WEBHOOK_PATH } from '../api/demo-receiver';

/**
 * The embedded default's secrets, made once under DATA_DIR and reused on every start: the
 * merchant's and the sandbox gateway's RSA key pairs, one merchant API key, one operator key and
 * the merchant webhook signing secret. Files are 0600; contents are never printed except the two
 * keys and the webhook secret, which are needed to call the API and to verify its webhooks.
 */
export interface EmbeddedSecrets {
  merchantPrivateKeyFile: string;
  merchantPublicKeyFile: string;
  gatewayPrivateKeyFile: string;
  gatewayPublicKeyFile: string;
  apiKey: string;
  /** For operator actions (POST /v1/payments/:no/review). */
  operatorKey: string;
  /** Standard Webhooks secret (`whsec_<base64>`) for MERCHANT_WEBHOOK_SECRET. */
  merchantWebhookSecret: string;
}

/** A random secret kept in `dir/name`, made on first use. */
function ensureToken(dir: string, name: string, make: () => string): string {
  const file = path.join(dir, name);
  if (!existsSync(file)) writeFileSync(file, `${make()}\n`, { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
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
  return {
    merchantPrivateKeyFile: merchant.privateKeyFile,
    merchantPublicKeyFile: merchant.publicKeyFile,
    gatewayPrivateKeyFile: gateway.privateKeyFile,
    gatewayPublicKeyFile: gateway.publicKeyFile,
    apiKey: ensureToken(dir, 'api-key', () => `sk_test_${randomBytes(24).toString('hex')}`),
    operatorKey: ensureToken(dir, 'operator-key', () => `op_test_${randomBytes(24).toString('hex')}`),
    merchantWebhookSecret: ensureToken(dir, 'merchant-webhook-secret', () => `whsec_${randomBytes(24).toString('base64')}`),
  };
}

/**
 * Env for the sandbox, worker and API so they find each other's keys (the variable names of
 * src/config.ts). With the sandbox, merchant webhooks go to the demo shop's receiver on the API
 * (`apiPort`).
 */
export function embeddedEnv(secrets: EmbeddedSecrets, env: NodeJS.ProcessEnv, apiPort: number): Record<string, string> {
  const wired: Record<string, string> = {};
  const setDefault = (name: string, value: string) => {
    if (!env[name]) wired[name] = value;
  };
  setDefault('API_KEYS', secrets.apiKey);
  setDefault('OPERATOR_API_KEYS', secrets.operatorKey);
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
