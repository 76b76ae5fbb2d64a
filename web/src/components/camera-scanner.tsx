import { useEffect, useRef, useState } from 'react';

/** What a detector gives for one frame (the part of the Barcode Detection API used here). */
interface Detected {
  readonly rawValue: string;
}

interface Detector {
  detect(source: HTMLVideoElement): Promise<readonly Detected[]>;
}

/** The symbologies a warehouse meets: retail EAN/UPC, GS1-128 on cartons, DataMatrix and QR on labels. */
const formats = ['ean_13', 'ean_8', 'upc_a', 'upc_e', 'code_128', 'code_39', 'itf', 'data_matrix', 'qr_code'];

/** How often a frame is looked at: often enough to feel instant, rarely enough for a tablet's CPU. */
const scanIntervalMs = 150;

/**
 * The browser's own BarcodeDetector where it has one that reads our formats, else the
 * `barcode-detector` ponyfill (ZXing in WebAssembly). Both the ponyfill and its wasm are
 * imported here, dynamically, so they load only on screens that scan; the wasm is a Vite asset
 * served from our origin (CSP connect-src 'self'; warehouses can be offline), never the CDN the
 * package would use by default.
 */
async function createDetector(): Promise<Detector> {
  const native = (globalThis as { BarcodeDetector?: { new (options: { formats: string[] }): Detector; getSupportedFormats(): Promise<string[]> } }).BarcodeDetector;
  if (native) {
    const supported = await native.getSupportedFormats();
    const wanted = formats.filter((format) => supported.includes(format));
    if (wanted.length > 0) return new native({ formats: wanted });
  }
  const [{ BarcodeDetector, prepareZXingModule }, { default: wasmUrl }] = await Promise.all([import('barcode-detector/ponyfill'), import('zxing-wasm/reader/zxing_reader.wasm?url')]);
  prepareZXingModule({ overrides: { locateFile: (file: string, prefix: string) => (file.endsWith('.wasm') ? wasmUrl : prefix + file) }, fireImmediately: true });
  return new BarcodeDetector({ formats: formats as never });
}

/** Why the camera is not scanning, in words a warehouse user can act on. */
function cameraProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError') return 'The browser was not allowed to use the camera. Allow it in the site settings, or type or scan the code instead.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError') return 'No camera was found on this device. Type or scan the code instead.';
  if (name === 'NotReadableError') return 'The camera is in use by another application.';
  return `The camera could not start (${error instanceof Error ? error.message : String(error)}).`;
}

/**
 * Camera scanning for any screen: shows the camera (the back one on a tablet), looks for a
 * barcode a few times a second and calls `onScan` with its text once per code seen (the same
 * code again only after another was seen or `repeatAfterMs` passed), so a form can take many
 * scans in a row. The camera is released when the component goes away.
 */
export function CameraScanner({ onScan, repeatAfterMs = 2_000 }: { readonly onScan: (code: string) => void; readonly repeatAfterMs?: number }) {
  const video = useRef<HTMLVideoElement>(null);
  const latest = useRef(onScan);
  const [status, setStatus] = useState<'starting' | 'scanning' | 'failed'>('starting');
  const [problem, setProblem] = useState('');

  useEffect(() => {
    latest.current = onScan;
  }, [onScan]);

  useEffect(() => {
    let stopped = false;
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last = { code: '', at: 0 };

    async function start() {
      try {
        const [detector, media] = await Promise.all([createDetector(), navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false })]);
        stream = media;
        const element = video.current;
        if (stopped || !element) return;
        element.srcObject = media;
        await element.play();
        setStatus('scanning');
        const look = async () => {
          if (stopped) return;
          try {
            if (element.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) {
              const [found] = await detector.detect(element);
              const now = Date.now();
              if (found && !stopped && (found.rawValue !== last.code || now - last.at > repeatAfterMs)) {
                last = { code: found.rawValue, at: now };
                latest.current(found.rawValue);
              }
            }
          } catch {
            // One unreadable frame is no reason to stop: the next one may be sharp.
          }
          if (!stopped) timer = setTimeout(() => void look(), scanIntervalMs);
        };
        void look();
      } catch (error) {
        if (!stopped) {
          setStatus('failed');
          setProblem(cameraProblem(error));
        }
      }
    }

    void start();
    return () => {
      stopped = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((track) => track.stop());
    };
  }, [repeatAfterMs]);

  return (
    <div className="camera-scanner">
      {status === 'failed' ? (
        <div className="alert alert-warning" role="alert">
          <i className="bi bi-camera-video-off me-2" aria-hidden="true" />
          {problem}
        </div>
      ) : (
        <>
          <video ref={video} className="camera-scanner-video rounded border bg-dark" muted playsInline aria-label="Camera view for scanning" />
          <p className="form-text" role="status">
            {status === 'starting' ? 'Starting the camera…' : 'Hold the barcode in front of the camera.'}
          </p>
        </>
      )}
    </div>
  );
}
