import { Agent, createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A forwarding HTTP proxy in front of the sandbox that records every CodePay `/api/entry` call
 * (method and merchant_order_no), because neither the sandbox nor the worker counts them. The
 * worker reaches CodePay through it by pointing SANDBOX_PUBLIC_URL (the embedded default's
 * CodePay base URL) at it; everything else passes through untouched.
 */
export interface CodePayCall {
  method: string;
  merchantOrderNo: string;
  /** ms epoch when the call arrived. */
  at: number;
}

export interface CodePayCallCounter {
  url: string;
  calls: CodePayCall[];
  /** Calls per merchant order number and method. */
  byOrder(): Map<string, Record<string, number>>;
  close(): Promise<void>;
}

/** The flat JSON or form-encoded body's `method` and `merchant_order_no`, as far as they can be read. */
export function entryCallFields(body: string, contentType: string | undefined): { method: string; merchantOrderNo: string } {
  let fields: Record<string, unknown> = {};
  try {
    fields = (contentType ?? '').includes('json') ? (JSON.parse(body) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(body));
  } catch {
    // counted as unreadable below
  }
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : '?');
  return { method: text(fields.method), merchantOrderNo: text(fields.merchant_order_no) };
}

export async function startCodePayCallCounter(port: number, target: URL): Promise<CodePayCallCounter> {
  const calls: CodePayCall[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });

  const forward = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const upstream = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, agent },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    upstream.end(body);
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      if (req.method === 'POST' && req.url?.split('?')[0]?.startsWith('/api/entry')) {
        calls.push({ ...entryCallFields(body.toString('utf8'), req.headers['content-type']), at: Date.now() });
      }
      forward(req, res, body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}`,
    calls,
    byOrder() {
      const result = new Map<string, Record<string, number>>();
      for (const call of calls) {
        const counts = result.get(call.merchantOrderNo) ?? {};
        counts[call.method] = (counts[call.method] ?? 0) + 1;
        result.set(call.merchantOrderNo, counts);
      }
      return result;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
