import { readFileSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../config';

/**
 * Secret files re-read while the process runs, so a key is rotated by changing a file, not by a
 * restart (docs/operations.md §5). Each file is read again every `pollMs` and soon after the OS
 * reports a change in its directory: the directory, not the file, is watched, and the poll compares
 * contents, so a file replaced by rename (the atomic way to write it) or a Kubernetes secret's
 * symlink swap is seen as well as an edit. A content that no longer parses keeps the last good
 * value in use and is reported (log, `status()` for metrics and /readyz) until a good one arrives.
 * Contents never reach a log or an error message: parsers must keep them out of theirs.
 */
export interface LiveFileStatus {
  /** The variable naming the file (`API_KEYS_FILE`…): the name logs, metrics and /readyz use. */
  variable: string;
  file: string;
  /** False while the file's latest content is refused and the last good value is still in use. */
  ok: boolean;
  error?: string;
}

export interface LiveFile<T> {
  current(): T;
  status(): LiveFileStatus;
}

/** What a live file logs with (a pino logger fits). */
type LogLine = (fields: Record<string, unknown>, message: string) => void;

export interface LiveFilesOptions {
  logger?: { info: LogLine; error: LogLine };
  /** Called after every reload and every refusal (metrics). */
  onStatus?: (status: LiveFileStatus) => void;
  /** ≤ 5 s keeps the promise of docs/design.md §6; the directory watch is usually faster. */
  pollMs?: number;
}

/** How long after a directory event the file is read, so an editor's write in several steps lands whole. */
const SETTLE_MS = 100;

/** The live files of one process: one poll timer for all, their statuses in one place. */
export class LiveFiles {
  private readonly checks = new Map<string, { check(): void; status(): LiveFileStatus }>();
  /** One watch per directory: several key files usually share one. */
  private readonly watchers = new Map<string, FSWatcher>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: LiveFilesOptions = {}) {
    this.timer = setInterval(() => this.checkAll(), options.pollMs ?? 1_000);
    // A live file never keeps a process (or a test) alive.
    this.timer.unref();
  }

  /** Reads `file` now (a missing or malformed file at start is a ConfigError) and keeps it current. */
  watch<T>(variable: string, file: string, parse: (text: string) => T): LiveFile<T> {
    const read = () => readFileSync(file, 'utf8');
    // `good` is the content in use; `refused` the latest content that did not parse, said once.
    let good: string;
    let refused: string | undefined;
    let value: T;
    try {
      good = read();
      value = parse(good);
    } catch (err) {
      throw new ConfigError(`${variable} (${file}) cannot be used: ${reason(err)}`);
    }
    let status: LiveFileStatus = { variable, file, ok: true };
    const report = (next: LiveFileStatus) => {
      status = next;
      this.options.onStatus?.(next);
      if (next.ok) this.options.logger?.info({ variable, file }, 'secret file reloaded');
      else this.options.logger?.error({ variable, file, error: next.error }, 'secret file refused: keeping the last good value');
    };
    const check = () => {
      let latest: string;
      try {
        latest = read();
      } catch (err) {
        // Deleted or unreadable: the last good value stays in use.
        refused = undefined;
        if (status.error !== reason(err)) report({ variable, file, ok: false, error: reason(err) });
        return;
      }
      if (latest === good) {
        if (!status.ok) report({ variable, file, ok: true });
        return;
      }
      if (latest === refused) return;
      try {
        value = parse(latest);
      } catch (err) {
        refused = latest;
        report({ variable, file, ok: false, error: reason(err) });
        return;
      }
      good = latest;
      refused = undefined;
      report({ variable, file, ok: true });
    };
    const key = `${variable}\u0000${file}`;
    this.checks.set(key, { check, status: () => status });
    this.watchDirectory(file);
    this.options.onStatus?.(status);
    return { current: () => value, status: () => status };
  }

  statuses(): LiveFileStatus[] {
    return [...this.checks.values()].map((c) => c.status());
  }

  /** Reads every file now (tests; the timer and the watch do it otherwise). */
  checkAll(): void {
    for (const { check } of this.checks.values()) check();
  }

  close(): void {
    clearInterval(this.timer);
    for (const watcher of this.watchers.values()) watcher.close();
  }

  private watchDirectory(file: string): void {
    const dir = path.dirname(path.resolve(file));
    if (this.watchers.has(dir)) return;
    let settle: NodeJS.Timeout | undefined;
    try {
      const watcher = watch(dir, { persistent: false }, () => {
        clearTimeout(settle);
        settle = setTimeout(() => this.checkAll(), SETTLE_MS);
        settle.unref();
      });
      // A directory that goes away (or a platform without watch) leaves the poll to do the job.
      watcher.on('error', () => watcher.close());
      this.watchers.set(dir, watcher);
    } catch {
      // Same: the poll alone still finds every change within pollMs.
    }
  }
}

/** An errno code (ENOENT…) says enough and holds no file content; parsers' messages hold none either. */
function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (typeof code === 'string') return code;
  return (err as Error).message.split('\n')[0] ?? 'unreadable';
}
