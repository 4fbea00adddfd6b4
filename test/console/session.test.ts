import { ConsoleSessions } from '../../src/console/session';

describe('console sessions (signed tokens, CSRF bound to the session)', () => {
  let now = 1_000_000;
  const clock = () => now;
  const sessions = new ConsoleSessions('a-console-secret-of-at-least-32-chars!', 60_000, clock);

  it('reads back a token it issued, until it expires', () => {
    const { token, session } = sessions.issue('op-123456789abc');
    expect(sessions.verify(token)).toEqual(session);
    expect(session.expiresAt).toBe(now + 60_000);
    now += 59_999;
    expect(sessions.verify(token)?.operator).toBe('op-123456789abc');
    now += 1;
    expect(sessions.verify(token)).toBeUndefined();
  });

  it('refuses a tampered, truncated or foreign token', () => {
    const { token } = sessions.issue('op-a');
    const [payload, mac] = token.split('.') as [string, string];
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), op: 'op-b' })).toString('base64url');
    expect(sessions.verify(`${forged}.${mac}`)).toBeUndefined();
    expect(sessions.verify(payload)).toBeUndefined();
    expect(sessions.verify(`${token}.x`)).toBeUndefined();
    expect(sessions.verify(undefined)).toBeUndefined();
    const other = new ConsoleSessions('another-console-secret-of-32-chars!!', 60_000, clock);
    expect(other.verify(token)).toBeUndefined();
  });

  it('binds the CSRF token to one session, and a session MAC is no CSRF token', () => {
    const a = sessions.issue('op-a');
    const b = sessions.issue('op-a');
    const token = sessions.csrfToken(a.session);
    expect(sessions.checkCsrf(a.session, token)).toBe(true);
    expect(sessions.checkCsrf(b.session, token)).toBe(false);
    expect(sessions.checkCsrf(a.session, a.token.split('.')[1])).toBe(false);
    expect(sessions.checkCsrf(a.session, undefined)).toBe(false);
    expect(sessions.checkCsrf(a.session, '')).toBe(false);
  });

  it('forgets a signed-out session for good, others stay', () => {
    const a = sessions.issue('op-a');
    const b = sessions.issue('op-a');
    sessions.signOut(a.session);
    expect(sessions.verify(a.token)).toBeUndefined();
    expect(sessions.verify(b.token)).toEqual(b.session);
  });
});
