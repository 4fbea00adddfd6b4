/**
 * The list-cursor signing secret (API_CURSOR_SECRET and its file): one line of at least 32
 * characters; `#` lines in a file are comments. Errors never hold the secret.
 */
export const CURSOR_SECRET_MIN_LENGTH = 32;

export function parseCursorSecret(text: string): Buffer {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  if (lines.length !== 1) throw new Error(`expected one secret line, found ${lines.length}`);
  const secret = lines[0]!;
  if (secret.length < CURSOR_SECRET_MIN_LENGTH) throw new Error(`the secret must be at least ${CURSOR_SECRET_MIN_LENGTH} characters`);
  return Buffer.from(secret, 'utf8');
}
