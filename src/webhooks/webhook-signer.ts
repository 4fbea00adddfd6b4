import { Webhook } from 'standardwebhooks';
import type { Config } from '../config';
import { LiveFiles } from '../secrets/live-file';
import { parseWebhookSecrets } from '../secrets/webhook-secret-list';

/**
 * Signs merchant webhooks with every secret in force (docs/webhooks.md, "Rotating the secret"):
 * `webhook-signature` carries one `v1,<base64>` per secret, space-separated as Standard Webhooks
 * specifies, so a shop verifies each event with whichever of the secrets it holds.
 */
export interface WebhookSigner {
  sign(webhookId: string, sentAt: Date, body: string): string;
}

type SecretsConfig = Pick<Config['merchantWebhooks'], 'secrets' | 'secretFile'>;

/** MERCHANT_WEBHOOK_SECRET, or MERCHANT_WEBHOOK_SECRET_FILE re-read live; undefined when neither is set. */
export function merchantWebhookSecrets(config: SecretsConfig, files: LiveFiles): (() => readonly string[]) | undefined {
  if (config.secretFile) return files.watch('MERCHANT_WEBHOOK_SECRET_FILE', config.secretFile, parseWebhookSecrets).current;
  const fixed = config.secrets;
  return fixed.length > 0 ? () => fixed : undefined;
}

export function createWebhookSigner(secrets: () => readonly string[]): WebhookSigner {
  // Decoding a secret is done once per secret list, not once per delivery.
  let cached: { secrets: readonly string[]; signers: Webhook[] } | undefined;
  return {
    sign(webhookId, sentAt, body) {
      const current = secrets();
      if (cached?.secrets !== current) cached = { secrets: current, signers: current.map((secret) => new Webhook(secret)) };
      return cached.signers.map((signer) => signer.sign(webhookId, sentAt, body)).join(' ');
    },
  };
}

/** The signer of a configuration; `files` is the process's, which reports a refused secret file. */
export function merchantWebhookSigner(config: SecretsConfig, files: LiveFiles = new LiveFiles()): WebhookSigner | undefined {
  const secrets = merchantWebhookSecrets(config, files);
  return secrets && createWebhookSigner(secrets);
}
