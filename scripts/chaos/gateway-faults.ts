import type { FaultsUpdate } from '../../src/sandbox/faults';
import type { HttpClient } from './http';
import type { Prng } from './prng';

/**
 * Gateway weather for the sandbox (`PUT /sandbox/faults`, docs/design.md §5). The driver changes it at
 * seeded intervals while payments run, so every kind of payment meets every kind of fault:
 * dropped, duplicated, delayed (hence reordered) notifications; 5xx; latency; timeouts after
 * commit; responses and notifications signed with a foreign key.
 */
export const GATEWAY_WEATHER = {
  calm: { dropNotifications: 0, duplicateNotifications: 0, delayNotificationsMs: 0, errorRate: 0, latencyMs: 0, timeoutRate: 0, badSignatureRate: 0, refundDelayMs: 200 },
  lossy: { dropNotifications: 0.5, duplicateNotifications: 0.3, delayNotificationsMs: 2_000, errorRate: 0.05, latencyMs: 20, timeoutRate: 0.02, badSignatureRate: 0.05, refundDelayMs: 1_500 },
  flaky: { dropNotifications: 0.2, duplicateNotifications: 0.2, delayNotificationsMs: 500, errorRate: 0.2, latencyMs: 100, timeoutRate: 0.05, badSignatureRate: 0.05, refundDelayMs: 500 },
  storm: { dropNotifications: 0.8, duplicateNotifications: 0.5, delayNotificationsMs: 4_000, errorRate: 0.3, latencyMs: 250, timeoutRate: 0.1, badSignatureRate: 0.1, refundDelayMs: 3_000 },
} as const satisfies Record<string, Required<Omit<FaultsUpdate, 'autoPayAfterMs'>>>;

export type Weather = keyof typeof GATEWAY_WEATHER;

export async function setWeather(sandbox: HttpClient, weather: Weather): Promise<void> {
  const answer = await sandbox.request('PUT', '/sandbox/faults', GATEWAY_WEATHER[weather]);
  if (answer.status !== 200) throw new Error(`PUT /sandbox/faults answered ${answer.status}: ${answer.text.slice(0, 200)}`);
}

/** Changes the weather every few seconds until stopped; returns how long each weather lasted. */
export function startWeather(sandbox: HttpClient, prng: Prng, gapMs: [number, number]) {
  const seconds: Record<string, number> = {};
  let stopped = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (!stopped) {
      const weather = prng.weighted<Weather>({ calm: 1, lossy: 3, flaky: 3, storm: 2 });
      await setWeather(sandbox, weather);
      const span = prng.int(gapMs[0], gapMs[1]);
      const started = Date.now();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, span);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      seconds[weather] = (seconds[weather] ?? 0) + (Date.now() - started) / 1000;
    }
  })();
  return {
    seconds,
    async stop(): Promise<void> {
      stopped = true;
      wake?.();
      await loop;
    },
  };
}
