/**
 * Tells a keyboard-wedge scanner from a person typing. A scanner "types" a whole code in a burst,
 * a few milliseconds between keys, and ends it with Enter (or Tab); a person is slower and uneven.
 * This is a pure state machine over key events ({ key, timeStamp }, as a DOM KeyboardEvent has
 * them): the screen feeds each keydown to {@link stepScanner} and acts on what comes out.
 */

/** The part of a keydown event the detector reads. */
export interface ScannerKey {
  readonly key: string;
  /** Milliseconds, as `KeyboardEvent.timeStamp`. */
  readonly timeStamp: number;
}

/** How the detector decides. */
export interface ScannerOptions {
  /** Longest gap between two keys of one scan, in ms (a person rarely types faster than ~35 ms a key). */
  readonly maxGapMs: number;
  /** Fewest characters a scan has (shorter bursts are keyboard auto-repeat or a fast double tap). */
  readonly minLength: number;
  /** Keys that end a scan. */
  readonly terminators: readonly string[];
  /**
   * Keys a scanner sends for GS1's FNC1 (the group separator), depending on its set-up: the
   * control character itself, or a function key such as "F8". Each becomes "\u001d" in the code.
   * A scanner that spells it out as text ("<GS>") is handled by parseScan's `separators`.
   */
  readonly separatorKeys: readonly string[];
}

/** Defaults that suit common wedge scanners (they send a key every 1-15 ms). */
export const defaultScannerOptions: ScannerOptions = {
  maxGapMs: 35,
  minLength: 4,
  terminators: ['Enter', 'Tab'],
  separatorKeys: ['\u001d', 'GroupSeparator', 'F8'],
};

/** What the detector has seen of the current burst. */
export interface ScannerState {
  readonly buffer: string;
  readonly lastTimeStamp: number | undefined;
}

/** The state before any key. */
export const initialScannerState: ScannerState = { buffer: '', lastTimeStamp: undefined };

/**
 * What a key turned out to be. `scan`: a code ended here (the screen should swallow this key, so
 * Enter does not submit the form). `burst`: the key may belong to a scan in progress. `typing`:
 * an ordinary key press, to be left alone.
 */
export type ScannerOutput = { readonly kind: 'scan'; readonly code: string } | { readonly kind: 'burst' } | { readonly kind: 'typing' };

const modifiers = new Set(['Shift', 'Control', 'Alt', 'AltGraph', 'Meta', 'CapsLock']);

/** The next state and what the key was, for one keydown. */
export function stepScanner(state: ScannerState, event: ScannerKey, options: ScannerOptions = defaultScannerOptions): { state: ScannerState; output: ScannerOutput } {
  // Scanners emulating a keyboard press Shift for capitals: it is part of the burst, not a break.
  if (modifiers.has(event.key)) return { state, output: state.buffer === '' ? { kind: 'typing' } : { kind: 'burst' } };
  const inBurst = state.lastTimeStamp !== undefined && event.timeStamp - state.lastTimeStamp <= options.maxGapMs;
  if (options.terminators.includes(event.key)) {
    if (inBurst && state.buffer.length >= options.minLength) return { state: initialScannerState, output: { kind: 'scan', code: state.buffer } };
    return { state: initialScannerState, output: { kind: 'typing' } };
  }
  const character = options.separatorKeys.includes(event.key) ? '\u001d' : event.key.length === 1 ? event.key : undefined;
  // Any other key (Backspace, arrows, ...) is a person at work.
  if (character === undefined) return { state: initialScannerState, output: { kind: 'typing' } };
  const buffer = inBurst ? state.buffer + character : character;
  return { state: { buffer, lastTimeStamp: event.timeStamp }, output: buffer.length > 1 ? { kind: 'burst' } : { kind: 'typing' } };
}

/**
 * For scanners set up without a terminator: the code of a burst that has gone quiet for longer
 * than `maxGapMs` at `now`, if it is long enough. Call it from a timer after the last key.
 */
export function flushScanner(state: ScannerState, now: number, options: ScannerOptions = defaultScannerOptions): { state: ScannerState; code?: string } {
  if (state.lastTimeStamp === undefined || now - state.lastTimeStamp <= options.maxGapMs) return { state };
  if (state.buffer.length >= options.minLength) return { state: initialScannerState, code: state.buffer };
  return { state: initialScannerState };
}

/** A detector with its state held inside, for a screen's keydown handler. */
export interface ScanDetector {
  /** Feeds one keydown; returns what it was. */
  feed(event: ScannerKey): ScannerOutput;
  /** {@link flushScanner} on the held state. */
  flush(now: number): string | undefined;
}

/** Makes a {@link ScanDetector}; `options` override the defaults one by one. */
export function createScanDetector(options: Partial<ScannerOptions> = {}): ScanDetector {
  const settings: ScannerOptions = { ...defaultScannerOptions, ...options };
  let state = initialScannerState;
  return {
    feed(event) {
      const next = stepScanner(state, event, settings);
      state = next.state;
      return next.output;
    },
    flush(now) {
      const next = flushScanner(state, now, settings);
      state = next.state;
      return next.code;
    },
  };
}
