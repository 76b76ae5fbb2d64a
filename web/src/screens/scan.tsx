import { Fragment, lazy, Suspense, useState, type FormEvent } from 'react';
import { useLocation } from 'wouter';
import { ProblemError } from '../api/client';
import { api } from '../app/api';
import { formatDate } from '../lib/format';
import { Gs1Error, parseScan, type ScanResult } from '../lib/gs1';

// The camera's code loads when the camera is turned on, not with the first screen.
const CameraScanner = lazy(async () => ({ default: (await import('../components/camera-scanner')).CameraScanner }));

/** What GET /api/barcodes/:code answers (API.md: Catalog). */
type BarcodeMatch = { readonly kind: 'article'; readonly article: { readonly sku: string } } | { readonly kind: 'location'; readonly location: { readonly code: string } };

/** What a scan told us: where it leads, or why it leads nowhere. */
type Outcome = { readonly kind: 'idle' } | { readonly kind: 'looking'; readonly code: string } | { readonly kind: 'unknown'; readonly code: string; readonly message: string };

/**
 * The codes to ask the server for, best first. A GS1 (01) GTIN is 14 digits while articles
 * usually carry the 13 printed under an EAN-13, so the GTIN without its leading zero is asked
 * for too; a plain code is asked for as scanned.
 */
export function lookupCodes(scan: ScanResult, raw: string): string[] {
  const gtin = scan.gtin;
  const codes = scan.kind === 'plain' ? [scan.plain] : [];
  if (gtin) codes.push(gtin, ...(gtin.startsWith('0') ? [gtin.slice(1)] : []), ...(gtin.startsWith('00') ? [gtin.slice(2)] : []));
  if (scan.kind === 'gs1' && scan.sscc) codes.push(scan.sscc);
  if (codes.length === 0) codes.push(raw.trim());
  return [...new Set(codes)];
}

/** The URL of what a barcode names: an article's detail (with the scanned lot) or a location's contents. */
export function targetOf(match: BarcodeMatch, scan: ScanResult | undefined): string {
  if (match.kind === 'location') return `/locations?code=${encodeURIComponent(match.location.code)}`;
  const lot = scan?.kind === 'gs1' ? scan.lot : undefined;
  return `/articles/${encodeURIComponent(match.article.sku)}${lot ? `?lot=${encodeURIComponent(lot)}` : ''}`;
}

async function findMatch(codes: readonly string[]): Promise<BarcodeMatch | undefined> {
  for (const code of codes) {
    try {
      return await api.get<BarcodeMatch>(`/api/barcodes/${encodeURIComponent(code)}`);
    } catch (error) {
      if (!(error instanceof ProblemError && error.status === 404)) throw error;
    }
  }
  return undefined;
}

/** The GS1 data a scan carried besides its GTIN, so the user sees what the label says. */
function ScanDetails({ scan }: { readonly scan: ScanResult }) {
  if (scan.kind !== 'gs1') return null;
  const rows: [string, string][] = [];
  if (scan.gtin) rows.push(['GTIN', scan.gtin]);
  if (scan.lot) rows.push(['Lot', scan.lot]);
  if (scan.expiry) rows.push(['Expiry', formatDate(scan.expiry, navigator.languages)]);
  if (scan.serial) rows.push(['Serial', scan.serial]);
  if (scan.sscc) rows.push(['SSCC', scan.sscc]);
  if (rows.length === 0) return null;
  return (
    <dl className="row mb-0 mt-2">
      {rows.map(([term, value]) => (
        <Fragment key={term}>
          <dt className="col-4 col-sm-3">{term}</dt>
          <dd className="col-8 col-sm-9 mb-1 font-monospace">{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}

/**
 * "Scan": looks up any code (a keyboard-wedge scanner types it into the focused field and ends
 * it with Enter; the camera reads it too) with GET /api/barcodes/:code, GS1 element strings
 * parsed first, and jumps to what it names.
 */
export function ScanScreen() {
  const [, navigate] = useLocation();
  const [code, setCode] = useState('');
  const [camera, setCamera] = useState(false);
  const [outcome, setOutcome] = useState<Outcome>({ kind: 'idle' });
  const [scan, setScan] = useState<ScanResult>();

  async function lookUp(raw: string) {
    const text = raw.trim();
    if (!text) return;
    setOutcome({ kind: 'looking', code: text });
    let parsed: ScanResult | undefined;
    try {
      parsed = parseScan(text);
    } catch (error) {
      // Not a valid GS1 string: it may still be a location code or an internal label.
      if (!(error instanceof Gs1Error)) throw error;
    }
    setScan(parsed);
    try {
      const match = await findMatch(parsed ? lookupCodes(parsed, text) : [text]);
      if (match) navigate(targetOf(match, parsed));
      else setOutcome({ kind: 'unknown', code: text, message: `No article or location carries the code ${text}.` });
    } catch (error) {
      setOutcome({ kind: 'unknown', code: text, message: error instanceof Error ? error.message : String(error) });
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    void lookUp(code);
  }

  return (
    <section className="scan-screen">
      <h1 className="h3">Scan</h1>
      <p className="text-body-secondary">Scan or type a barcode, a GS1 label or a location code to open what it names.</p>
      <form onSubmit={submit} className="mb-3 scan-form">
        <label htmlFor="scan-code" className="form-label">
          Code
        </label>
        <div className="input-group">
          <input id="scan-code" className="form-control form-control-lg font-monospace" value={code} onChange={(event) => setCode(event.target.value)} autoFocus autoComplete="off" spellCheck={false} enterKeyHint="search" aria-describedby="scan-code-help" />
          <button type="submit" className="btn btn-primary" disabled={outcome.kind === 'looking'}>
            <i className="bi bi-search me-1" aria-hidden="true" />
            Look up
          </button>
        </div>
        <div id="scan-code-help" className="form-text">
          A scanner types the code here and presses Enter for you.
        </div>
      </form>
      <div role="status" aria-live="polite">
        {outcome.kind === 'looking' && (
          <p>
            <span className="spinner-border spinner-border-sm me-2" aria-hidden="true" />
            Looking up <span className="font-monospace">{outcome.code}</span>…
          </p>
        )}
        {outcome.kind === 'unknown' && (
          <div className="alert alert-warning">
            {outcome.message}
            {scan && <ScanDetails scan={scan} />}
          </div>
        )}
      </div>
      <button type="button" className="btn btn-outline-secondary mb-3" aria-pressed={camera} onClick={() => setCamera(!camera)}>
        <i className={`bi bi-${camera ? 'camera-video-off' : 'camera-video'} me-1`} aria-hidden="true" />
        {camera ? 'Stop the camera' : 'Scan with the camera'}
      </button>
      {camera && (
        <Suspense fallback={<p className="form-text">Starting the camera…</p>}>
          <CameraScanner
            onScan={(scanned) => {
              setCode(scanned);
              void lookUp(scanned);
            }}
          />
        </Suspense>
      )}
    </section>
  );
}
