import { type Client, QueryNotRegisteredError } from '@temporalio/client';
import { WebhookDeliveries } from '../../src/api/webhook-deliveries';

/** A client whose delivery-workflow query fails the way a stuck (nondeterministic) run answers. */
function clientFailingQueries(error: Error): Client {
  const handle = { query: async () => Promise.reject(error) };
  return { workflow: { getHandle: () => handle }, withDeadline: <T>(_deadline: number, fn: () => Promise<T>) => fn() } as unknown as Client;
}

describe('webhook deliveries in the payment view', () => {
  const config = { temporal: { namespace: 'default', taskQueue: 'q' }, merchantWebhooks: { retryScheduleMs: [] } } as never;
  const timeouts = { requestMs: 1_000, signalMs: 1_000 };

  it('leaves the deliveries out, never failing the view, when the delivery workflow cannot answer its query', async () => {
    const failing = new QueryNotRegisteredError('[TMPRL1100] Nondeterminism error', 3);
    const deliveries = new WebhookDeliveries(clientFailingQueries(failing), config, timeouts);
    await expect(deliveries.listIfAvailable('M1')).resolves.toBeUndefined();
    await expect(deliveries.list('M1')).rejects.toBeDefined();
  });
});
