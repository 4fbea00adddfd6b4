/**
 * The driver's HTTP calls. The API and Temporal are restarted under it, so a call that meets a
 * refused connection, a timeout or a 5xx is sent again, unchanged, with backoff: the contract
 * makes the same request idempotent (same merchantOrderNo + payload → same payment, same refundNo
 * → same refund). Every retry is counted so the report shows how much the driver had to absorb.
 */
export interface HttpAnswer {
  status: number;
  text: string;
  /** The parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
}

export interface HttpStats {
  calls: number;
  retries: number;
  /** Retries by cause: `ECONNREFUSED`, `timeout`, `503`, … */
  retryCauses: Record<string, number>;
}

export interface HttpClientOptions {
  baseUrl: string;
  headers?: Record<string, string>;
  /** Total time a call may take across its retries. */
  budgetMs: number;
  attemptTimeoutMs: number;
  stats: HttpStats;
}

export class HttpGaveUp extends Error {
  override name = 'HttpGaveUp';
}

export const newHttpStats = (): HttpStats => ({ calls: 0, retries: 0, retryCauses: {} });

const RETRY_STATUSES = new Set([500, 502, 503, 504]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function createHttpClient(options: HttpClientOptions) {
  const { stats } = options;
  const countRetry = (cause: string) => {
    stats.retries += 1;
    stats.retryCauses[cause] = (stats.retryCauses[cause] ?? 0) + 1;
  };

  async function attempt(method: string, path: string, body: string | undefined, headers: Record<string, string>): Promise<HttpAnswer> {
    const response = await fetch(`${options.baseUrl}${path}`, {
      method,
      headers: { ...options.headers, ...headers },
      body,
      signal: AbortSignal.timeout(options.attemptTimeoutMs),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: response.status, text, json };
  }

  /** Sends `body` (an object → JSON; a string → as is) and retries until an answer that is not a 5xx. */
  async function request(
    method: string,
    path: string,
    body?: unknown,
    extra: { headers?: Record<string, string>; retry?: boolean } = {},
  ): Promise<HttpAnswer> {
    stats.calls += 1;
    const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const headers = { ...(payload !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}), ...extra.headers };
    const deadline = Date.now() + options.budgetMs;
    for (let tries = 0; ; tries += 1) {
      let cause: string;
      try {
        const answer = await attempt(method, path, payload, headers);
        if (!RETRY_STATUSES.has(answer.status) || extra.retry === false) return answer;
        cause = String(answer.status);
      } catch (err) {
        if (extra.retry === false) throw err;
        cause = errorCause(err);
      }
      if (Date.now() >= deadline) throw new HttpGaveUp(`${method} ${path}: gave up after ${tries + 1} attempts (last: ${cause})`);
      countRetry(cause);
      await sleep(Math.min(3_000, 100 * 2 ** Math.min(tries, 5)) * (0.5 + Math.random()));
    }
  }

  return { request, baseUrl: options.baseUrl };
}

export type HttpClient = ReturnType<typeof createHttpClient>;

function errorCause(err: unknown): string {
  const error = err as Error & { cause?: { code?: string } };
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'timeout';
  return error.cause?.code ?? error.name;
}
