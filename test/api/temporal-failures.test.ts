import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { translateWrite } from '../../src/api/payment-commands';
import { ProblemError } from '../../src/api/problem';
import { isTemporalUnavailable, isUnprocessedUpdate } from '../../src/api/temporal-failures';

/** gRPC status codes are a fixed standard. */
const status = { DEADLINE_EXCEEDED: 4, NOT_FOUND: 5, INVALID_ARGUMENT: 3, RESOURCE_EXHAUSTED: 8, FAILED_PRECONDITION: 9, UNAVAILABLE: 14 };

function grpcError(code: number, details: string): Error {
  return Object.assign(new Error(details), { code, details, metadata: {} });
}

describe('isTemporalUnavailable', () => {
  it.each([
    ['UNAVAILABLE', status.UNAVAILABLE],
    ['DEADLINE_EXCEEDED', status.DEADLINE_EXCEEDED],
    ['RESOURCE_EXHAUSTED', status.RESOURCE_EXHAUSTED],
    ['FAILED_PRECONDITION (workflow task in failed state)', status.FAILED_PRECONDITION],
  ])('treats %s as transient (→ 503)', (_name, code) => {
    expect(isTemporalUnavailable(new ServiceError('call failed', { cause: grpcError(code, 'x') }))).toBe(true);
  });

  it.each([
    ['NOT_FOUND', status.NOT_FOUND],
    ['INVALID_ARGUMENT', status.INVALID_ARGUMENT],
  ])('treats %s as a real answer', (_name, code) => {
    expect(isTemporalUnavailable(new ServiceError('call failed', { cause: grpcError(code, 'x') }))).toBe(false);
  });
});

describe('an update no worker processed', () => {
  // What the server answers (failure type UnprocessedUpdate) when a worker completed its task without the update.
  const unprocessed = () =>
    new WorkflowUpdateFailedError(
      'Workflow Update failed',
      ApplicationFailure.create({ type: 'UnprocessedUpdate', message: "Workflow Update is rejected because it wasn't processed by worker.", nonRetryable: true }),
    );

  it('is a 503 that says nothing was applied and to send the same request again, never a 500', () => {
    expect(isUnprocessedUpdate(unprocessed())).toBe(true);
    const problem = translateWrite(unprocessed(), 'retry with the same refundNo');
    expect(problem).toBeInstanceOf(ProblemError);
    expect((problem as ProblemError).toProblem()).toMatchObject({ status: 503, outcome: 'not-started', detail: expect.stringMatching(/nothing was applied/) });
  });

  it('leaves the workflow’s own rejections to their problems', () => {
    const rejected = new WorkflowUpdateFailedError('Workflow Update failed', ApplicationFailure.create({ type: 'REFUND_LIMIT', message: 'at most 10 refunds' }));
    expect(isUnprocessedUpdate(rejected)).toBe(false);
  });
});
