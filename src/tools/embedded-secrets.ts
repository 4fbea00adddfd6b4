import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_WEBHOOK_PATH } from '../api/demo-receiver';

/**
 * The embedded default's secrets, made once under DATA_DIR/keys and reused on every start: the
 * merchant's and the sandbox gateway's RSA key pairs, a merchant API key file, an operator key file
 * and the merchant webhook secret file. The processes get the files' paths (API_KEYS_FILE…) and
 * re-read them while running, so a newcomer rotates a key by editing a file (docs/operations.md
 * §5). Files are 0600; contents are never printed except the two keys and the webhook secret
 * (`npm start`), which are needed to call the API and to verify its webhooks.
 */
export interface EmbeddedSecrets {
  merchantPrivateKeyFile: string;
  merchantPublicKeyFile: string;
  gatewayPrivateKeyFile: string;
  gatewayPublicKeyFile: string;
  /** API_KEYS_FILE: one key a line (src/secrets/api-key-list.ts). */
  apiKeyFile: string;
  /** OPERATOR_API_KEYS_FILE: for operator actions (POST /v1/payments/:no/review). */
  operatorKeyFile: string;
  /** MERCHANT_WEBHOOK_SECRET_FILE: Standard Webhooks secrets (`whsec_<base64>`). */
  merchantWebhookSecretFile: string;
}

const KEY_FILE_HELP = [
  '# One key a line: <key> [<ISO-8601 instant it stops working>], or sha256:<hex of the key> instead of',
  '# the key. Re-read within seconds of a change: add a key, switch callers, then remove the old one.',
].join('\n');
const SECRET_FILE_HELP = [
  '# Merchant webhook secrets (whsec_...), each signs every event. Re-read within seconds of a change:',
  '# add the new one, let the shop switch, then remove the old one (docs/webhooks.md).',
].join('\n');

/** A file holding one random secret under its help text, made on first use. */
function ensureSecretFile(dir: string, name: string, help: string, make: () => string): string {
  const file = path.join(dir, name);
  if (!existsSync(file)) writeFileSync(file, `${help}\n${make()}\n`, { mode: 0o600 });
  return file;
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
    apiKeyFile: ensureSecretFile(dir, 'api-key', KEY_FILE_HELP, () => `sk_test_${randomBytes(24).toString('hex')}`),
    operatorKeyFile: ensureSecretFile(dir, 'operator-key', KEY_FILE_HELP, () => `op_test_${randomBytes(24).toString('hex')}`),
    merchantWebhookSecretFile: ensureSecretFile(dir, 'merchant-webhook-secret', SECRET_FILE_HELP, () => `whsec_${randomBytes(24).toString('base64')}`),
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
  // A list given in the environment wins over the generated file (config.ts refuses both at once).
  const setFile = (list: string, variable: string, file: string) => {
    if (!env[list]) setDefault(variable, file);
  };
  setFile('API_KEYS', 'API_KEYS_FILE', secrets.apiKeyFile);
  setFile('OPERATOR_API_KEYS', 'OPERATOR_API_KEYS_FILE', secrets.operatorKeyFile);
  setFile('MERCHANT_WEBHOOK_SECRET', 'MERCHANT_WEBHOOK_SECRET_FILE', secrets.merchantWebhookSecretFile);
  if (!env.CODEPAY_BASE_URL) {
    setDefault('CODEPAY_PRIVATE_KEY_FILE', secrets.merchantPrivateKeyFile);
    setDefault('CODEPAY_GATEWAY_PUBLIC_KEY_FILE', secrets.gatewayPublicKeyFile);
    setDefault('SANDBOX_GATEWAY_PRIVATE_KEY_FILE', secrets.gatewayPrivateKeyFile);
    setDefault('SANDBOX_MERCHANT_PUBLIC_KEY_FILE', secrets.merchantPublicKeyFile);
    setDefault('MERCHANT_WEBHOOK_URL', `http://127.0.0.1:${apiPort}${DEMO_WEBHOOK_PATH}`);
  }
  return wired;
}
