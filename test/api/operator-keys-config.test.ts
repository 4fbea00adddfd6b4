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
