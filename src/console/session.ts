import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/**
 * Console sign-ins as signed tokens (the cookie's value): who signed in (the operator key's
 * identity, never the key), a random session id and when it ends, MACed with HMAC-SHA256 under the
 * console's secret. Nothing is stored server-side but the ids signed out early, so any API replica
 * sharing CONSOLE_SESSION_SECRET reads any session. Each session's CSRF token is a MAC of its id:
 * it cannot be made without the secret and is worthless in another session.
 */
export interface ConsoleSession {
  /** The operator key's identity (auth.ts operatorIdentity), recorded with every action. */
  operator: string;
  /** Random; binds the CSRF token to this sign-in. */
  sid: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

const PayloadSchema = z.strictObject({
  op: z.string().min(1).max(64),
  sid: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
  exp: z.int().positive(),
});

const b64 = (buffer: Buffer) => buffer.toString('base64url');

export class ConsoleSessions {
  private readonly secret: Buffer;
  /** Session ids signed out before they expired, with their expiry (dropped after it). */
  private readonly signedOut = new Map<string, number>();

  constructor(
    secret: string | undefined,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {
    this.secret = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  issue(operator: string): { token: string; session: ConsoleSession } {
    const session = { operator, sid: b64(randomBytes(16)), expiresAt: this.now() + this.ttlMs };
    const payload = b64(Buffer.from(JSON.stringify({ op: session.operator, sid: session.sid, exp: session.expiresAt })));
    return { token: `${payload}.${b64(this.mac('session', payload))}`, session };
  }

  /** The session a token stands for, if its MAC holds, it has not expired and was not signed out. */
  verify(token: string | undefined): ConsoleSession | undefined {
    const [payload, mac, extra] = (token ?? '').split('.');
    if (!payload || !mac || extra !== undefined || !this.equal(this.mac('session', payload), mac)) return undefined;
    let json: unknown;
    try {
      json = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    const parsed = PayloadSchema.safeParse(json);
    if (!parsed.success || parsed.data.exp <= this.now() || this.signedOut.has(parsed.data.sid)) return undefined;
    return { operator: parsed.data.op, sid: parsed.data.sid, expiresAt: parsed.data.exp };
  }

  signOut(session: ConsoleSession): void {
    const now = this.now();
    for (const [sid, expiresAt] of this.signedOut) if (expiresAt <= now) this.signedOut.delete(sid);
    this.signedOut.set(session.sid, session.expiresAt);
  }

  csrfToken(session: ConsoleSession): string {
    return b64(this.mac('csrf', session.sid));
  }

  checkCsrf(session: ConsoleSession, token: unknown): boolean {
    return typeof token === 'string' && this.equal(this.mac('csrf', session.sid), token);
  }

  /** Domain-separated: a session MAC is never a valid CSRF token and the other way round. */
  private mac(purpose: 'session' | 'csrf', text: string): Buffer {
    return createHmac('sha256', this.secret).update(`${purpose}.${text}`).digest();
  }

  private equal(expected: Buffer, given: string): boolean {
    const candidate = Buffer.from(given, 'base64url');
    return candidate.length === expected.length && timingSafeEqual(candidate, expected);
  }
}
