import { generateKeyPairSync } from 'node:crypto';
import http from 'node:http';
import { warmUpCodePay } from '../../src/codepay/warm-up';

const pair = () => generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('CodePay warm-up', () => {
  afterEach(() => jest.restoreAllMocks());

  it('signs and verifies offline: nothing is sent', () => {
    const merchant = pair();
    const gateway = pair();
    const fetchSpy = jest.spyOn(globalThis, 'fetch');
    const requestSpy = jest.spyOn(http, 'request');
    const ms = warmUpCodePay({ appId: 'app', merchantNo: 'm1', privateKey: merchant.privateKey, gatewayPublicKeys: [gateway.publicKey] });
    expect(ms).toBeGreaterThan(0);
    expect(fetchSpy).not.toHaveBeenCalled();
    expect(requestSpy).not.toHaveBeenCalled();
  });

  it('completes whatever the keys say about its answer (here: one that verifies but carries no order)', () => {
    const merchant = pair();
    expect(warmUpCodePay({ appId: 'app', merchantNo: 'm1', privateKey: merchant.privateKey, gatewayPublicKeys: [merchant.publicKey] })).toBeGreaterThan(0);
  });
});
