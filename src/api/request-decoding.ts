import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import express, { type RequestHandler } from 'express';
import { HttpProblem } from './problem.js';

/**
 * How the bytes of a request become text, and what is refused before they do.
 *
 * Text the API stores must be what the client sent (API.md). Decoders that replace what they
 * cannot decode with U+FFFD would store something else without a word, so here nothing is
 * replaced: a body that is not UTF-8 and a query with a %-escape that is not UTF-8 are refused
 * with 400, like a path with such an escape (express's router already refuses those).
 */

/**
 * The JSON body parser's `verify`: the raw body must be UTF-8 (RFC 8259 allows nothing else for
 * JSON between systems). Other charsets are refused rather than decoded, since their decoders
 * replace what they cannot decode too. Throws a 400 problem the error handler answers as it is.
 */
export function verifyUtf8Body(_request: IncomingMessage, _response: ServerResponse, body: Buffer, encoding: string): void {
  if (encoding.toLowerCase() !== 'utf-8') {
    throw new HttpProblem(400, 'malformed-json', 'Malformed JSON', 'A JSON request body must be UTF-8.');
  }
  if (!isUtf8(body)) {
    throw new HttpProblem(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid UTF-8.');
  }
}

/**
 * express's `query parser`: the same shape as its default ("simple", node:querystring), but a
 * %-escape that is not UTF-8 throws URIError (the error handler answers 400 malformed-request)
 * instead of silently becoming U+FFFD. node:querystring catches a decoder's error and falls back
 * to its replacing decoder, so the failure is noted and thrown after parsing.
 */
export function parseQueryStrictly(query: string): querystring.ParsedUrlQuery {
  let undecodable = false;
  const parsed = querystring.parse(query, '&', '=', {
    decodeURIComponent: (text) => {
      try {
        return decodeURIComponent(text);
      } catch {
        undecodable = true;
        return text;
      }
    },
  });
  if (undecodable) throw new URIError('The query string has a %-escape that is not UTF-8.');
  return parsed;
}

const tooLarge = (): HttpProblem => new HttpProblem(413, 'payload-too-large', 'Request body too large', 'Request bodies are limited to 1 MiB.');

const unsupportedMediaType = (): HttpProblem =>
  new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', 'The API takes JSON request bodies only (Content-Type: application/json).');

/** The media types the API reads a body of. */
const jsonTypes = ['application/json', 'application/*+json'];

/** The API's paths (routing is case-sensitive, see app.ts): their bodies must be JSON. */
const apiPath = /^\/api(\/|$)/;

/**
 * Reads JSON bodies of at most `maxBytes` (express.json, checked by verifyUtf8Body), refusing a
 * larger one with 413 as soon as it is known to be larger, and closing its connection after the
 * answer, without reading the rest.
 *
 * - Under /api, a request with a body that is not JSON (another Content-Type, or none) is refused
 *   with 415 before any route sees it: express.json leaves such a body unread and the route would
 *   act on an empty one while the body still streams in. A request without a body (GET, DELETE,
 *   a POST with Content-Length: 0 such as /disable) passes whatever its Content-Type.
 * - A declared Content-Length over the limit is refused before any of the body is read: express.json
 *   alone would read and discard the whole body before answering (a declared 10 GB body held the
 *   connection until Node's request timeout), and Node would read the rest of it to keep the
 *   connection alive.
 * - `Expect: 100-continue` (the HTTP server leaves that answer to the app) gets its 100 Continue
 *   only once the declared size is acceptable, so a body that would be refused is never sent.
 * - A chunked body is counted as it arrives and refused at the first byte over the limit; the
 *   parser, which would wait for its end before reporting, is not waited for. Once the request
 *   has gone on to the routes (a body the parser left unread, outside /api), crossing the limit
 *   only stops the upload by closing the connection: the request is the routes' to answer, and
 *   calling next() again would answer it twice.
 */
export function jsonBody(maxBytes: number): RequestHandler {
  const parseJson = express.json({ limit: maxBytes, type: jsonTypes, verify: verifyUtf8Body });
  return (request, response, next) => {
    const declared = request.headers['content-length'];
    // A body is chunked or of a declared length above 0 (type-is counts Content-Length: 0 as one).
    const hasBody = request.headers['transfer-encoding'] !== undefined || Number(declared) > 0;
    if (hasBody && apiPath.test(request.path) && !request.is(jsonTypes)) {
      response.setHeader('Connection', 'close');
      next(unsupportedMediaType());
      return;
    }
    // Node has already refused a Content-Length that is not a number (400).
    if (declared !== undefined && Number(declared) > maxBytes) {
      response.setHeader('Connection', 'close');
      next(tooLarge());
      return;
    }
    if (request.headers.expect?.toLowerCase() === '100-continue') response.writeContinue();
    let refused = false;
    let passedOn = false;
    if (declared === undefined && request.headers['transfer-encoding'] !== undefined) {
      let received = 0;
      // Attached before the parser's own listener, in the same tick: both see every chunk.
      request.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received <= maxBytes || refused) return;
        refused = true;
        if (passedOn || response.headersSent) {
          // The routes have the request (a body the parser did not read): only stop the upload.
          request.socket.destroy();
          return;
        }
        response.setHeader('Connection', 'close');
        next(tooLarge());
      });
    }
    parseJson(request, response, (error?: unknown) => {
      if (refused) return;
      passedOn = true;
      next(error);
    });
  };
}
