/**
 * One HTTP POST over node:http(s) with keep-alive connections: what the worker's CodePay client and
 * merchant webhook deliveries send. The global fetch (undici) cost about four times the CPU per
 * request in the bench's worker profile (docs/performance.md), and these calls are the worker's
 * own hot path; neither needs streams, redirects or the other parts of fetch.
 */
import http from 'node:http';
import https from 'node:https';

export interface HttpPostRequest {
  headers: Record<string, string>;
  body: string;
  /** The whole exchange, connect to the last byte of the answer. */
  timeoutMs: number;
  /** Read the answer's body (default true); false discards it unread. */
  readBody?: boolean;
}

export interface HttpPostAnswer {
  status: number;
  body: string;
}

export type HttpPost = (url: string, request: HttpPostRequest) => Promise<HttpPostAnswer>;

/** No answer within the request's `timeoutMs`. */
export class HttpTimeoutError extends Error {
  override name = 'TimeoutError';
}

const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };

export const httpPost: HttpPost = (url, { headers, body, timeoutMs, readBody = true }) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const transport = target.protocol === 'https:' ? https : target.protocol === 'http:' ? http : undefined;
    if (!transport) return reject(new Error(`unsupported URL scheme ${target.protocol}`));
    const request = transport.request(target, { method: 'POST', agent: agents[target.protocol as 'http:' | 'https:'], headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (response) => {
      const status = response.statusCode ?? 0;
      if (!readBody) {
        response.resume();
        response.on('end', () => resolve({ status, body: '' }));
      } else {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }));
      }
      response.on('error', reject);
    });
    const timer = setTimeout(() => request.destroy(new HttpTimeoutError(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('error', reject);
    request.on('close', () => clearTimeout(timer));
    request.end(body);
  });
