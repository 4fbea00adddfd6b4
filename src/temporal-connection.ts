import { loadClientConnectConfig } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import type { Config } from './config';

/**
 * How the worker and the API reach Temporal. Temporal's standard environment configuration
 * (`TEMPORAL_API_KEY`, `TEMPORAL_TLS_*`, `TEMPORAL_PROFILE`, `TEMPORAL_CONFIG_FILE` TOML profiles)
 * supplies TLS, mTLS and API keys for a real cluster or Temporal Cloud; our config keeps the final
 * word on address and namespace so the embedded default and the tests stay simple.
 */
export function temporalConnectionOptions(config: Config, env: NodeJS.ProcessEnv = process.env): NativeConnectionOptions {
  const fromEnv = loadClientConnectConfig({ overrideEnvVars: definedOnly(env) });
  return { ...fromEnv.connectionOptions, address: config.temporal.address };
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
