import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import express, { Express, NextFunction, Request, Response } from 'express';
import pino, { Logger } from 'pino';
import { serverSpanMiddleware } from '../telemetry/spans';
import { securityHeaders } from '../web/security-headers';
import { cashierRouter } from './cashier-routes';
import { controlRouter } from './control-routes';
import { entryRouter } from './entry-route';
import { SandboxGateway, SandboxMerchant } from './gateway';

export type { SandboxMerchant } from './gateway';

export interface SandboxOptions {
  /** 0 = a random free port. */
  port?: number;
  host?: string;
  /** Base of `pay_url`; default `http://localhost:<port>` (or `http://<host>:<port>` for a specific host). */
  publicUrl?: string;
  gatewayPrivateKey: KeyObject;
  merchants: SandboxMerchant[];
  /** 1 = CodePay's notification retry schedule; 0.001 makes 5 s into 5 ms. */
  notifyTimeScale?: number;
  /** Journal file of the books (journal.ts): orders, refunds and pending work survive a restart. Default: memory only. */
  booksFile?: string;
  now?: () => number;
  logger?: Logger;
  /** Seedable source for fault injection (chaos runs). */
  random?: () => number;
}

export interface RunningSandbox {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** The sandbox as an express app, plus the gateway state behind it (close it when done). */
export function createSandboxApp(options: SandboxOptions): { app: Express; gateway: SandboxGateway } {
  const logger = options.logger ?? pino({ enabled: false });
  const gateway = new SandboxGateway({
    gatewayPrivateKey: options.gatewayPrivateKey,
    merchants: options.merchants,
    // With port 0 the URL is known only once listening; startSandbox fills it in then.
    publicUrl: options.publicUrl ?? (options.port ? `http://localhost:${options.port}` : undefined),
    notifyTimeScale: options.notifyTimeScale ?? 1,
    booksFile: options.booksFile,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
    logger,
  });
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders());
  app.use(serverSpanMiddleware());
  app.use(entryRouter(gateway));
  app.use(cashierRouter(gateway));
  app.use(controlRouter(gateway));
  app.use((_req: Request, res: Response) => {
    res.status(404).type('application/problem+json').send(JSON.stringify({ type: 'urn:codepay-sandbox:not-found', title: 'Not found', status: 404 }));
  });
  // Last resort: a request express cannot read (malformed percent-encoding, a body that does not
  // decode) is the client's 4xx; anything else is a bug, answered 500 with no stack trace, logged.
  app.use((err: unknown, req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err instanceof Error && 'status' in err && typeof err.status === 'number' ? err.status : 500;
    if (status >= 400 && status < 500) {
      logger.warn({ method: req.method, path: req.path, status, reason: (err as Error).message }, 'unreadable request');
      res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'urn:codepay-sandbox:bad-request', title: 'Bad request', status }));
      return;
    }
    logger.error({ err }, 'sandbox request failed');
    res.status(500).type('application/problem+json').send(JSON.stringify({ type: 'urn:codepay-sandbox:internal', title: 'Internal error', status: 500 }));
  });
  return { app, gateway };
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const { app, gateway } = createSandboxApp(options);
  const server = createServer(app);
  server.listen(options.port ?? 0, options.host);
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  const host = options.host && !['0.0.0.0', '::'].includes(options.host) ? options.host : 'localhost';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  // A specific listen host is also where a browser can reach the cashier.
  gateway.publicUrl ??= url;
  gateway.logger.info({ url, publicUrl: gateway.publicUrl }, 'CodePay sandbox listening');
  let closed: Promise<void> | undefined;
  return {
    url,
    port,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        gateway.close();
        server.close((err) => (err ? reject(err) : resolve()));
        // Held answers (timeout fault) and keep-alive sockets would otherwise keep close() waiting.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
