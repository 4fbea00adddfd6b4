import { operatorIdentity } from '../../src/api/auth';
import { apiKeyOf } from '../../src/secrets/api-key-list';
import { ConfigError, loadConfig } from '../../src/config';

describe('operator keys', () => {
  it('OPERATOR_API_KEYS is a comma-separated list, empty by default', () => {
    expect(loadConfig({}).operatorApiKeys).toEqual([]);
    expect(loadConfig({ OPERATOR_API_KEYS: ' op_a , op_b,' }).operatorApiKeys).toEqual(['op_a', 'op_b']);
  });

  it('refuses a key that is both a merchant and an operator key', () => {
    expect(() => loadConfig({ API_KEYS: 'sk_1,shared', OPERATOR_API_KEYS: 'shared' })).toThrow(ConfigError);
  });

  it('names an operator by a stable hash prefix that does not contain the key', () => {
    const id = operatorIdentity(apiKeyOf('sk_operator_secret'));
    expect(id).toMatch(/^op-[0-9a-f]{12}$/);
    expect(operatorIdentity(apiKeyOf('sk_operator_secret'))).toBe(id);
    expect(operatorIdentity(apiKeyOf('sk_operator_other'))).not.toBe(id);
    expect(id).not.toContain('secret');
  });
});

describe('API key configuration', () => {
  const digestOf = (key: string) => `sha256:${apiKeyOf(key).digest.toString('hex')}`;

  it('takes a key file instead of a list, never both', () => {
    expect(loadConfig({ API_KEYS_FILE: '/run/secrets/api_keys', OPERATOR_API_KEYS_FILE: '/run/secrets/operator_api_keys' }).apiKeyFiles).toEqual({
      merchant: '/run/secrets/api_keys',
      operator: '/run/secrets/operator_api_keys',
    });
    expect(() => loadConfig({ API_KEYS: 'sk_1', API_KEYS_FILE: '/run/secrets/api_keys' })).toThrow(/API_KEYS_FILE: set either API_KEYS or API_KEYS_FILE, not both/);
    expect(() => loadConfig({ OPERATOR_API_KEYS: 'op_1', OPERATOR_API_KEYS_FILE: '/k' })).toThrow(/either OPERATOR_API_KEYS or OPERATOR_API_KEYS_FILE/);
  });

  it('validates list entries with the key file syntax, naming the item and never the key', () => {
    expect(loadConfig({ API_KEYS: `sk_plain_key_one, sk_with_expiry 2027-01-31T00:00:00Z, ${digestOf('sk_digest_only')}` }).apiKeys).toHaveLength(3);
    let error: Error | undefined;
    try {
      loadConfig({ API_KEYS: 'sk_plain_key_one,sk_secret_with_bad_expiry next-week' });
    } catch (err) {
      error = err as Error;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/API_KEYS: item 2: the expiry is not an ISO-8601 instant/);
    expect(error?.message).not.toContain('sk_secret');
  });

  it('refuses an operator key that is a merchant key, also when one side is given as its digest', () => {
    expect(() => loadConfig({ API_KEYS: 'sk_shared_key', OPERATOR_API_KEYS: digestOf('sk_shared_key') })).toThrow(/a key must not also be a merchant key/);
  });
});
