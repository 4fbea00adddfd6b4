import { once } from 'node:events';
import { createServer, IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedNotification {
  body: string;
  contentType?: string;
}

/**
 * A merchant's notification endpoint for tests: records every POST and answers with whatever
 * `answer(n)` says for the n-th (1-based) request — e.g. fail twice, then `success`.
 */
export async function startReceiver(answer: (n: number) => { status: number; body: string } = () => ({ status: 200, body: 'success' })) {
  const received: ReceivedNotification[] = [];
  const server = createServer(async (req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ body: Buffer.concat(chunks).toString('utf8'), contentType: req.headers['content-type'] });
    const { status, body } = answer(received.length);
    res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/codepay`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
