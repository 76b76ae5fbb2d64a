import { describe, expect, it } from '@jest/globals';
import { createScanDetector, defaultScannerOptions, flushScanner, initialScannerState, stepScanner, type ScannerKey, type ScannerOutput } from '../../web/src/lib/scanner.js';

/** Key events for `text`, `gapMs` apart from `start`, then `end` (Enter unless null). */
function keys(text: string, gapMs: number, start = 1000, end: string | null = 'Enter'): ScannerKey[] {
  const events = [...text].map((key, index) => ({ key, timeStamp: start + index * gapMs }));
  if (end !== null) events.push({ key: end, timeStamp: start + text.length * gapMs });
  return events;
}

function feedAll(events: readonly ScannerKey[], options: Parameters<typeof createScanDetector>[0] = {}): ScannerOutput[] {
  const detector = createScanDetector(options);
  return events.map((event) => detector.feed(event));
}

const scans = (outputs: readonly ScannerOutput[]): string[] => outputs.flatMap((output) => (output.kind === 'scan' ? [output.code] : []));

describe('keyboard-wedge scanner detection', () => {
  it('takes a fast burst ended by Enter for a scan, and only the Enter is the scan', () => {
    const outputs = feedAll(keys('4006381333931', 8));
    expect(scans(outputs)).toEqual(['4006381333931']);
    expect(outputs.at(-1)).toEqual({ kind: 'scan', code: '4006381333931' });
    expect(outputs[0]).toEqual({ kind: 'typing' });
    expect(outputs[1]).toEqual({ kind: 'burst' });
  });

  it('takes a Tab-ended burst for a scan too', () => {
    expect(scans(feedAll(keys('A-01-02', 10, 0, 'Tab')))).toEqual(['A-01-02']);
  });

  it('leaves human typing alone (keys 120 ms apart), Enter included', () => {
    const outputs = feedAll(keys('BOLT-M8', 120));
    expect(scans(outputs)).toEqual([]);
    expect(outputs.at(-1)).toEqual({ kind: 'typing' });
  });

  it('uses the threshold: 35 ms apart is a scan, 36 ms is not', () => {
    expect(scans(feedAll(keys('12345', 35)))).toEqual(['12345']);
    expect(scans(feedAll(keys('12345', 36)))).toEqual([]);
  });

  it('needs the minimum length, so a quick double key and Enter is not a scan', () => {
    expect(scans(feedAll(keys('12', 5)))).toEqual([]);
    expect(scans(feedAll(keys('1234', 5)))).toEqual(['1234']);
    expect(scans(feedAll(keys('12', 5), { minLength: 2 }))).toEqual(['12']);
  });

  it('needs the Enter itself to come fast: a burst then a late Enter is typing', () => {
    const events = keys('4006381333931', 8, 1000, null);
    events.push({ key: 'Enter', timeStamp: 1000 + 13 * 8 + 500 });
    expect(scans(feedAll(events))).toEqual([]);
  });

  it('starts afresh when a person types before the scanner fires', () => {
    const events = [...keys('ab', 200, 0, null), ...keys('09506000134352', 6, 2000)];
    expect(scans(feedAll(events))).toEqual(['09506000134352']);
  });

  it('ignores the Shift a scanner presses for capitals, but not Backspace', () => {
    const events: ScannerKey[] = [
      { key: 'Shift', timeStamp: 0 },
      { key: 'S', timeStamp: 3 },
      { key: 'Shift', timeStamp: 6 },
      { key: 'N', timeStamp: 9 },
      { key: '-', timeStamp: 12 },
      { key: '1', timeStamp: 15 },
      { key: 'Enter', timeStamp: 18 },
    ];
    expect(scans(feedAll(events))).toEqual(['SN-1']);
    const corrected = [...events.slice(0, 5), { key: 'Backspace', timeStamp: 14 }, { key: '1', timeStamp: 15 }, { key: 'Enter', timeStamp: 18 }];
    expect(scans(feedAll(corrected))).toEqual([]);
  });

  it('turns the FNC1 key (the control character, or F8 as configured) into the group separator', () => {
    const events: ScannerKey[] = [...keys('0109506000134352' + '10L1', 5, 0, null), { key: 'F8', timeStamp: 100 }, ...keys('21S', 5, 105)];
    expect(scans(feedAll(events))).toEqual(['010950600013435210L1\u001d21S']);
    const control: ScannerKey[] = [...keys('10L1', 5, 0, null), { key: '\u001d', timeStamp: 20 }, ...keys('21S', 5, 25)];
    expect(scans(feedAll(control))).toEqual(['10L1\u001d21S']);
    const custom: ScannerKey[] = [...keys('10L1', 5, 0, null), { key: 'F9', timeStamp: 20 }, ...keys('21SN1', 5, 25)];
    expect(scans(feedAll(custom, { separatorKeys: ['F9'] }))).toEqual(['10L1\u001d21SN1']);
    expect(scans(feedAll(custom))).toEqual(['21SN1']); // F9 is not a separator by default: it breaks the burst
  });

  it('reads two scans in a row, and is configurable per scanner', () => {
    const events = [...keys('A-01-02', 5, 0), ...keys('4006381333931', 5, 500)];
    expect(scans(feedAll(events))).toEqual(['A-01-02', '4006381333931']);
    expect(scans(feedAll(keys('12345', 50), { maxGapMs: 60 }))).toEqual(['12345']);
    expect(scans(feedAll(keys('12345', 5, 0, 'F2'), { terminators: ['F2'] }))).toEqual(['12345']);
  });

  it('flushes a burst that went quiet, for scanners without a terminator', () => {
    let state = initialScannerState;
    for (const event of keys('4006381333931', 5, 0, null)) state = stepScanner(state, event).state;
    expect(flushScanner(state, 70).code).toBeUndefined(); // 10 ms after the last key: maybe more to come
    const flushed = flushScanner(state, 200);
    expect(flushed.code).toBe('4006381333931');
    expect(flushed.state).toEqual(initialScannerState);
    const detector = createScanDetector({ minLength: 20 });
    for (const event of keys('4006381333931', 5, 0, null)) detector.feed(event);
    expect(detector.flush(500)).toBeUndefined();
    expect(defaultScannerOptions.maxGapMs).toBe(35);
  });
});
