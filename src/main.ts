import { loadConfig } from './config';
import { lineFormatter, logFormatFor } from './tools/log-format';
import { startStack } from './tools/stack';

/** `npm start`: the whole system on the embedded default (src/tools/stack.ts), URLs printed. */
async function main(): Promise<void> {
  const say = (line: string) => process.stdout.write(`${line}\n`);
  const config = loadConfig();
  say(
    config.temporal.embedded
      ? `starting Temporal dev server, sandbox, worker and API (data: ${config.dataDir})`
      : `starting sandbox, worker and API against Temporal at ${config.temporal.address} (data: ${config.dataDir})`,
  );
  const formatLine = lineFormatter(logFormatFor(process.stdout));
  const stack = await startStack({
    onOutput: (name, line) => formatLine(line).split('\n').forEach((part) => say(`[${name}] ${part}`)),
  });

  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nstopping…');
    await stack.stop();
    say('stopped');
    process.exit(code);
  };
  stack.onUnexpectedExit = (name, code) => {
    say(`${name} exited with code ${code}; stopping everything`);
    void stop(1);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  const publicUrl = config.publicBaseUrl;
  say('');
  say('CodePay payments on Temporal are running:');
  say(`  Demo shop          ${publicUrl}/demo`);
  say(`  Merchant API       ${publicUrl}/v1/payments   (OpenAPI: ${publicUrl}/openapi.json)`);
  say(`  API key            ${stack.apiKey}`);
  say(`  Operator console   ${publicUrl}/console   (sign in with the operator key)`);
  if (stack.operatorKey) say(`  Operator key       ${stack.operatorKey}   (the console, POST /v1/payments/:no/review, /v1/reconciliations)`);
  say(`  Webhook secret     ${stack.merchantWebhookSecret}   (signs events to ${stack.env.MERCHANT_WEBHOOK_URL ?? 'MERCHANT_WEBHOOK_URL: not set'})`);
  const keyFiles = [stack.env.API_KEYS_FILE, stack.env.OPERATOR_API_KEYS_FILE, stack.env.MERCHANT_WEBHOOK_SECRET_FILE].filter(Boolean);
  if (keyFiles.length) say(`  Key files          ${keyFiles.join(', ')}   (edit to rotate: re-read within seconds, docs/operations.md §5)`);
  say(`  CodePay webhook    ${publicUrl}/webhooks/codepay`);
  say(
    config.codepay.usesSandbox
      ? `  CodePay sandbox    ${config.sandbox.publicUrl}   (ledger: ${config.sandbox.publicUrl}/sandbox/ledger)`
      : `  CodePay            ${config.codepay.baseUrl}`,
  );
  say(
    stack.devServer
      ? `  Temporal Web UI    ${stack.devServer.uiUrl}   (gRPC ${stack.temporalAddress})`
      : `  Temporal           ${stack.temporalAddress}`,
  );
  say("  From a phone on the same network: set BIND_HOST=0.0.0.0, and PUBLIC_BASE_URL and SANDBOX_PUBLIC_URL to this host's LAN address.");
  say('Press Ctrl-C to stop.');
}

main().catch((err: Error) => {
  process.stderr.write(`startup failed: ${err.message}\n`);
  process.exit(1);
});
