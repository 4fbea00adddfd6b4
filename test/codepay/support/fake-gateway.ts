import type { KeyObject } from 'node:crypto';
import { createServer, IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseFlatJson, RawFields } from '../../../src/codepay/flat-json';
import { verifyFields, withSignature } from '../../../src/codepay/signing';

/** What the fake gateway does with one request. */
export type GatewayReply =
  | { kind: 'signed'; fields: Record<string, string>; key?: KeyObject }
  | { kind: 'raw'; status: number; body: string }
  | { kind: 'hang' };

export interface ReceivedRequest {
  path: string;
  contentType: string | undefined;
  fields: RawFields;
  /** Whether the request's signature verified with the merchant's public key. */
  verified: boolean;
}

export interface FakeGateway {
  baseUrl: string;
  requests: ReceivedRequest[];
  reply(handler: (request: ReceivedRequest) => GatewayReply): void;
  close(): Promise<void>;
}

/** A minimal `/api/entry` that signs its answers with a test gateway key. */
export async function startFakeGateway(gatewayPrivateKey: KeyObject, merchantPublicKey: KeyObject): Promise<FakeGateway> {
  const requests: ReceivedRequest[] = [];
  let handler: (request: ReceivedRequest) => GatewayReply = () => ({ kind: 'signed', fields: { code: '0' } });
  const server: Server = createServer((req, res) => {
    void readAll(req).then((body) => {
      const fields = parseFlatJson(body);
      const received = {
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        fields,
        verified: verifyFields(fields, merchantPublicKey),
      };
      requests.push(received);
      const reply = handler(received);
      if (reply.kind === 'hang') return;
      if (reply.kind === 'raw') {
        res.writeHead(reply.status, { 'content-type': 'text/plain' }).end(reply.body);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(withSignature(reply.fields, reply.key ?? gatewayPrivateKey)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    reply(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readAll(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
