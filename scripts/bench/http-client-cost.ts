/**
 * `npx tsx scripts/bench/http-client-cost.ts`: CPU per request of the global fetch against
 * src/net/http-post.ts, both posting a CodePay-sized JSON body to a local server in this process
 * (client and server CPU together; 200 warm-up requests, then 2,000 timed, each twice).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpPost } from '../../src/net/http-post';

async function main(): Promise<void> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(JSON.stringify({ code: '0', data: 'x'.repeat(400) })));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/entry`;
  const body = JSON.stringify({ biz_content: 'x'.repeat(600) });
  const headers = { 'content-type': 'application/json' };
  const clients: [string, () => Promise<unknown>][] = [
    ['fetch', async () => (await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.timeout(10_000) })).text()],
    ['httpPost', () => httpPost(url, { headers, body, timeoutMs: 10_000 })],
  ];
  for (const [name, send] of [...clients, ...clients]) {
    for (let i = 0; i < 200; i += 1) await send();
    const before = process.cpuUsage();
    for (let i = 0; i < 2_000; i += 1) await send();
    const used = process.cpuUsage(before);
    console.log(`${name}: ${Math.round((used.user + used.system) / 2_000)} µs CPU per request`);
  }
  server.closeAllConnections();
  server.close();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
