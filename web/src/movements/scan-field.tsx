import { lazy, Suspense, useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ProblemError, type Answer } from '../api/client';
import { api } from '../app/api';
import { GROUP_SEPARATOR, Gs1Error, parseScan } from '../lib/gs1';
import { createScanDetector, defaultScannerOptions } from '../lib/scanner';
import type { ScanTarget } from './lines';

type BarcodeAnswer = Answer<'/api/barcodes/{code}', 'get'>;

// The camera's code (and, inside it, the ZXing ponyfill and its wasm) loads only when a user
// turns the camera on: a form used with a keyboard-wedge scanner never fetches it.
const CameraScanner = lazy(async () => ({ default: (await import('../components/camera-scanner')).CameraScanner }));

/** What a barcode names, or undefined when nothing carries it (404). */
async function lookUp(code: string): Promise<ScanTarget | undefined> {
  try {
    const match = (await api.get<BarcodeAnswer>(`/api/barcodes/${encodeURIComponent(code)}`)) as { kind: string; article?: { sku: string }; location?: { code: string } };
    if (match.kind === 'article' && match.article) return { kind: 'article', sku: match.article.sku };
    if (match.kind === 'location' && match.location) return { kind: 'location', code: match.location.code };
    return undefined;
  } catch (error) {
    if (error instanceof ProblemError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * A scanned code as what it names: a GS1 string fills SKU (its GTIN looked up, as 14 digits or
 * as the 13-digit EAN it often is on the article), lot, expiry and serial; any other code is
 * looked up as a barcode or location code, then as a SKU.
 */
export async function resolveScan(code: string): Promise<ScanTarget> {
  const scan = parseScan(code);
  if (scan.kind === 'gs1') {
    let sku: string | undefined;
    if (scan.gtin) {
      const candidates = [scan.gtin, ...(scan.gtin.startsWith('0') ? [scan.gtin.slice(1)] : [])];
      for (const candidate of candidates) {
        const found = await lookUp(candidate);
        if (found?.kind === 'article') {
          sku = found.sku;
          break;
        }
      }
      if (sku === undefined) throw new Error(`No article carries the GTIN ${scan.gtin}.`);
    }
    return { kind: 'article', ...(sku ? { sku } : {}), ...(scan.lot ? { lot: scan.lot } : {}), ...(scan.expiry ? { expiresOn: scan.expiry } : {}), ...(scan.serial ? { serial: scan.serial } : {}) };
  }
  const found = (await lookUp(scan.plain)) ?? (scan.gtin && scan.gtin !== scan.plain ? await lookUp(scan.gtin) : undefined);
  if (found) return found;
  try {
    const article = await api.get<{ sku: string }>(`/api/articles/${encodeURIComponent(scan.plain)}`);
    return { kind: 'article', sku: article.sku };
  } catch (error) {
    if (error instanceof ProblemError && error.status === 404) throw new Error(`Nothing carries the code ${scan.plain}.`);
    throw error;
  }
}

/** Puts back what a field held before a scanner burst, through React's onChange like typing does. */
function restoreValue(field: HTMLInputElement | HTMLTextAreaElement, value: string): void {
  const setter = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(field) as object, 'value')?.set;
  setter?.call(field, value);
  field.dispatchEvent(new Event('input', { bubbles: true }));
}

/**
 * The scan field every movement form has, focused when the form opens: what it holds when Enter
 * comes (a scanner's burst, FNC1 keys kept as the group separator, or a code typed by hand), or
 * what the camera reads once "Scan with the camera" is on, is looked up and handed to `onScan`,
 * and the field empties for the next scan. A keyboard-wedge
 * burst ending in Enter anywhere else on the page (web/src/lib/scanner.ts) is taken as a scan too.
 */
export function ScanField({ onScan, hint }: { readonly onScan: (target: ScanTarget) => void; readonly hint: string }) {
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [message, setMessage] = useState<{ readonly ok: boolean; readonly text: string }>();
  const [busy, setBusy] = useState(false);
  // Scans handled so far: a test (or a curious user) sees when the last one is done.
  const [handled, setHandled] = useState(0);
  const [camera, setCamera] = useState(false);
  // Scans are handled one after the other, in the order scanned: a fast scanner sends the next
  // code before the last one's look-up has answered, and each scan builds on the last.
  const queue = useRef<Promise<void>>(Promise.resolve());

  useEffect(() => input.current?.focus(), []);

  function handle(code: string) {
    queue.current = queue.current.then(() => lookUpAndApply(code));
  }

  async function lookUpAndApply(code: string) {
    setBusy(true);
    try {
      const target = await resolveScan(code);
      onScan(target);
      setMessage({ ok: true, text: target.kind === 'location' ? `Location ${target.code}` : `Item ${target.sku ?? ''}${target.lot ? `, lot ${target.lot}` : ''}` });
    } catch (error) {
      setMessage({ ok: false, text: error instanceof Gs1Error ? `Not a valid GS1 code: ${error.message}` : error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
      setHandled((count) => count + 1);
      input.current?.focus();
    }
  }

  // A burst typed while another field or a button has the focus is a scan too (the user left the
  // focus in Quantity): its Enter must not submit the form, and its characters leave that field.
  const latestHandle = useRef(handle);
  useEffect(() => {
    latestHandle.current = handle;
  });
  useEffect(() => {
    // A little more room between keys than the default: a form re-renders on every key typed in
    // its fields, and a busy tablet then takes a burst's keys further apart.
    const detector = createScanDetector({ maxGapMs: 60 });
    // What the field held before the keys that came without a pause a person makes (300 ms): on a
    // busy machine the detector may see the burst's first keys as typing, but they are the scan's.
    let burstStart: { readonly target: EventTarget | null; readonly value: string } | undefined;
    let lastKeyAt = Number.NEGATIVE_INFINITY;
    const listener = (event: globalThis.KeyboardEvent) => {
      if (event.target === input.current) return;
      const output = detector.feed({ key: event.key, timeStamp: event.timeStamp });
      const field = event.target instanceof HTMLInputElement || event.target instanceof HTMLTextAreaElement ? event.target : undefined;
      if (event.key.length === 1) {
        if (event.timeStamp - lastKeyAt > 300 || burstStart?.target !== event.target) burstStart = { target: event.target, value: field?.value ?? '' };
        lastKeyAt = event.timeStamp;
      }
      if (output.kind !== 'scan') return;
      event.preventDefault();
      event.stopPropagation();
      let code = output.code;
      if (field && burstStart?.target === field) {
        if (field.value.startsWith(burstStart.value) && field.value.length - burstStart.value.length >= code.length) code = field.value.slice(burstStart.value.length);
        restoreValue(field, burstStart.value);
      }
      burstStart = undefined;
      latestHandle.current(code);
    };
    document.addEventListener('keydown', listener, true);
    return () => document.removeEventListener('keydown', listener, true);
  }, []);

  function keyDown(event: KeyboardEvent<HTMLInputElement>) {
    // A scanner's FNC1 key puts no character in the field: keep it as the GS1 group separator.
    if (defaultScannerOptions.separatorKeys.includes(event.key)) {
      event.preventDefault();
      setText((before) => `${before}${GROUP_SEPARATOR}`);
      return;
    }
    if (event.key !== 'Enter') return;
    // Enter here ends a scan (or a code typed by hand), never the form's submission. The field's
    // whole text is the code: on a loaded tablet a scanner's keys can come further apart than a
    // burst allows, and everything typed in this field is meant as a code anyway.
    event.preventDefault();
    const code = text.trim();
    setText('');
    if (code !== '') handle(code);
  }

  return (
    <div className="scan-field card card-body bg-body-tertiary mb-3">
      <label htmlFor="scan-code" className="form-label fw-semibold">
        <i className="bi bi-upc-scan me-2" aria-hidden="true" />
        Scan
      </label>
      <div className="input-group">
        <input
          id="scan-code"
          ref={input}
          className="form-control form-control-lg"
          autoComplete="off"
          value={text}
          aria-describedby="scan-hint scan-result"
          data-scans={handled}
          onChange={(event) => setText(event.target.value)}
          onKeyDown={keyDown}
        />
        {/* Dark, not secondary: grey on the scan card's tinted background fails WCAG AA contrast (axe). */}
        <button type="button" className="btn btn-outline-dark" aria-pressed={camera} onClick={() => setCamera(!camera)}>
          <i className={`bi bi-${camera ? 'camera-video-off' : 'camera-video'} me-1`} aria-hidden="true" />
          {camera ? 'Stop the camera' : 'Scan with the camera'}
        </button>
      </div>
      <div id="scan-hint" className="form-text">
        {hint}
      </div>
      {camera && (
        <Suspense fallback={<p className="form-text">Starting the camera…</p>}>
          <CameraScanner onScan={handle} />
        </Suspense>
      )}
      <div id="scan-result" role="status" className={`small mt-1 ${message?.ok === false ? 'text-danger' : 'text-success'}`}>
        {busy ? 'Looking up…' : message?.text}
      </div>
    </div>
  );
}
