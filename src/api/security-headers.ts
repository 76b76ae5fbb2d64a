import type { RequestHandler } from 'express';

/**
 * The Content-Security-Policy of every answer. It is written for the dashboard (Vite + React +
 * Bootstrap) served from this same origin: Vite emits scripts and styles as files, so nothing
 * inline is ever needed, and an injected `<script>` or inline handler has nowhere to run.
 */
export const contentSecurityPolicy = [
  // Anything not named below: this origin only.
  "default-src 'self'",
  // The bundle's own files. 'wasm-unsafe-eval' lets the barcode detector compile its WebAssembly;
  // it allows no eval() of strings and no inline script.
  "script-src 'self' 'wasm-unsafe-eval'",
  // Bootstrap's and the bundle's CSS files. React's style props and Popper set styles through
  // the CSSOM, which style-src does not govern, so no 'unsafe-inline' is needed.
  "style-src 'self'",
  // Bootstrap's CSS draws its icons (checkboxes, selects, the navbar toggler) as data: SVGs; a
  // camera frame or a chart exported in the page is a blob: URL.
  "img-src 'self' data: blob:",
  // Vite inlines small assets (fonts of an icon set among them) as data: URLs.
  "font-src 'self' data:",
  // The API and its event stream (/api/live) are on this origin; nothing else is called. The
  // barcode detector's .wasm is fetched too: it must be served from here, not from a CDN.
  "connect-src 'self'",
  // The wasm barcode detector runs in a worker, loaded from a file or built from a blob: URL.
  "worker-src 'self' blob:",
  // No plugins (Flash, Java applets and the like) ever.
  "object-src 'none'",
  // No other site may frame the dashboard (clickjacking); X-Frame-Options says it to old browsers.
  "frame-ancestors 'none'",
  // An injected <base> could redirect every relative script URL; the dashboard has none.
  "base-uri 'none'",
  // Forms post to this origin only, so an injected form cannot send a password elsewhere.
  "form-action 'self'",
].join('; ');

/** How long a browser keeps to HTTPS once it has seen Strict-Transport-Security: a year. */
const hstsMaxAgeSeconds = 365 * 24 * 3600;

/**
 * Paths whose answers carry credentials, tenant data or live state: never stored by a cache.
 * Matched whatever their case: routing is case-sensitive (app.ts), so /API/users reaches no API
 * route and is answered 404, but should a route ever match it, its answer is still not stored.
 */
const uncachedPaths = /^\/(api(\/|$)|healthz$|readyz$)/i;

/**
 * Sets the security headers of every answer (errors and 404s included): no MIME sniffing, no
 * referrer, the CSP above and its X-Frame-Options twin for old browsers, `Cache-Control:
 * no-store` on the API (a route may set its own instead), and Strict-Transport-Security when the
 * request came over HTTPS, directly or through a proxy that `trust proxy` believes (req.secure).
 * HSTS over plain HTTP would be ignored by browsers and would lie about the deployment.
 */
export function securityHeaders(): RequestHandler {
  return (request, response, next) => {
    response.setHeader('X-Content-Type-Options', 'nosniff');
    response.setHeader('Referrer-Policy', 'no-referrer');
    response.setHeader('Content-Security-Policy', contentSecurityPolicy);
    response.setHeader('X-Frame-Options', 'DENY');
    response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    if (uncachedPaths.test(request.path)) response.setHeader('Cache-Control', 'no-store');
    // No includeSubDomains: the base domain may be shared with hosts this service does not serve.
    if (request.secure) response.setHeader('Strict-Transport-Security', `max-age=${hstsMaxAgeSeconds}`);
    next();
  };
}
