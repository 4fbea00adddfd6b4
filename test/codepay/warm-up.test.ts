import { generateKeyPairSync } from 'node:crypto';
import { warmUpCodePay } from '../../src/codepay/warm-up';

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('CodePay warm-up', () => {
  afterEach(() => jest.restoreAllMocks());

  it('signs and verifies offline: its only fetch reads a data: URL', async () => {
    const merchant = pair();
    const gateway = pair();
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    const ms = await warmUpCodePay({ appId: 'app', merchantNo: 'm1', privateKey: merchant.privateKey, gatewayPublicKeys: [gateway.publicKey] });
    expect(ms).toBeGreaterThan(0);
    expect(fetchSpy.mock.calls.map(([url]) => String(url))).toEqual(['data:text/plain,warm-up']);
  });

  it('completes whatever the keys say about its answer (here: one that verifies but carries no order)', async () => {
    const merchant = pair();
    await expect(
      warmUpCodePay({ appId: 'app', merchantNo: 'm1', privateKey: merchant.privateKey, gatewayPublicKeys: [merchant.publicKey] }),
    ).resolves.toBeGreaterThan(0);
  });
});
