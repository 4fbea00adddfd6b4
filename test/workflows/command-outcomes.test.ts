import { COMMAND_OUTCOMES_KEPT, outcomeOf, recordOutcome, type CommandOutcomes } from '../../src/workflows/command-outcomes';
import { PaymentErrorType, type CommandOutcome } from '../../src/workflows/messages';

const rejected = (message: string): CommandOutcome => ({ kind: 'rejected', rejection: { type: PaymentErrorType.INVALID_STATE, message } });

describe('command outcomes', () => {
  it('answers a recorded command, and null for one not answered (yet)', () => {
    const outcomes = recordOutcome([], 'c-1', rejected('payment is CANCELLED'));
    expect(outcomeOf(outcomes, 'c-1')).toEqual(rejected('payment is CANCELLED'));
    expect(outcomeOf(outcomes, 'c-2')).toBeNull();
  });

  it('keeps the first answer of a command recorded twice', () => {
    const once = recordOutcome([], 'c-1', rejected('first'));
    const twice = recordOutcome(once, 'c-1', rejected('second'));
    expect(twice).toBe(once);
    expect(outcomeOf(twice, 'c-1')).toEqual(rejected('first'));
  });

  it(`keeps the latest ${COMMAND_OUTCOMES_KEPT} answers, dropping the oldest first`, () => {
    let outcomes: CommandOutcomes = [];
    for (let i = 0; i <= COMMAND_OUTCOMES_KEPT; i += 1) outcomes = recordOutcome(outcomes, `c-${i}`, rejected(`answer ${i}`));
    expect(outcomes).toHaveLength(COMMAND_OUTCOMES_KEPT);
    expect(outcomeOf(outcomes, 'c-0')).toBeNull();
    expect(outcomeOf(outcomes, 'c-1')).toEqual(rejected('answer 1'));
    expect(outcomeOf(outcomes, `c-${COMMAND_OUTCOMES_KEPT}`)).toEqual(rejected(`answer ${COMMAND_OUTCOMES_KEPT}`));
  });
});
