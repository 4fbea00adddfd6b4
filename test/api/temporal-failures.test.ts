import { ServiceError } from '@temporalio/client';
import { isTemporalUnavailable } from '../../src/api/temporal-failures';

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
