import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import querystring from 'node:querystring';
import type { RequestHandler } from 'express';
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

/**
 * Answers a request that declares a body over `maxBytes` with 413 at once, and closes the
 * connection after the answer. The body is never read: otherwise the JSON parser would read and
 * discard all of it before answering (a declared 10 GB body held the connection until Node's
 * request timeout), and Node would read the rest of it to keep the connection alive. A request
 * that asks `Expect: 100-continue` (the HTTP server leaves that answer to the app) is told to go
 * on only here, once its declared size is known to be acceptable.
 */
export function refuseDeclaredOversizedBody(maxBytes: number): RequestHandler {
  return (request, response, next) => {
    const declared = request.headers['content-length'];
    // Node has already refused a Content-Length that is not a number (400).
    if (declared === undefined || Number(declared) <= maxBytes) {
      if (request.headers.expect?.toLowerCase() === '100-continue') response.writeContinue();
      next();
      return;
    }
    response.setHeader('Connection', 'close');
    next(new HttpProblem(413, 'payload-too-large', 'Request body too large', 'Request bodies are limited to 1 MiB.'));
  };
}
