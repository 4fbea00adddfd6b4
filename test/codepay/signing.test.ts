import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { canonicalString } from '../../src/codepay/canonical';
import { parsePrivateKey, parsePublicKey } from '../../src/codepay/keys';
import { signFields, verifyFields, withSignature } from '../../src/codepay/signing';
import { generateTestKeyPair } from '../support/keys';

const merchant = generateTestKeyPair();
const other = generateTestKeyPair();

const request = {
  app_id: 'A1',
  format: 'JSON',
  charset: 'UTF-8',
  sign_type: 'RSA2',
  version: '1.0',
  timestamp: '1701763963536',
  method: 'pay.unifiedorder',
  merchant_no: '312300000969',
  merchant_order_no: 'M1701763963536',
  order_amount: '12.40',
  price_currency: 'USD',
  description: 'Café crème – 二杯',
  notify_url: 'https://shop.example/webhooks/codepay',
};

describe('RSA2 signatures against the openssl command line', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'codepay-openssl-'));
    writeFileSync(path.join(dir, 'key.pem'), merchant.privatePem, { mode: 0o600 });
    writeFileSync(path.join(dir, 'pub.pem'), merchant.publicPem);
    writeFileSync(path.join(dir, 'message.txt'), canonicalString(request));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('signs exactly what `openssl dgst -sha256 -sign` signs', () => {
    const openssl = execFileSync('openssl', ['dgst', '-sha256', '-sign', path.join(dir, 'key.pem'), path.join(dir, 'message.txt')]);
    expect(signFields(request, merchant.privateKey)).toBe(openssl.toString('base64'));
  });

  it('produces signatures that `openssl dgst -sha256 -verify` accepts', () => {
    writeFileSync(path.join(dir, 'sig.bin'), Buffer.from(signFields(request, merchant.privateKey), 'base64'));
    const out = execFileSync('openssl', [
      'dgst', '-sha256', '-verify', path.join(dir, 'pub.pem'), '-signature', path.join(dir, 'sig.bin'), path.join(dir, 'message.txt'),
    ]).toString();
    expect(out.trim()).toBe('Verified OK');
  });

  it('verifies a signature made by openssl', () => {
    const openssl = execFileSync('openssl', ['dgst', '-sha256', '-sign', path.join(dir, 'key.pem'), path.join(dir, 'message.txt')]);
    expect(verifyFields({ ...request, sign: openssl.toString('base64') }, merchant.publicKey)).toBe(true);
  });

  it('signs with a PKCS#1 key written by openssl the same as with its PKCS#8 form', () => {
    const pkcs1File = path.join(dir, 'pkcs1.pem');
    execFileSync('openssl', ['genrsa', '-traditional', '-out', pkcs1File, '2048'], { stdio: 'ignore' });
    const pkcs1Pem = readFileSync(pkcs1File, 'utf8');
    expect(pkcs1Pem.split('\n')[0]).toBe(['-----BEGIN RSA', 'PRIVATE', 'KEY-----'].join(' ')); // PKCS#1, spelled apart so no key header sits in the tree
    const pkcs8Pem = execFileSync('openssl', ['pkcs8', '-topk8', '-nocrypt', '-in', pkcs1File]).toString();
    const pubPem = execFileSync('openssl', ['rsa', '-in', pkcs1File, '-pubout'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString();
    const signature = signFields(request, parsePrivateKey(pkcs1Pem));
    expect(signFields(request, parsePrivateKey(pkcs8Pem))).toBe(signature);
    expect(verifyFields({ ...request, sign: signature }, parsePublicKey(pubPem))).toBe(true);
  });
});

describe('key formats', () => {
  const der = (key: { export(o: object): Buffer | string }, type: string) =>
    (key.export({ type, format: 'der' }) as Buffer).toString('base64');
  const wrapped = (base64: string) => base64.replace(/(.{64})/g, '$1\n');
  const signature = signFields(request, merchant.privateKey);

  it.each([
    ['PKCS#8 PEM', merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()],
    ['PKCS#1 PEM', merchant.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString()],
    ['bare base64 PKCS#8 DER', der(merchant.privateKey, 'pkcs8')],
    ['bare base64 PKCS#8 DER, line-wrapped', wrapped(der(merchant.privateKey, 'pkcs8'))],
    ['bare base64 PKCS#1 DER', der(merchant.privateKey, 'pkcs1')],
  ])('reads a private key as %s', (_name, text) => {
    // RSASSA-PKCS1-v1_5 is deterministic: the same key gives the same signature.
    expect(signFields(request, parsePrivateKey(text))).toBe(signature);
  });

  it.each([
    ['SPKI PEM', merchant.publicPem],
    ['bare base64 SPKI DER', der(merchant.publicKey, 'spki')],
    ['bare base64 SPKI DER with whitespace', ` ${wrapped(der(merchant.publicKey, 'spki'))}\n`],
  ])('reads a public key as %s', (_name, text) => {
    expect(verifyFields({ ...request, sign: signature }, parsePublicKey(text))).toBe(true);
  });

  it('rejects non-keys and non-RSA keys without echoing the input', () => {
    const secretish = 'not-a-key-but-secret-looking-AAAA!';
    expect(() => parsePrivateKey(secretish)).toThrow(/invalid RSA private key/);
    try {
      parsePrivateKey(secretish);
    } catch (err) {
      expect((err as Error).message).not.toContain(secretish);
    }
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => parsePrivateKey(ec.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString())).toThrow(/expected an RSA key/);
    expect(() => parsePublicKey(ec.publicKey.export({ type: 'spki', format: 'pem' }).toString())).toThrow(/expected an RSA key/);
  });
});

describe('verifyFields', () => {
  const signed = withSignature(request, merchant.privateKey);

  it('accepts the untouched message', () => {
    expect(verifyFields(signed, merchant.publicKey)).toBe(true);
  });

  it.each(Object.keys(request))('rejects the message when %s is changed', (field) => {
    const value = signed[field as keyof typeof signed];
    expect(verifyFields({ ...signed, [field]: `${value}x` }, merchant.publicKey)).toBe(false);
    expect(verifyFields({ ...signed, [field]: undefined }, merchant.publicKey)).toBe(false);
  });

  it('rejects an added field', () => {
    expect(verifyFields({ ...signed, attach: 'extra' }, merchant.publicKey)).toBe(false);
  });

  it('ignores an added empty field, as the canonical string drops it', () => {
    expect(verifyFields({ ...signed, attach: '' }, merchant.publicKey)).toBe(true);
  });

  it('rejects a missing, empty, malformed or flipped signature', () => {
    expect(verifyFields(request, merchant.publicKey)).toBe(false);
    expect(verifyFields({ ...request, sign: '' }, merchant.publicKey)).toBe(false);
    expect(verifyFields({ ...request, sign: 'not base64!' }, merchant.publicKey)).toBe(false);
    expect(verifyFields({ ...request, sign: 'AAAA' }, merchant.publicKey)).toBe(false);
    const bytes = Buffer.from(signed.sign, 'base64');
    bytes[10] = bytes[10]! ^ 1;
    expect(verifyFields({ ...request, sign: bytes.toString('base64') }, merchant.publicKey)).toBe(false);
  });

  it('rejects another key and accepts any key of a rotation set', () => {
    expect(verifyFields(signed, other.publicKey)).toBe(false);
    expect(verifyFields(signed, [other.publicKey, merchant.publicKey])).toBe(true);
    expect(verifyFields(signed, [])).toBe(false);
  });
});
