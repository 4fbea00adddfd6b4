/**
 * Records the histories of the payment's main paths for the replay test
 * (test/workflows/replay.test.ts), one JSON file per scenario in test/workflows/histories/.
 *
 * Record (to add a scenario, or after a patched() change: docs/design.md, "Versioning"):
 *   npx tsx scripts/record-histories.ts            # all scenarios
 *   npx tsx scripts/record-histories.ts expired    # only the named ones
 *   npx tsx scripts/record-histories.ts --as <patch id>   # as <name>.<patch id>.json, beside the older recordings
 * then commit the JSON. A patch that changes what new runs record keeps the older files (running
 * payments have those histories) and adds the new ones with `--as <patch id>`. Never re-record to
 * make a failing replay pass: that failure means running payments would break; put the change
 * behind patched() instead.
 *
 * Starts its own Temporal dev server (the pinned CLI) and runs the scenarios of
 * test/workflows/scenarios.ts against the in-memory fake CodePay.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createCodePayActivities } from '../src/activities/codepay-activities';
import { createWebhookActivities } from '../src/activities/webhook-activities';
import { PROJECT_ROOT, requireBinaryPath, TEMPORAL_CLI } from '../src/tools/temporal-binaries';
import { getWebhookDeliveriesQuery, merchantWebhooksWorkflowId } from '../src/workflows/messages';
import { PAYMENT_SEARCH_ATTRIBUTES } from '../src/workflows/search-attributes';
import { startWebhookReceiver } from '../test/support/webhook-receiver';
import { FakeCodePay } from '../test/workflows/fake-codepay';
import { historyToStoredJson } from '../test/workflows/stored-history';
import { scenarios, type ScenarioName } from '../test/workflows/scenarios';

export const HISTORIES_DIR = path.join(PROJECT_ROOT, 'test/workflows/histories');

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const asIndex = args.indexOf('--as');
  const suffix = asIndex >= 0 ? `.${args.splice(asIndex, 2)[1] ?? ''}` : '';
  if (suffix === '.') throw new Error('--as needs a name, e.g. --as <patch id>');
  const requested = args as ScenarioName[];
  const names = requested.length > 0 ? requested : (Object.keys(scenarios) as ScenarioName[]);
  const unknown = names.filter((n) => !(n in scenarios));
  if (unknown.length > 0) throw new Error(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(scenarios).join(', ')}`);

  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: requireBinaryPath(TEMPORAL_CLI) }, searchAttributes: [...PAYMENT_SEARCH_ATTRIBUTES], extraArgs: ['--log-level', 'error'] },
  });
  mkdirSync(HISTORIES_DIR, { recursive: true });
  // The delivery scenario's receiver fails each event's first attempt, so a retry and the idle wait
  // are recorded; elsewhere webhooks are off and the payment still hands its events over (the
  // local activity's markers are recorded).
  const receiver = await startWebhookReceiver((attempt) => (attempt === 1 ? 503 : 204));
  try {
    for (const name of names) {
      const withWebhooks = name === 'merchantWebhookDelivery';
      const webhooks = withWebhooks ? { url: receiver.url, secrets: [receiver.secret], retryScheduleMs: [200] } : { secrets: [], retryScheduleMs: [] };
      const fake = new FakeCodePay();
      const taskQueue = `record-${name}`;
      const worker = await Worker.create({
        connection: env.nativeConnection,
        taskQueue,
        workflowsPath: require.resolve('../src/workflows'),
        activities: { ...createWebhookActivities({ config: { merchantWebhooks: webhooks }, client: env.client }), ...createCodePayActivities(fake) },
      });
      const outcome = await worker.runUntil(async () => {
        const ran = await scenarios[name]({ client: env.client, taskQueue, fake });
        if (withWebhooks) for (const id of deliveryIds(ran.workflowIds)) await settled(env.client.workflow.getHandle(id));
        return ran;
      });
      const histories = [];
      const deliveries = withWebhooks ? deliveryIds(outcome.workflowIds) : [];
      for (const workflowId of [...outcome.workflowIds, ...deliveries]) {
        const history = await env.client.workflow.getHandle(workflowId).fetchHistory();
        histories.push({ workflowId, history: historyToStoredJson(history) });
      }
      const file = path.join(HISTORIES_DIR, `${name}${suffix}.json`);
      writeFileSync(file, `${JSON.stringify(histories, null, 1)}\n`);
      process.stdout.write(`${name}: ${outcome.view.status}, ${histories.length} workflow(s) → ${path.relative(PROJECT_ROOT, file)}\n`);
    }
  } finally {
    await receiver.close();
    await env.teardown();
  }
}

/** The delivery workflows of the payments among `workflowIds`. */
const deliveryIds = (workflowIds: string[]) => workflowIds.filter((id) => id.startsWith('payment-')).map((id) => merchantWebhooksWorkflowId(id.slice('payment-'.length)));

/** Every event handed to a delivery workflow delivered (or failed), so its history shows the attempts. */
async function settled(handle: WorkflowHandle): Promise<void> {
  for (let tries = 0; tries < 100; tries += 1) {
    const views = await handle.query(getWebhookDeliveriesQuery);
    if (views.every((v) => v.status === 'delivered' || v.status === 'failed')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${handle.workflowId}: deliveries not settled after 10 s`);
}

main().catch((error: Error) => {
  process.stderr.write(`recording failed: ${error.stack ?? error.message}\n`);
  process.exit(1);
});
