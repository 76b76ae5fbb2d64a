import * as grpc from '@grpc/grpc-js';

/** The RPCs whose answer to a stored write a test can make the stand-in lose. */
export type WritingRpc = 'Streams.Append' | 'Streams.BatchAppend' | 'StreamsService.AppendSession';

/**
 * Faults a test injects into the stand-in. Only one today: an answer lost after the write was
 * stored, as when a connection or the HTTP/2 session breaks between the server's commit and its
 * reply (a leader stepping down, a load balancer closing the connection, a reset session). The
 * write is in the log; the client gets UNAVAILABLE, as grpc-js reports a broken connection, and
 * cannot know whether it was stored. The stand-in ends only the call, not the connection; a TCP
 * proxy that cuts the connection is the other way (test/integration/kurrentdb-session-reset.test.ts).
 */
export class StandInFaults {
  private readonly pending = new Map<WritingRpc, number>();
  private lost = 0;

  /** The next `count` stored writes of `rpc` are answered UNAVAILABLE instead of with their outcome. */
  loseNextAnswers(rpc: WritingRpc, count = 1): void {
    this.pending.set(rpc, (this.pending.get(rpc) ?? 0) + count);
  }

  /** How many answers were lost so far. */
  get answersLost(): number {
    return this.lost;
  }

  /** For the handlers: whether the answer to the write just stored must be lost (and counts it). */
  takeLostAnswer(rpc: WritingRpc): boolean {
    const left = this.pending.get(rpc) ?? 0;
    if (left <= 0) return false;
    this.pending.set(rpc, left - 1);
    this.lost += 1;
    return true;
  }
}

/** The status a lost answer ends its call with. */
export const lostAnswer: Partial<grpc.StatusObject> = {
  code: grpc.status.UNAVAILABLE,
  details: 'Connection dropped (KurrentDB stand-in: the write was stored and its answer lost on purpose)',
};
