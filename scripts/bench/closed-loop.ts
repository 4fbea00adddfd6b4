/**
 * Runs `count` tasks with at most `concurrency` in flight, each slot starting its next task as
 * soon as the last one ends (a closed loop, as a shop backend with a fixed number of workers).
 * Returns the wall time from the first start to the last end.
 */
export async function runClosedLoop(count: number, concurrency: number, task: (index: number) => Promise<void>): Promise<number> {
  let next = 0;
  const started = performance.now();
  const slot = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await task(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, slot));
  return performance.now() - started;
}
