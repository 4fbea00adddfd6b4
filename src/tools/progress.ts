/**
 * A one-line progress bar for long runs (chaos, bench) on a TTY; on a pipe (CI) it prints a line
 * every 10% instead, so logs stay readable.
 */
export interface Progress {
  tick(n?: number, note?: string): void;
  done(note?: string): void;
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  let count = 0;
  let lastDecile = -1;
  const started = Date.now();
  const render = (note = '') => {
    const ratio = total > 0 ? Math.min(1, count / total) : 1;
    const elapsed = ((Date.now() - started) / 1000).toFixed(1);
    if (stream.isTTY) {
      const width = 30;
      const filled = Math.round(ratio * width);
      stream.write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count}/${total} ${elapsed}s ${note}`.padEnd(100));
    } else {
      const decile = Math.floor(ratio * 10);
      if (decile !== lastDecile) {
        lastDecile = decile;
        stream.write(`${label}: ${count}/${total} (${decile * 10}%) ${elapsed}s ${note}\n`);
      }
    }
  };
  return {
    tick(n = 1, note) {
      count += n;
      render(note);
    },
    done(note) {
      render(note);
      if (stream.isTTY) stream.write('\n');
    },
  };
}

/** Nearest-rank percentile of a sample (ms); undefined for an empty sample. */
export function percentile(sample: number[], p: number): number | undefined {
  if (sample.length === 0) return undefined;
  const sorted = [...sample].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1];
}
