/**
 * The JSON form of recorded histories (test/workflows/histories/*.json). protobufjs' own object
 * form (enum names, string longs, base64 bytes) round-trips exactly; the SDK's historyToJSON trips
 * over two protobufjs copies in this dependency tree ("type must be a Type").
 */
import { temporal } from '@temporalio/proto';

type History = temporal.api.history.v1.History;
const { History } = temporal.api.history.v1;

export interface StoredHistory {
  workflowId: string;
  history: Record<string, unknown>;
}

export function historyToStoredJson(history: History | temporal.api.history.v1.IHistory): Record<string, unknown> {
  return History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String });
}

export function historyFromStoredJson(stored: StoredHistory): { workflowId: string; history: History } {
  return { workflowId: stored.workflowId, history: History.fromObject(stored.history) };
}
