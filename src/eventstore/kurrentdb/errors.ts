/**
 * The client's errors in the port's terms: a server that cannot be reached becomes
 * EventStoreUnavailable (answered 503 by the API, transient for projectors); everything else
 * passes through unchanged for the caller that knows what it means (append.ts turns
 * WrongExpectedVersionError into WrongExpectedRevision once it has ruled out a retried append).
 */
import { ErrorType, UnsupportedError, WrongExpectedVersionError } from '@kurrent/kurrentdb-client';
import { EventStoreUnavailable } from '../event-store.js';

/**
 * appendMany on a server without atomic multi-stream append (EventStoreDB 24, KurrentDB before
 * 25.1, as its ServerFeatures tell the client): refused, never faked with one append per stream.
 */
export class MultiStreamAppendUnsupported extends Error {
  readonly code = 'multi-stream-append-unsupported';
  constructor(options?: { cause?: unknown }) {
    super('this KurrentDB server has no atomic multi-stream append (KurrentDB 25.1 or later has it); movements over several streams cannot be stored', options);
    this.name = 'MultiStreamAppendUnsupported';
  }
}

/** The client's error types that mean "not now", not "not this". */
const unreachable = new Set<string>([ErrorType.UNAVAILABLE, ErrorType.DEADLINE_EXCEEDED, ErrorType.TIMEOUT, ErrorType.NOT_LEADER]);

/** gRPC status codes of the same: 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE. */
const unreachableStatus = new Set([4, 14]);

/**
 * Said by the Rust bridge (reads) and grpc-js when no connection could be made; they arrive as
 * unknown errors without a type the client recognises.
 */
const unreachableMessage = /unavailable|connection refused|failed to connect|connect(ion)? (error|failed|timed out)|transport error|no connection|discovery|ECONNREFUSED|ECONNRESET|deadline/i;

/** Whether the error says the server cannot be reached at the moment. */
export function isUnreachable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { type, code, message } = error as { type?: unknown; code?: unknown; message?: unknown };
  if (typeof type === 'string' && unreachable.has(type)) return true;
  if (typeof code === 'number' && unreachableStatus.has(code)) return true;
  return (type === undefined || type === ErrorType.UNKNOWN) && typeof message === 'string' && unreachableMessage.test(message);
}

/** Whether the server refused an append because a stream was not at the expected revision. */
export function isWrongExpectedVersion(error: unknown): error is WrongExpectedVersionError {
  return error instanceof WrongExpectedVersionError || (error as { type?: unknown } | undefined)?.type === ErrorType.WRONG_EXPECTED_VERSION;
}

/** Whether the error is the client's "the server does not know this call". */
export function isUnsupported(error: unknown): boolean {
  return error instanceof UnsupportedError || (error as { type?: unknown } | undefined)?.type === ErrorType.UNSUPPORTED;
}

/**
 * The port's error for a client error: unreachable servers become EventStoreUnavailable, a
 * server without multi-stream append MultiStreamAppendUnsupported; the rest is returned as it is.
 */
export function translateClientError(error: unknown, doing: string): unknown {
  if (isUnreachable(error)) return new EventStoreUnavailable(`KurrentDB cannot be reached (${doing})`, { cause: error });
  if (isUnsupported(error)) {
    return new MultiStreamAppendUnsupported({ cause: error });
  }
  return error;
}
