import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createPublicKey } from 'node:crypto';
import { generateTestKeyPair, writeKeyFiles } from '../support/keys';
import { freePort } from '../support/free-port';

/** `npm run sandbox` as a process: fails clearly without keys, serves, stops on SIGTERM. */
const ROOT = path.resolve(__dirname, '../..');

function runServer(env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string } {
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/sandbox/server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'info', ...env },
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
});
