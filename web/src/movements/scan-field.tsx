import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { ProblemError, type Answer } from '../api/client';
import { api } from '../app/api';
import { Gs1Error, parseScan } from '../lib/gs1';
import { createScanDetector } from '../lib/scanner';
import type { ScanTarget } from './lines';

type BarcodeAnswer = Answer<'/api/barcodes/{code}', 'get'>;

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

/**
 * The scan field every movement form has, focused when the form opens: a keyboard-wedge burst
 * ended by Enter (web/src/lib/scanner.ts, FNC1 keys kept as the group separator) or a code typed
 * by hand and Enter is looked up and handed to `onScan`; the field empties for the next scan.
 */
export function ScanField({ onScan, hint }: { readonly onScan: (target: ScanTarget) => void; readonly hint: string }) {
  const detector = useRef(createScanDetector());
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState('');
  const [message, setMessage] = useState<{ readonly ok: boolean; readonly text: string }>();
  const [busy, setBusy] = useState(false);

  useEffect(() => input.current?.focus(), []);

  async function handle(code: string) {
    setBusy(true);
    try {
      const target = await resolveScan(code);
      onScan(target);
      setMessage({ ok: true, text: target.kind === 'location' ? `Location ${target.code}` : `Item ${target.sku ?? ''}${target.lot ? `, lot ${target.lot}` : ''}` });
    } catch (error) {
      setMessage({ ok: false, text: error instanceof Gs1Error ? `Not a valid GS1 code: ${error.message}` : error instanceof Error ? error.message : String(error) });
    } finally {
      setBusy(false);
      input.current?.focus();
    }
  }

  function keyDown(event: KeyboardEvent<HTMLInputElement>) {
    const output = detector.current.feed({ key: event.key, timeStamp: event.timeStamp });
    if (event.key !== 'Enter' && output.kind !== 'scan') return;
    // Enter here is a scan, never the form's submission.
    event.preventDefault();
    const code = output.kind === 'scan' ? output.code : text.trim();
    setText('');
    if (code !== '') void handle(code);
  }

  return (
    <div className="scan-field card card-body bg-body-tertiary mb-3">
      <label htmlFor="scan-code" className="form-label fw-semibold">
        <i className="bi bi-upc-scan me-2" aria-hidden="true" />
        Scan
      </label>
      <input
        id="scan-code"
        ref={input}
        className="form-control form-control-lg"
        autoComplete="off"
        value={text}
        aria-describedby="scan-hint scan-result"
        onChange={(event) => setText(event.target.value)}
        onKeyDown={keyDown}
      />
      <div id="scan-hint" className="form-text">
        {hint}
      </div>
      <div id="scan-result" role="status" className={`small mt-1 ${message?.ok === false ? 'text-danger' : 'text-success'}`}>
        {busy ? 'Looking up…' : message?.text}
      </div>
    </div>
  );
}
