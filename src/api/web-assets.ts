import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type RequestHandler, type Router } from 'express';

/** Hashed by Vite (name-<hash>.js): a file under /assets/ never changes, so it may be kept a year. */
const immutableAssets = 'public, max-age=31536000, immutable';

/**
 * Paths that belong to the API and the probes: never answered with the dashboard. Whatever their
 * case, like securityHeaders' no-store paths: /API/unknown is a mistyped API path (404
 * problem+json), not a deep link of the dashboard.
 */
const serverPaths = /^\/(api(\/|$)|healthz$|readyz$)/i;

/** What `/` says when the service was built without the dashboard (`npm run build:server`). */
const notBuilt = 'The dashboard is not built. Run `npm run build` to build it, then restart the service.\n';

/**
 * Where `npm run build` writes the dashboard: dist/web under the project root, found by walking
 * up from this file to package.json, so that it is the same folder whether the service runs from
 * source (tsx, src/api) or from the build (dist/src/api).
 */
export function defaultWebRoot(): string {
  let directory = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(directory, 'package.json'))) {
    const parent = path.dirname(directory);
    if (parent === directory) break;
    directory = parent;
  }
  return path.join(directory, 'dist', 'web');
}

/**
 * Serves the built dashboard from `root`: its files (hashed /assets/ cached for a year, anything
 * else revalidated every time), and index.html for every other GET outside the API and the
 * probes, so that a deep link such as /stock?sku=BOLT loads the app that then routes it. A
 * missing file under /assets/ stays a 404: an old index.html asking for a replaced bundle must
 * fail visibly, not receive HTML as JavaScript. Mounted after the API routes.
 */
export function webAssets(root: string): Router {
  const router = express.Router();
  const index = path.join(root, 'index.html');
  router.use(
    express.static(root, {
      index: false,
      // A dot file (a stray .env) is never served.
      dotfiles: 'ignore',
      setHeaders: (response, filePath) => {
        const underAssets = path.relative(path.join(root, 'assets'), filePath);
        const hashed = !underAssets.startsWith('..') && !path.isAbsolute(underAssets);
        response.setHeader('Cache-Control', hashed ? immutableAssets : 'no-cache');
      },
    }),
  );
  const fallback: RequestHandler = (request, response, next) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || serverPaths.test(request.path) || request.path.startsWith('/assets/')) {
      next();
      return;
    }
    // Looked up on each request: a `npm run build` while the service runs is picked up.
    if (!existsSync(index)) {
      response.status(404).type('text/plain').setHeader('Cache-Control', 'no-cache').send(notBuilt);
      return;
    }
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile(index, (error) => {
      if (error) next(error);
    });
  };
  router.use(fallback);
  return router;
}
