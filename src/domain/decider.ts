/**
 * A decider: the whole behaviour of one aggregate as three pure functions.
 * `decide` turns a command and the current state into new events (or throws a typed DomainError);
 * `evolve` folds one event into the state; `initialState` is the state of a stream with no events.
 */
export interface Decider<Command, Event, State> {
  /** A new state of an empty stream (a function: a stream's state may be updated in place by its fold). */
  initialState(): State;
  evolve(state: State, event: Event): State;
  decide(command: Command, state: State): readonly Event[];
}

/** Folds events into a state with a decider's evolve. */
export function fold<Event, State>(
  decider: Pick<Decider<never, Event, State>, 'evolve' | 'initialState'>,
  events: Iterable<Event>,
  state: State = decider.initialState(),
): State {
  let current = state;
  for (const event of events) current = decider.evolve(current, event);
  return current;
}

/** Compile-time proof that every case of a union was handled. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
