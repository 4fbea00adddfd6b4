import type { Config } from '../config';
import { type ApiKey, expiringApiKeys, parseApiKeyFile, parseApiKeyList } from '../secrets/api-key-list';
import type { LiveFiles } from '../secrets/live-file';
import type { ApiKeySource } from './auth';

/** The API's two key sets. */
export interface ApiKeys {
  merchant: ApiKeySource;
  operator: ApiKeySource;
}

export const API_KEY_ROLES = ['merchant', 'operator'] as const;

type KeyConfig = Pick<Config, 'apiKeys' | 'operatorApiKeys' | 'apiKeyFiles'>;

/** Each set from its file (API_KEYS_FILE, OPERATOR_API_KEYS_FILE), re-read live, or its environment list. */
export function apiKeysFromConfig(config: KeyConfig, files: LiveFiles): ApiKeys {
  const source = (variable: string, file: string | undefined, list: string[]): ApiKeySource => {
    if (file) return files.watch(variable, file, parseApiKeyFile);
    const keys = parseApiKeyList(list);
    return { current: () => keys };
  };
  return {
    merchant: source('API_KEYS_FILE', config.apiKeyFiles.merchant, config.apiKeys),
    operator: source('OPERATOR_API_KEYS_FILE', config.apiKeyFiles.operator, config.operatorApiKeys),
  };
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * Warns of keys expiring within 7 days (and of expired ones still listed), each key at most once a
 * day; the caller runs the returned check periodically (server.ts: every minute and at start).
 */
export function createExpiryWarnings(keys: ApiKeys, logger: { warn: (fields: Record<string, unknown>, message: string) => void }): (nowMs: number) => void {
  const warnedAt = new Map<string, number>();
  return (nowMs) => {
    for (const role of API_KEY_ROLES) {
      for (const key of expiringApiKeys(keys[role].current(), nowMs)) {
        const last = warnedAt.get(key.id);
        if (last !== undefined && nowMs - last < DAY_MS) continue;
        warnedAt.set(key.id, nowMs);
        logger.warn({ keyId: key.id, role, expiresAt: expiresAt(key), secondsLeft: secondsUntilExpiry(key, nowMs) }, expiryMessage(key, nowMs));
      }
    }
  };
}

export function secondsUntilExpiry(key: ApiKey, nowMs: number): number | undefined {
  return key.expiresAtMs === undefined ? undefined : Math.round((key.expiresAtMs - nowMs) / 1000);
}

const expiresAt = (key: ApiKey) => (key.expiresAtMs === undefined ? undefined : new Date(key.expiresAtMs).toISOString());

const expiryMessage = (key: ApiKey, nowMs: number) =>
  key.expiresAtMs! <= nowMs ? 'API key has expired and is refused: remove it from its list' : 'API key expires within 7 days: rotate it';
