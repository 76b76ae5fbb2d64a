import { describe, expect, it } from '@jest/globals';
import { fieldTarget, formErrors, parseProblem } from '../../web/src/lib/problem.js';

describe('parseProblem', () => {
  it('reads a 422 with every bad field by path', () => {
    const problem = parseProblem(422, {
      type: '/problems/validation',
      title: 'The request is not valid',
      status: 422,
      detail: 'One or more fields are invalid.',
      code: 'validation',
      errors: [
        { path: 'lines.0.sku', message: 'Required' },
        { path: 'lines.1.quantity', message: 'at most 3 decimal places' },
        { path: 'lines.1.quantity', message: 'must be more than 0' },
        { path: 'reference', message: 'Too long' },
      ],
    });
    expect(problem).toMatchObject({ status: 422, code: 'validation', title: 'The request is not valid', detail: 'One or more fields are invalid.', type: '/problems/validation', extra: {} });
    expect([...problem.errors]).toEqual([
      ['lines.0.sku', 'Required'],
      ['lines.1.quantity', 'at most 3 decimal places; must be more than 0'],
      ['reference', 'Too long'],
    ]);
  });

  it('keeps extension members, on the problem and in extra, never over the standard ones', () => {
    const problem = parseProblem(409, {
      type: '/problems/insufficient-stock',
      title: 'Insufficient stock',
      status: 409,
      detail: 'Only 3 of BOLT-M8 available at A-01-02',
      code: 'insufficient-stock',
      sku: 'BOLT-M8',
      location: 'A-01-02',
      lot: null,
      requested: 5,
      available: 3,
      line: 1,
    });
    expect(problem.extra).toEqual({ sku: 'BOLT-M8', location: 'A-01-02', lot: null, requested: 5, available: 3, line: 1 });
    expect(problem['available']).toBe(3);
    expect(problem.errors.size).toBe(0);
    const sneaky = parseProblem(409, { code: 'conflict', title: 'Conflict', extra: 'x', errors: [] });
    expect(sneaky.extra).toEqual({ extra: 'x' });
    expect(sneaky.code).toBe('conflict');
  });

  it('trusts the HTTP status over the body, and the type when code is missing', () => {
    expect(parseProblem(503, { type: '/problems/not-ready', title: 'Not ready', status: 200 })).toMatchObject({ status: 503, code: 'not-ready' });
  });

  it('still gives a problem for a body that is not one', () => {
    expect(parseProblem(502, '<html>Bad Gateway</html>', 'Bad Gateway')).toEqual({ status: 502, code: 'http-502', title: 'Bad Gateway', errors: new Map(), extra: {} });
    expect(parseProblem(500, null)).toMatchObject({ code: 'http-500', title: 'HTTP 500' });
    expect(parseProblem(422, { errors: 'not a list' })).toMatchObject({ code: 'http-422' });
    expect(parseProblem(404, {})).toMatchObject({ code: 'http-404', title: 'HTTP 404' });
  });
});

describe('field paths', () => {
  it.each([
    ['lines.0.sku', { kind: 'line', line: 0, field: 'sku' }],
    ['lines.12.quantity', { kind: 'line', line: 12, field: 'quantity' }],
    ['lines.0.serials.1', { kind: 'line', line: 0, field: 'serials' }],
    ['lines.3', { kind: 'line', line: 3, field: '' }],
    ['reference', { kind: 'form', field: 'reference' }],
    ['password', { kind: 'form', field: 'password' }],
    ['', { kind: 'form', field: '' }],
    ['linesX.0', { kind: 'form', field: 'linesX' }],
  ])('places %j', (path, target) => {
    expect(fieldTarget(path)).toEqual(target);
  });

  it('sorts a problem into form and line fields', () => {
    const errors = formErrors(
      parseProblem(422, {
        code: 'validation',
        title: 'Invalid',
        errors: [
          { path: 'lines.0.sku', message: 'unknown article' },
          { path: 'lines.0.serials.0', message: 'duplicate' },
          { path: 'lines.0.serials.2', message: 'duplicate' },
          { path: 'lines.2.location', message: 'blocked' },
          { path: 'reference', message: 'Required' },
        ],
      }),
    );
    expect(errors.form).toEqual(new Map([['reference', 'Required']]));
    expect(errors.lines).toEqual(
      new Map([
        [0, new Map([['sku', 'unknown article'], ['serials', 'duplicate']])],
        [2, new Map([['location', 'blocked']])],
      ]),
    );
  });

  it("puts insufficient stock at the line's quantity, with what is available", () => {
    const errors = formErrors(parseProblem(409, { code: 'insufficient-stock', title: 'Insufficient stock', detail: 'Only 3 available', available: 3, line: 1 }));
    expect(errors.lines.get(1)?.get('quantity')).toBe('Only 3 available');
    expect(formErrors(parseProblem(409, { code: 'insufficient-stock', title: 'Insufficient stock' })).lines.size).toBe(0);
  });
});
