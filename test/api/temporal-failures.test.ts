import { ServiceError } from '@temporalio/client';
import { translateWrite } from '../../src/api/payment-commands';
import { ProblemError } from '../../src/api/problem';
import { isTemporalUnavailable } from '../../src/api/temporal-failures';
import { PaymentCommandRejected } from '../../src/api/payment-command-channel';
import { PaymentErrorType } from '../../src/workflows/messages';

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

describe('a command the payment refused', () => {
  it('is the problem of its type, with the workflow’s message', () => {
    const problem = translateWrite(new PaymentCommandRejected({ type: PaymentErrorType.REFUND_LIMIT, message: 'at most 10 refunds' }), 'retry with the same refundNo');
    expect(problem).toBeInstanceOf(ProblemError);
    expect((problem as ProblemError).toProblem()).toMatchObject({ status: 422, detail: 'at most 10 refunds' });
  });

  it('is never mistaken for an unreachable Temporal', () => {
    expect(isTemporalUnavailable(new PaymentCommandRejected({ type: PaymentErrorType.INVALID_STATE, message: 'payment is CANCELLED' }))).toBe(false);
  });
});
