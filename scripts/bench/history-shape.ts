/**
 * `npx tsx scripts/bench/history-shape.ts [--base-port N]`: starts the stack on its own ports,
 * makes one payment the sandbox pays, and prints its history at PAID and its merchant webhook
 * delivery workflow's, one event a line (type and what it is about), to see where a paid
 * payment's events go. Merchant webhooks go nowhere unless MERCHANT_WEBHOOK_URL is set.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { eventLabel } from '../../src/tools/history-events';
import { isolatedStackEnv, startStack } from '../../src/tools/stack';
import { merchantWebhooksWorkflowId, paymentWorkflowId } from '../../src/workflows/messages';
import { merchantApi, sandboxControl } from './stack-client';

async function main(): Promise<void> {
  const portArg = process.argv.indexOf('--base-port');
  const basePort = portArg > 0 ? Number(process.argv[portArg + 1]) : 36_000;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'codepay-history-'));
  const stack = await startStack({ env: isolatedStackEnv(basePort, dataDir), devServer: { headless: true } });
  try {
    const api = merchantApi(stack.apiUrl, stack.apiKey);
    await sandboxControl(stack.sandboxUrl!).setFaults({ autoPayAfterMs: 50 });
    const merchantOrderNo = `shape-${Date.now()}`;
    await api.createPayment({ merchantOrderNo, amount: '12.34', currency: 'USD', description: 'history shape' });
    while ((await api.getPayment(merchantOrderNo)).body.status !== 'PAID') await new Promise((r) => setTimeout(r, 50));
    const connection = await Connection.connect({ address: stack.temporalAddress });
    const client = new Client({ connection, namespace: stack.config.temporal.namespace });
    for (const workflowId of [paymentWorkflowId(merchantOrderNo), merchantWebhooksWorkflowId(merchantOrderNo)]) {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      console.log(`${workflowId}: ${history.events?.length ?? 0} events`);
      for (const event of history.events ?? []) console.log(`${String(event.eventId).padStart(3)} ${eventLabel(event)}`);
    }
    await connection.close();
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
