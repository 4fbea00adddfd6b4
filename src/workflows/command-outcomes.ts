/**
 * The payment's answers to the commands it received (cancel, refund, review), kept so the caller
 * can read its answer back (`getCommandOutcome`): plain data and pure functions. Bounded: the API
 * reads an answer within seconds, so only the latest answers are kept, carried across
 * continue-as-new.
 */
import type { CommandOutcome } from './messages';

/** Far more than the commands that can be in flight at once; old answers are dropped first. */
export const COMMAND_OUTCOMES_KEPT = 64;

/** `[commandId, outcome]`, oldest first. */
export type CommandOutcomes = ReadonlyArray<readonly [string, CommandOutcome]>;

export function outcomeOf(outcomes: CommandOutcomes, commandId: string): CommandOutcome | null {
  return outcomes.find(([id]) => id === commandId)?.[1] ?? null;
}

/** Records the answer to `commandId`; a command answered already keeps its first answer. */
export function recordOutcome(outcomes: CommandOutcomes, commandId: string, outcome: CommandOutcome): CommandOutcomes {
  if (outcomeOf(outcomes, commandId)) return outcomes;
  return [...outcomes, [commandId, outcome] as const].slice(-COMMAND_OUTCOMES_KEPT);
}
