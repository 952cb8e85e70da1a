import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { validationError, type AjvError } from './error-handler.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const shared: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false };

const strict = addFormats(new Ajv({ ...shared, coerceTypes: false }));
const coercing = addFormats(new Ajv({ ...shared, coerceTypes: 'array' }));

/**
 * Two validators, both compiled when routes are registered: bodies are checked strictly
 * (a number is not a string, an unknown field is an error), while query strings, paths and
 * headers, which are text on the wire, are coerced to the declared types.
 */
/** Marks a schema that documents a request part checked elsewhere: it compiles to no validation. */
export const documentationOnly = 'x-documentation-only';

export function registerValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if ((schema as Record<string, unknown>)[documentationOnly]) return () => true;
    const ajv = httpPart === 'body' ? strict : coercing;
    return ajv.compile(schema);
  });
}

/**
 * Checks a JSON value that did not arrive as the request body (a multipart part) against a
 * schema, with the same strict rules and error shape as bodies. `context` names it: `source`.
 */
export function validatePart<S extends TSchema>(schema: S, value: unknown, context: string): Static<S> {
  const validate = strict.compile(schema);
  if (!validate(value)) throw validationError(context, validate.errors as AjvError[], 'invalid_body');
  return value as Static<S>;
}
