import path from 'node:path';
import pino from 'pino';
import { parsePublicKey, readPrivateKeyFile } from '../codepay/keys';
import { ConfigError, loadConfig } from '../config';
import { LiveFiles } from '../secrets/live-file';
import { startSandbox } from './app';
import { JournalError } from './journal';
import { traceLogFields } from '../telemetry/log-fields';
import { SERVICE_NAMES, startTracing } from '../telemetry/tracing';

/**
 * `npm run sandbox`: the local CodePay for the configured merchant (docs/design.md §6). Needs both key
 * files; `npm start` generates them under DATA_DIR when none are given. Its books are journaled in
 * `DATA_DIR/sandbox/books.jsonl`, so a restart resumes them.
 */
const booksFile = (dataDir: string) => path.resolve(dataDir, 'sandbox', 'books.jsonl');

function readKey<T>(variable: string, file: string | undefined, read: (file: string) => T): T {
  if (!file) throw new ConfigError(`${variable} is required: the path of a PEM or base64 DER key file`);
  try {
    return read(file);
  } catch (err) {
    // The path is not secret; the key text never reaches the message (keys.ts).
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ConfigError(`${variable} (${file}) cannot be used: ${reason}`);
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = pino({ level: config.logLevel, name: 'codepay-sandbox', mixin: traceLogFields });
  const tracing = startTracing({ serviceName: SERVICE_NAMES.sandbox });
  const gatewayPrivateKey = readKey('SANDBOX_GATEWAY_PRIVATE_KEY_FILE', config.sandbox.gatewayPrivateKeyFile, readPrivateKeyFile);
  // Re-read while running, as CodePay's portal takes a new merchant public key without a restart
  // (the merchant key rotation of docs/operations.md §5, tried against the sandbox).
  const merchantKeyFile = config.sandbox.merchantPublicKeyFile;
  if (!merchantKeyFile) throw new ConfigError('SANDBOX_MERCHANT_PUBLIC_KEY_FILE is required: the path of a PEM or base64 DER key file');
  const files = new LiveFiles({ logger: logger.child({ component: 'secrets' }) });
  const merchantPublicKey = files.watch('SANDBOX_MERCHANT_PUBLIC_KEY_FILE', merchantKeyFile, parsePublicKey);
  const sandbox = await startSandbox({
    port: config.sandbox.port,
    host: config.bindHost,
    publicUrl: config.sandbox.publicUrl,
    gatewayPrivateKey,
    merchants: [
      {
        appId: config.sandbox.appId,
        merchantNo: config.sandbox.merchantNo,
        get publicKey() {
          return merchantPublicKey.current();
        },
        name: 'Sandbox merchant',
      },
    ],
    notifyTimeScale: config.sandbox.notifyTimeScale,
    booksFile: booksFile(config.dataDir),
    logger,
  });
  logger.info({ url: sandbox.url, appId: config.sandbox.appId, merchantNo: config.sandbox.merchantNo }, 'sandbox ready');
  const stop = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'stopping sandbox');
    Promise.all([sandbox.close(), tracing?.shutdown()]).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'sandbox did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof ConfigError || err instanceof JournalError ? `sandbox: ${err.message}` : err);
  process.exit(1);
});
