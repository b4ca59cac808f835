// The compiled shape check of a flag (schema/flag.schema.json). Here ajv compiles the schema when
// the module loads; the build (bin/build.js) replaces this module with ajv's standalone code for
// the same schema and options, compiled once at install, because compiling ajv's meta-schemas
// and ours was most of `flags validate`'s start-up.
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { Flag } from './model.ts';

/** The ajv options, shared with the build's standalone compilation. */
export const FLAG_SHAPE_AJV_OPTIONS = { allErrors: true, strict: true } as const;

export function flagShapeValidator(schema: object): ValidateFunction<Flag> {
  return new Ajv2020(FLAG_SHAPE_AJV_OPTIONS).compile<Flag>(schema);
}
