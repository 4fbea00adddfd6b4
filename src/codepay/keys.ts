import { createPrivateKey, createPublicKey, KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { LiveFiles } from '../secrets/live-file';

/**
 * RSA keys as CodePay hands them out: PEM (private PKCS#8 or PKCS#1, public SPKI) or bare base64
 * of the DER bytes (private PKCS#8, public SPKI). Key material never goes into an error message.
 */
const isPem = (text: string) => text.includes('-----BEGIN');

function der(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) throw new Error('key is neither PEM nor base64 DER');
  return Buffer.from(compact, 'base64');
}

/** Bare DER is PKCS#8 as CodePay hands it out; PKCS#1 (`openssl genrsa -traditional`) is taken too. */
function privateKeyFromDer(bytes: Buffer): KeyObject {
  try {
    return createPrivateKey({ key: bytes, format: 'der', type: 'pkcs8' });
  } catch {
    return createPrivateKey({ key: bytes, format: 'der', type: 'pkcs1' });
  }
}

export function parsePrivateKey(text: string): KeyObject {
  try {
    const key = isPem(text) ? createPrivateKey(text) : privateKeyFromDer(der(text));
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`expected an RSA key, got ${key.asymmetricKeyType}`);
    return key;
  } catch (err) {
    throw new Error(`invalid RSA private key: ${(err as Error).message.split('\n')[0]}`);
  }
}

export function parsePublicKey(text: string): KeyObject {
  try {
    const key = isPem(text)
      ? createPublicKey(text)
      : createPublicKey({ key: der(text), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'rsa') throw new Error(`expected an RSA key, got ${key.asymmetricKeyType}`);
    return key;
  } catch (err) {
    throw new Error(`invalid RSA public key: ${(err as Error).message.split('\n')[0]}`);
  }
}

export function readPrivateKeyFile(file: string): KeyObject {
  return parsePrivateKey(readFileSync(file, 'utf8'));
}

export function readPublicKeyFile(file: string): KeyObject {
  return parsePublicKey(readFileSync(file, 'utf8'));
}

/** CODEPAY_PRIVATE_KEY_FILE, re-read while running. */
export function watchPrivateKey(files: LiveFiles, file: string): () => KeyObject {
  return files.watch('CODEPAY_PRIVATE_KEY_FILE', file, parsePrivateKey).current;
}

const PEM_BLOCK = /-----BEGIN [A-Z ]+-----[\s\S]*?-----END [A-Z ]+-----/g;

/**
 * A gateway key file: one key, or several PEM keys one after the other (during CodePay's key
 * rotation the old and the new one, so the switch is a file change).
 */
export function parsePublicKeys(text: string): KeyObject[] {
  if (!isPem(text)) return [parsePublicKey(text)];
  const blocks = text.match(PEM_BLOCK) ?? [];
  // Anything outside complete blocks (a half-written key) refuses the whole file.
  if (blocks.length === 0 || text.replace(PEM_BLOCK, '').trim() !== '') throw new Error('invalid RSA public key: text outside complete PEM blocks');
  return blocks.map(parsePublicKey);
}

/** The files of CODEPAY_GATEWAY_PUBLIC_KEY_FILE, each re-read while running: the keys in force now. */
export function watchGatewayPublicKeys(files: LiveFiles, list: readonly string[]): () => KeyObject[] {
  const keys = list.map((file) => files.watch('CODEPAY_GATEWAY_PUBLIC_KEY_FILE', file, parsePublicKeys));
  return () => keys.flatMap((key) => key.current());
}
