import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../src/config';
import { cursorKey, decodeCursor, encodeCursor } from '../../src/api/list-cursor';
import { ProblemError } from '../../src/api/problem';
import { LiveFiles } from '../../src/secrets/live-file';

/** List cursors (src/api/list-cursor.ts) without a server: signing, binding to the filters, the key's sources. */
const key = randomBytes(32);
const query = "WorkflowType = 'paymentWorkflow'";
const token = Buffer.from('{"page":2}');

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProblemError) return err.extra.errors;
    throw err;
  }
  throw new Error('expected a refusal');
};
const reencode = (cursor: string, change: (fields: Record<string, string>) => Record<string, string>) =>
  Buffer.from(JSON.stringify(change(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Record<string, string>))).toString('base64url');

describe('list cursors', () => {
  it('gives back the page token of a cursor it issued for the same filters', () => {
    expect(Buffer.from(decodeCursor(key, query, encodeCursor(key, query, token)))).toEqual(token);
  });

  it.each([
    ['another page token under the same signature', (c: Record<string, string>) => ({ ...c, t: Buffer.from('garbage').toString('base64') })],
    ['another filter digest under the same signature', (c: Record<string, string>) => ({ ...c, q: 'AAAAAAAAAAAAAAAA' })],
    ['no signature', ({ s: _s, ...c }: Record<string, string>) => c],
  ])('refuses %s as not issued here', (_name, change) => {
    const tampered = reencode(encodeCursor(key, query, token), change);
    expect(refusal(() => decodeCursor(key, query, tampered))).toEqual([{ field: 'cursor', message: 'not a cursor this API issued' }]);
  });

  it('refuses text that is no cursor at all', () => {
    expect(refusal(() => decodeCursor(key, query, 'bm9wZQ'))).toEqual([{ field: 'cursor', message: 'not a cursor this API issued' }]);
  });

  it('tells a genuine cursor of another listing from a forgery', () => {
    const other = encodeCursor(key, `${query} AND Currency = 'JPY'`, token);
    expect(refusal(() => decodeCursor(key, query, other))).toEqual([{ field: 'cursor', message: 'belongs to a listing with other filters' }]);
  });
});

describe('the cursor key', () => {
  const secret = randomBytes(32).toString('base64url');
  const files = new LiveFiles();
  afterAll(() => files.close());

  it('is API_CURSOR_SECRET when set, so replicas accept each other\'s cursors', () => {
    const config = loadConfig({ API_CURSOR_SECRET: secret });
    const a = cursorKey(config.cursors, files);
    const b = cursorKey(config.cursors, files);
    expect(Buffer.from(decodeCursor(b(), query, encodeCursor(a(), query, token)))).toEqual(token);
  });

  it('is random per process when unset', () => {
    const config = loadConfig({});
    expect(cursorKey(config.cursors, files)().equals(cursorKey(config.cursors, files)())).toBe(false);
  });

  it('is read from API_CURSOR_SECRET_FILE, comments aside', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cursor-secret-')), 'cursor-secret');
    writeFileSync(file, `# signs list cursors\n${secret}\n`, { mode: 0o600 });
    const fromFile = cursorKey(loadConfig({ API_CURSOR_SECRET_FILE: file }).cursors, files);
    const fromEnv = cursorKey(loadConfig({ API_CURSOR_SECRET: secret }).cursors, files);
    expect(fromFile().equals(fromEnv())).toBe(true);
  });

  it('refuses a short secret or a file cut short without repeating it', () => {
    const short = 'x'.repeat(31);
    expect(() => loadConfig({ API_CURSOR_SECRET: short })).toThrow(/API_CURSOR_SECRET: must be at least 32 characters/);
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'cursor-secret-')), 'cursor-secret');
    writeFileSync(file, `${short}\n`, { mode: 0o600 });
    let message = '';
    try {
      cursorKey(loadConfig({ API_CURSOR_SECRET_FILE: file }).cursors, files);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('at least 32 characters');
    expect(message).not.toContain(short);
  });

  it('refuses both the variable and the file', () => {
    expect(() => loadConfig({ API_CURSOR_SECRET: secret, API_CURSOR_SECRET_FILE: '/dev/null' })).toThrow(/set either API_CURSOR_SECRET or API_CURSOR_SECRET_FILE/);
  });
});
