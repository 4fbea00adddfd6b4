import { Client } from '@temporalio/client';
import pino from 'pino';
import type { ApiKeys } from '../../src/api/api-keys';
import { createApp } from '../../src/api/app';
import { type ApiKey, apiKeyOf } from '../../src/secrets/api-key-list';
import { generateTestKeyPair } from '../support/keys';
import { unreachableTemporal } from '../support/unreachable-temporal';
import { apiConfig, listen } from '../api/support/api-stack';

/**
 * A console session lasts only while its operator key is in force: withdrawn from the key file,
 * expired, or moved to the merchant keys, the next page asks to sign in again.
 */
describe('console sessions follow the operator keys (live key sets, no browser)', () => {
  const OPERATOR = 'op_console_session_key_1';
  let operatorKeys: ApiKey[];
  let merchantKeys: ApiKey[];
  let now = Date.now();
  const keys: ApiKeys = { operator: { current: () => operatorKeys }, merchant: { current: () => merchantKeys } };
  const connection = unreachableTemporal('127.0.0.1:1');
  const gatewayKeys = [generateTestKeyPair().publicKey];
  let server: Awaited<ReturnType<typeof listen>>;

  beforeAll(async () => {
    server = await listen((url) =>
      createApp({
        config: apiConfig(url, 'unused'),
        clients: { temporal: new Client({ connection }) },
        gatewayPublicKeys: () => gatewayKeys,
        logger: pino({ enabled: false }),
        keys,
        now: () => now,
      }),
    );
  });
  afterAll(async () => {
    await server?.close();
    await connection.close();
  });
  beforeEach(() => {
    operatorKeys = [apiKeyOf(OPERATOR)];
    merchantKeys = [apiKeyOf('sk_console_session_merchant')];
    now = Date.now();
  });

  const signIn = async (key: string) => {
    const answer = await fetch(`${server.url}/console/sign-in`, { method: 'POST', body: new URLSearchParams({ key }), redirect: 'manual' });
    return { status: answer.status, cookie: answer.headers.get('set-cookie')?.split(';')[0] };
  };
  /** Where `/console` sends this cookie: the payments (signed in) or the sign-in page. */
  const landing = async (cookie: string | undefined) =>
    (await fetch(`${server.url}/console`, { headers: cookie ? { cookie } : {}, redirect: 'manual' })).headers.get('location');

  it('keeps the session while the key is in force', async () => {
    const { status, cookie } = await signIn(OPERATOR);
    expect(status).toBe(303);
    expect(await landing(cookie)).toBe('/console/payments');
    expect(await landing(undefined)).toBe('/console/sign-in');
  });

  it('ends it when the key is withdrawn (a key file rewritten without it)', async () => {
    const { cookie } = await signIn(OPERATOR);
    operatorKeys = [apiKeyOf('op_console_session_key_2')];
    expect(await landing(cookie)).toBe('/console/sign-in');
    expect((await signIn(OPERATOR)).status).toBe(401);
  });

  it('ends it when the key expires', async () => {
    operatorKeys = [{ ...apiKeyOf(OPERATOR), expiresAtMs: now + 60_000 }];
    const { cookie } = await signIn(OPERATOR);
    expect(await landing(cookie)).toBe('/console/payments');
    now += 60_000;
    expect(await landing(cookie)).toBe('/console/sign-in');
  });

  it('ends it when the key turns up among the merchant keys', async () => {
    const { cookie } = await signIn(OPERATOR);
    merchantKeys = [...merchantKeys, apiKeyOf(OPERATOR)];
    expect(await landing(cookie)).toBe('/console/sign-in');
    expect((await signIn(OPERATOR)).status).toBe(403);
  });
});
