import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpTimeoutError, httpPost } from '../../src/net/http-post';

describe('httpPost', () => {
  let server: http.Server;
  let url: string;
  const seen: { body: string; headers: http.IncomingHttpHeaders; socket: unknown }[] = [];

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        seen.push({ body, headers: req.headers, socket: req.socket });
        if (req.url === '/slow') return void setTimeout(() => res.end('late'), 500);
        res.statusCode = req.url === '/busy' ? 503 : 200;
        res.end(`échoed ${body}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends the body and headers with its length and reads the answer as UTF-8', async () => {
    const answer = await httpPost(`${url}/entry`, { headers: { 'content-type': 'application/json' }, body: '{"a":"ü"}', timeoutMs: 2_000 });
    expect(answer).toEqual({ status: 200, body: 'échoed {"a":"ü"}' });
    const request = seen.at(-1)!;
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['content-length']).toBe(String(Buffer.byteLength('{"a":"ü"}')));
  });

  it('answers any status, and an empty body when asked not to read it', async () => {
    expect(await httpPost(`${url}/busy`, { headers: {}, body: 'x', timeoutMs: 2_000, readBody: false })).toEqual({ status: 503, body: '' });
  });

  it('keeps the connection alive between requests', async () => {
    await httpPost(`${url}/one`, { headers: {}, body: '1', timeoutMs: 2_000 });
    await httpPost(`${url}/two`, { headers: {}, body: '2', timeoutMs: 2_000 });
    expect(seen.at(-1)!.socket).toBe(seen.at(-2)!.socket);
  });

  it('gives up after timeoutMs with an HttpTimeoutError', async () => {
    const started = Date.now();
    await expect(httpPost(`${url}/slow`, { headers: {}, body: '', timeoutMs: 100 })).rejects.toBeInstanceOf(HttpTimeoutError);
    expect(Date.now() - started).toBeLessThan(450);
  });

  it('fails with the network error code when nobody listens, and refuses other schemes', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(httpPost(`http://127.0.0.1:${port}/`, { headers: {}, body: '', timeoutMs: 2_000 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await expect(httpPost('ftp://example.test/', { headers: {}, body: '', timeoutMs: 2_000 })).rejects.toThrow(/unsupported URL scheme/);
  });
});
