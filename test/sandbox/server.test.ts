import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createPublicKey } from 'node:crypto';
import { parseFlatJson } from '../../src/codepay/flat-json';
import { withSignature } from '../../src/codepay/signing';
import { SANDBOX_DEFAULT_APP_ID, SANDBOX_DEFAULT_MERCHANT_NO } from '../../src/config';
import { generateTestKeyPair, writeKeyFiles } from '../support/keys';
import { freePort } from '../support/free-port';
import { wapOrderFields } from './support/sandbox-fixture';

/** `npm run sandbox` as a process: fails clearly without keys, serves, stops on SIGTERM, survives SIGKILL. */
const ROOT = path.resolve(__dirname, '../..');

function runServer(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sandbox-server-')), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const [code] = (await once(child, 'exit')) as [number | null];
  return code;
}

describe('npm run sandbox (src/sandbox/server.ts)', () => {
  const gateway = generateTestKeyPair();
  const merchant = generateTestKeyPair();
  const gatewayFiles = writeKeyFiles(gateway, 'gateway');
  const merchantFiles = writeKeyFiles(merchant, 'merchant');

  it('refuses to start without key files, naming the variable', async () => {
    const { child, output } = runServer({ SANDBOX_MERCHANT_PUBLIC_KEY_FILE: merchantFiles.publicKeyFile });
    expect(await exitOf(child)).toBe(1);
    expect(output()).toContain('SANDBOX_GATEWAY_PRIVATE_KEY_FILE is required');
  });

  it('refuses a key file that does not exist, without printing any key', async () => {
    const { child, output } = runServer({
      SANDBOX_GATEWAY_PRIVATE_KEY_FILE: gatewayFiles.privateKeyFile,
      SANDBOX_MERCHANT_PUBLIC_KEY_FILE: '/nonexistent/merchant.pem',
    });
    expect(await exitOf(child)).toBe(1);
    expect(output()).toContain('SANDBOX_MERCHANT_PUBLIC_KEY_FILE (/nonexistent/merchant.pem) cannot be used: ENOENT');
    expect(output()).not.toContain('BEGIN');
  });

  it('serves the configured merchant and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { child, output } = runServer({
      SANDBOX_PORT: String(port),
      SANDBOX_GATEWAY_PRIVATE_KEY_FILE: gatewayFiles.privateKeyFile,
      SANDBOX_MERCHANT_PUBLIC_KEY_FILE: merchantFiles.publicKeyFile,
    });
    try {
      while (!output().includes('sandbox ready')) {
        if (child.exitCode !== null) throw new Error(`sandbox exited: ${output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const keys = (await (await fetch(`http://127.0.0.1:${port}/sandbox/keys`)).json()) as { gatewayPublicKey: string };
      expect(createPublicKey(keys.gatewayPublicKey).equals(gateway.publicKey)).toBe(true);
      expect(output()).not.toContain('PRIVATE KEY');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exitOf(child)).toBe(0);
    expect(output()).toContain('stopping sandbox');
  });

  it('keeps its books under DATA_DIR through a crash (SIGKILL): an open order is paid after the restart', async () => {
    const port = await freePort();
    const env = {
      SANDBOX_PORT: String(port),
      SANDBOX_GATEWAY_PRIVATE_KEY_FILE: gatewayFiles.privateKeyFile,
      SANDBOX_MERCHANT_PUBLIC_KEY_FILE: merchantFiles.publicKeyFile,
      DATA_DIR: mkdtempSync(path.join(tmpdir(), 'sandbox-server-')),
    };
    const ready = async (server: ReturnType<typeof runServer>) => {
      while (!server.output().includes('sandbox ready')) {
        if (server.child.exitCode !== null) throw new Error(`sandbox exited: ${server.output()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const no = `CRASH${Date.now()}`;
    const first = runServer(env);
    try {
      await ready(first);
      const request = withSignature(
        {
          app_id: SANDBOX_DEFAULT_APP_ID,
          merchant_no: SANDBOX_DEFAULT_MERCHANT_NO,
          format: 'JSON',
          charset: 'UTF-8',
          sign_type: 'RSA2',
          version: '1.0',
          timestamp: String(Date.now()),
          method: 'pay.unifiedorder',
          ...wapOrderFields(no),
        },
        merchant.privateKey,
      );
      const answer = await fetch(`http://127.0.0.1:${port}/api/entry`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(request) });
      expect(parseFlatJson(await answer.text())).toMatchObject({ code: '0' });
    } finally {
      first.child.kill('SIGKILL');
    }
    await exitOf(first.child);

    const second = runServer(env);
    try {
      await ready(second);
      expect(second.output()).toMatch(/"orders":1,"refunds":0,"pendingNotifications":0,"msg":"sandbox books restored"/);
      const paid = await fetch(`http://127.0.0.1:${port}/sandbox/orders/${no}/pay`, { method: 'POST' });
      expect(paid.status).toBe(200);
      expect(await paid.json()).toMatchObject({ merchantOrderNo: no, status: 2, paidAmount: '12.50' });
    } finally {
      second.child.kill('SIGTERM');
    }
    expect(await exitOf(second.child)).toBe(0);
  });
});
