import { createHash } from 'node:crypto';
import { apiKeyOf, expiringApiKeys, matchApiKey, parseApiKeyFile, parseApiKeyList, plainKeys } from '../../src/secrets/api-key-list';

const hex = (key: string) => createHash('sha256').update(key).digest('hex');
const NOW = Date.parse('2026-12-06T00:00:00Z');

describe('API key lists', () => {
  const file = [
    '# merchant keys',
    'sk_live_plain_0001',
    'sk_live_expired_0002 2026-12-01T00:00:00Z   # rotated out',
    `sha256:${hex('sk_live_digest_0003')} 2027-01-31T00:00:00+01:00`,
    '',
  ].join('\n');

  it('reads keys, expiries, sha256: digests and comments; the id is the digest prefix either way', () => {
    const keys = parseApiKeyFile(file);
    expect(keys.map((k) => k.id)).toEqual([hex('sk_live_plain_0001'), hex('sk_live_expired_0002'), hex('sk_live_digest_0003')].map((h) => h.slice(0, 12)));
    expect(keys.map((k) => k.expiresAtMs)).toEqual([undefined, Date.parse('2026-12-01T00:00:00Z'), Date.parse('2027-01-30T23:00:00Z')]);
    expect(keys[2]!.digest.equals(apiKeyOf('sk_live_digest_0003').digest)).toBe(true);
    // The key list holds digests only: no field carries a key.
    expect(JSON.stringify(keys)).not.toContain('sk_live');
  });

  it('accepts a plain key and a digest, refuses an expired key and an unknown one', () => {
    const keys = parseApiKeyFile(file);
    expect(matchApiKey(keys, 'sk_live_plain_0001', NOW)).toMatchObject({ result: 'valid', key: { id: keys[0]!.id } });
    expect(matchApiKey(keys, 'sk_live_expired_0002', NOW)).toMatchObject({ result: 'expired', key: { id: keys[1]!.id } });
    expect(matchApiKey(keys, 'sk_live_digest_0003', NOW)).toMatchObject({ result: 'valid', key: { id: keys[2]!.id } });
    expect(matchApiKey(keys, `sha256:${hex('sk_live_digest_0003')}`, NOW)).toEqual({ result: 'unknown' });
    expect(matchApiKey(keys, 'sk_live_nobody', NOW)).toEqual({ result: 'unknown' });
    expect(matchApiKey(keys, undefined, NOW)).toEqual({ result: 'unknown' });
    // The instant itself is already past.
    expect(matchApiKey(keys, 'sk_live_expired_0002', Date.parse('2026-12-01T00:00:00Z')).result).toBe('expired');
    expect(matchApiKey(keys, 'sk_live_expired_0002', Date.parse('2026-11-30T23:59:59Z')).result).toBe('valid');
  });

  it.each([
    ['an expiry without an offset', 'sk_live_plain_0001 2027-01-31T00:00:00', /^line 1: the expiry is not an ISO-8601 instant/],
    ['a date for an expiry', 'sk_live_plain_0001 2027-01-31', /^line 1: the expiry/],
    ['a word for an expiry', 'sk_live_plain_0001 tomorrow', /^line 1: the expiry/],
    ['three fields', 'sk_live_plain_0001 2027-01-31T00:00:00Z extra', /^line 1: expected "<key> \[<ISO-8601 expiry>\]"/],
    ['a short digest', 'sha256:abcdef', /^line 1: a sha256: entry needs 64 hex digits/],
    ['a file without keys', '# all keys removed\n\n', /^no key in the file$/],
  ])('refuses %s, naming the line and never its content', (_name, text, message) => {
    let error: Error | undefined;
    try {
      parseApiKeyFile(`${text}\n`);
    } catch (err) {
      error = err as Error;
    }
    expect(error?.message).toMatch(message);
    expect(error?.message).not.toContain('sk_live');
    expect(error?.message).not.toContain('abcdef');
  });

  it('reads environment lists with the same syntax, naming the item of an error', () => {
    const keys = parseApiKeyList(['sk_env_one', ` sk_env_two 2030-01-01T00:00:00Z `]);
    expect(keys.map((k) => k.expiresAtMs)).toEqual([undefined, Date.parse('2030-01-01T00:00:00Z')]);
    expect(() => parseApiKeyList(['sk_env_one', 'sk_env_two soon'])).toThrow(/^item 2: the expiry/);
  });

  it('lists the usable keys of a file (what npm start prints), not its digests', () => {
    expect(plainKeys(file)).toEqual(['sk_live_plain_0001', 'sk_live_expired_0002']);
  });

  it('warns of keys from 7 days before their expiry, and of expired ones', () => {
    const keys = parseApiKeyList([
      'sk_in_8_days 2026-12-14T00:00:00Z',
      'sk_in_7_days 2026-12-13T00:00:00Z',
      'sk_in_1_hour 2026-12-06T01:00:00Z',
      'sk_expired 2026-12-05T00:00:00Z',
      'sk_forever',
    ]);
    expect(expiringApiKeys(keys, NOW).map((k) => k.id)).toEqual([keys[1]!.id, keys[2]!.id, keys[3]!.id]);
  });
});
