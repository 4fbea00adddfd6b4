import { Gauge, type Registry } from 'prom-client';
import type { LiveFileStatus } from '../secrets/live-file';
import { API_KEY_ROLES, type ApiKeys, secondsUntilExpiry } from './api-keys';
import type { Clock } from './auth';

export const KEY_EXPIRY_METRIC = 'api_key_expiry_seconds';
export const SECRET_FILE_METRIC = 'secret_file_last_reload_successful';

/**
 * The API's key and secret-file gauges, computed when scraped: seconds until each API key expires
 * (by key id and role; negative once expired; keys without expiry have no series), and whether each
 * live file's latest content was taken (1) or refused while the last good one stays in use (0).
 */
export function registerSecretMetrics(registry: Registry, { keys, files, now }: { keys: ApiKeys; files: () => LiveFileStatus[]; now: Clock }): void {
  for (const name of [KEY_EXPIRY_METRIC, SECRET_FILE_METRIC]) registry.removeSingleMetric(name);
  new Gauge({
    name: KEY_EXPIRY_METRIC,
    help: 'Seconds until the API key expires, by key id (a digest prefix) and role; negative once expired',
    labelNames: ['key_id', 'role'],
    registers: [registry],
    collect() {
      this.reset();
      const nowMs = now();
      for (const role of API_KEY_ROLES) {
        for (const key of keys[role].current()) {
          const seconds = secondsUntilExpiry(key, nowMs);
          if (seconds !== undefined) this.set({ key_id: key.id, role }, seconds);
        }
      }
    },
  });
  new Gauge({
    name: SECRET_FILE_METRIC,
    help: '1 when the secret file\'s latest content is in use, 0 when it was refused and the last good content still is',
    labelNames: ['variable', 'file'],
    registers: [registry],
    collect() {
      this.reset();
      for (const status of files()) this.set({ variable: status.variable, file: status.file }, status.ok ? 1 : 0);
    },
  });
}
