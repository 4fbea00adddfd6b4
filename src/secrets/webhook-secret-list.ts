/**
 * Merchant webhook signing secrets: `whsec_<base64>` (Standard Webhooks), several at once during a
 * rotation, separated by spaces, commas or line breaks (MERCHANT_WEBHOOK_SECRET and its file); `#`
 * starts a comment in a file. Errors name the position, never a secret.
 */
const SECRET = /^whsec_[A-Za-z0-9+/=]{16,}$/;

export function parseWebhookSecrets(text: string): string[] {
  const secrets = text
    .split(/\r?\n/)
    .map((line) => line.replace(/(^|\s)#.*$/, ''))
    .join(' ')
    .split(/[\s,]+/)
    .filter(Boolean);
  secrets.forEach((secret, i) => {
    if (!SECRET.test(secret)) throw new Error(`secret ${i + 1}: expected whsec_<base64>`);
  });
  if (secrets.length === 0) throw new Error('no whsec_ secret');
  return [...new Set(secrets)];
}
