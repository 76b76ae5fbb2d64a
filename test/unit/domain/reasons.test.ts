import { describe, expect, it } from '@jest/globals';
import { adjustmentSchema, returnSchema } from '../../../src/api/schemas/movements.js';
import { adjustmentReasons, returnReasons } from '../../../src/domain/stock/events.js';
import { eventDataSchemas } from '../../../src/events/schemas.js';

// The reasons are listed once, in the domain: the stored events and the API accept exactly those.
describe('return and adjustment reasons', () => {
  it('the event schemas and the API schemas offer exactly the domain lists', () => {
    expect(eventDataSchemas.StockReturned.shape.reason.options).toEqual([...returnReasons]);
    expect(eventDataSchemas.StockAdjusted.shape.reason.options).toEqual([...adjustmentReasons]);
    expect(returnSchema.shape.reason.options).toEqual([...returnReasons]);
    expect(adjustmentSchema.shape.reason.options).toEqual([...adjustmentReasons]);
  });
});
