import { z } from 'zod';
import { countedSchema, isPrintable, locationCodeSchema, paginationSchema, skuSchema, stringSchema, textSchema, wholeNumberSchema } from './common.js';

const barcodeSchema = stringSchema().regex(/^[A-Za-z0-9._/-]{1,64}$/, 'must be 1 to 64 of A-Z, a-z, 0-9, ".", "_", "/", "-"');

/** POST /api/articles. */
export const newArticleSchema = z.strictObject({
  sku: skuSchema,
  name: textSchema(200),
  unit: textSchema(20),
  tracking: z.enum(['none', 'lot', 'serial']),
  barcode: barcodeSchema.optional(),
  reorderPoint: countedSchema.optional(),
  reorderQuantity: countedSchema.optional(),
  shelfLifeDays: wholeNumberSchema(36_500).optional(),
});

/** PATCH /api/articles/:sku: the fields that may change. */
export const articleChangesSchema = z
  .strictObject({
    name: textSchema(200).optional(),
    barcode: barcodeSchema.optional(),
    reorderPoint: countedSchema.optional(),
    reorderQuantity: countedSchema.optional(),
    shelfLifeDays: wholeNumberSchema(36_500).optional(),
  })
  .refine((changes) => Object.values(changes).some((value) => value !== undefined), 'name at least one field to change');

/** A SKU in a path. */
export const skuParams = z.strictObject({ sku: skuSchema });

/** GET /api/articles. */
export const articleListQuery = z.object({ search: stringSchema().max(100).refine(isPrintable, 'must not contain control characters').optional(), ...paginationSchema });

/** POST /api/locations. */
export const newLocationSchema = z.strictObject({
  code: locationCodeSchema,
  name: textSchema(200).optional(),
  parent: locationCodeSchema.optional(),
  type: z.enum(['warehouse', 'storage', 'receiving', 'shipping', 'returns', 'quarantine']),
});

/** A location code in a path. */
export const locationParams = z.strictObject({ code: locationCodeSchema });

/** POST /api/locations/:code/block. */
export const blockSchema = z.strictObject({ reason: textSchema(500).optional() }).optional();

/** GET /api/locations. */
export const locationListQuery = z.object({ ...paginationSchema });

/** A barcode in a path. */
export const barcodeParams = z.strictObject({ code: barcodeSchema });

/** An article as the API shows it (quantities in units). */
export const articleSchema = z.object({
  sku: z.string(),
  name: z.string(),
  unit: z.string(),
  tracking: z.enum(['none', 'lot', 'serial']),
  barcode: z.string().nullable(),
  reorderPoint: z.number().nullable(),
  reorderQuantity: z.number().nullable(),
  shelfLifeDays: z.number().nullable(),
  archived: z.boolean(),
});
