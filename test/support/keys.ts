import { generateKeyPairSync, KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  privatePem: string;
  publicPem: string;
}

/** A fresh RSA-2048 pair per test run: no key material is ever committed. */
export function generateTestKeyPair(): TestKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return {
    privateKey,
    publicKey,
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

/** Writes PEM files into a fresh temp folder (for config that takes key *files*). */
export function writeKeyFiles(pair: TestKeyPair, name: string): { privateKeyFile: string; publicKeyFile: string } {
  const dir = mkdtempSync(path.join(tmpdir(), `keys-${name}-`));
  const privateKeyFile = path.join(dir, `${name}-private.pem`);
  const publicKeyFile = path.join(dir, `${name}-public.pem`);
  writeFileSync(privateKeyFile, pair.privatePem, { mode: 0o600 });
  writeFileSync(publicKeyFile, pair.publicPem);
  return { privateKeyFile, publicKeyFile };
}
