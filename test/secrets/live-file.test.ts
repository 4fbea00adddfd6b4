import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../../src/config';
import { LiveFiles, type LiveFileStatus } from '../../src/secrets/live-file';
import { waitFor } from '../harness/wait-for';
import { replaceFile } from '../support/replace-file';

/** A parser that refuses any line that is not a number, as a key parser refuses a bad line. */
const numbers = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line, i) => {
      if (!/^\d+$/.test(line)) throw new Error(`line ${i + 1}: not a number`);
      return Number(line);
    });

function recorder() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  return {
    lines,
    logger: {
      info: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'info', fields, message }),
      error: (fields: Record<string, unknown>, message: string) => lines.push({ level: 'error', fields, message }),
    },
  };
}

describe('live files', () => {
  let dir: string;
  let files: LiveFiles;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'live-file-'));
  });
  afterEach(() => files?.close());

  const write = (name: string, text: string) => writeFileSync(path.join(dir, name), text);
  const replace = (name: string, text: string) => replaceFile(path.join(dir, name), text);

  it('fails the start on a missing or malformed file, naming the variable, not the content', () => {
    files = new LiveFiles();
    expect(() => files.watch('X_FILE', path.join(dir, 'absent'), numbers)).toThrow(new ConfigError(`X_FILE (${path.join(dir, 'absent')}) cannot be used: ENOENT`));
    write('bad', '12\nsecret-looking-line\n');
    expect(() => files.watch('X_FILE', path.join(dir, 'bad'), numbers)).toThrow(/X_FILE .* cannot be used: line 2: not a number$/);
  });

  it('picks up a file replaced by rename, and an edit in place, without being asked', async () => {
    const statuses: LiveFileStatus[] = [];
    files = new LiveFiles({ pollMs: 200, onStatus: (s) => statuses.push(s) });
    write('list', '1\n2\n');
    const live = files.watch('X_FILE', path.join(dir, 'list'), numbers);
    expect(live.current()).toEqual([1, 2]);
    replace('list', '3\n');
    await waitFor(() => Promise.resolve(live.current().join()), (v) => v === '3', { timeoutMs: 5_000 });
    write('list', '4\n5\n');
    await waitFor(() => Promise.resolve(live.current().join()), (v) => v === '4,5', { timeoutMs: 5_000 });
    expect(statuses.every((s) => s.ok && s.variable === 'X_FILE')).toBe(true);
  });

  it('polls when no directory event comes (one read per pollMs)', () => {
    files = new LiveFiles({ pollMs: 60_000 });
    write('list', '1\n');
    const live = files.watch('X_FILE', path.join(dir, 'list'), numbers);
    write('list', '2\n');
    files.checkAll();
    expect(live.current()).toEqual([2]);
  });

  it('keeps the last good value of a malformed or deleted file, says so once, and recovers', () => {
    const { lines, logger } = recorder();
    files = new LiveFiles({ pollMs: 60_000, logger });
    write('list', '1\n');
    const file = path.join(dir, 'list');
    const live = files.watch('X_FILE', file, numbers);

    replace('list', '1\nsecret-looking-line\n');
    files.checkAll();
    files.checkAll();
    expect(live.current()).toEqual([1]);
    expect(live.status()).toEqual({ variable: 'X_FILE', file, ok: false, error: 'line 2: not a number' });
    expect(files.statuses()).toEqual([live.status()]);
    expect(lines).toEqual([{ level: 'error', fields: { variable: 'X_FILE', file, error: 'line 2: not a number' }, message: 'secret file refused: keeping the last good value' }]);
    expect(JSON.stringify(lines)).not.toContain('secret-looking-line');

    rmSync(file);
    files.checkAll();
    expect(live.current()).toEqual([1]);
    expect(live.status()).toMatchObject({ ok: false, error: 'ENOENT' });

    replace('list', '7\n');
    files.checkAll();
    expect(live.current()).toEqual([7]);
    expect(live.status()).toEqual({ variable: 'X_FILE', file, ok: true });
    expect(lines.map((l) => `${l.level} ${l.message}`)).toEqual([
      'error secret file refused: keeping the last good value',
      'error secret file refused: keeping the last good value',
      'info secret file reloaded',
    ]);
  });

  it('goes back to ok when the last good content comes back', () => {
    files = new LiveFiles({ pollMs: 60_000 });
    write('list', '1\n');
    const live = files.watch('X_FILE', path.join(dir, 'list'), numbers);
    write('list', 'x\n');
    files.checkAll();
    expect(live.status().ok).toBe(false);
    write('list', '1\n');
    files.checkAll();
    expect(live.status().ok).toBe(true);
  });
});
