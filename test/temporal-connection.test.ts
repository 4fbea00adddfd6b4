import { loadConfig } from '../src/config';
import { temporalConnectionOptions } from '../src/temporal-connection';

describe('temporalConnectionOptions', () => {
  it('connects in plain text to the configured address by default', () => {
    const config = loadConfig({ TEMPORAL_ADDRESS: 'temporal:7233' });
    const options = temporalConnectionOptions(config, { TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_CONFIG_FILE: '/nonexistent' });
    expect(options.address).toBe('temporal:7233');
    expect(options.tls).toBeFalsy();
    expect(options.apiKey).toBeUndefined();
  });

  it('takes an API key (and with it TLS) from Temporal\'s standard environment configuration', () => {
    const env = { TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'test-key', TEMPORAL_CONFIG_FILE: '/nonexistent' };
    const options = temporalConnectionOptions(loadConfig(env), env);
    expect(options.address).toBe('ns.acct.tmprl.cloud:7233');
    expect(options.apiKey).toBe('test-key');
    expect(options.tls).toBeTruthy();
  });
});
