/**
 * The sandbox's timers (auto-pay, refund completion, notification retries). They are
 * unref'd so a forgotten sandbox never keeps a process alive, and all cancelled by `cancelAll`.
 */
export class Scheduler {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  after(delayMs: number, task: () => void | Promise<void>): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void task();
    }, Math.max(0, delayMs));
    timer.unref();
    this.timers.add(timer);
  }

  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }

  cancelAll(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }
}
