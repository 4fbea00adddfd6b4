import { Connection } from '@temporalio/client';

/**
 * A client connection to a Temporal that is down or frozen, for tests of the API's 503 path.
 * Without gRPC retries: the SDK's retry interceptor re-sends refused calls from timers, and a timer
 * that fires after the test closed the connection throws "Channel has been shut down" into
 * whichever test file the jest worker runs next.
 */
export function unreachableTemporal(address: string): Connection {
  return Connection.lazy({ address, interceptors: [] });
}
