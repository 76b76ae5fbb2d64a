import { describe, expect, it } from '@jest/globals';
import { refusalProblem } from '../../src/api/refusals.js';
import { InvalidCursor } from '../../src/projections/cursor.js';

describe('refusals are mapped by class', () => {
  it("answers the cursor module's InvalidCursor with 422 on cursor", () => {
    expect(refusalProblem(new InvalidCursor('not JSON'))).toMatchObject({ status: 422, code: 'validation', errors: [{ path: 'cursor', message: 'is not valid' }] });
  });

  it('leaves an error that only has the same name to the 500 answer', () => {
    const impostor = new Error('something else broke');
    impostor.name = 'InvalidCursor';
    expect(refusalProblem(impostor)).toBeUndefined();
  });
});
