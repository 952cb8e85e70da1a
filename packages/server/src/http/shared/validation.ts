import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance, FastifySchemaValidationError } from 'fastify';
import type { Static, TSchema } from 'typebox';
import { validationError, type AjvError } from './errors.js';
import { MapshelfError } from '../../domain/errors.js';
import { unsafeCharacter } from '../../domain/plain-text.js';

// ajv-formats is CommonJS with a default export.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

const shared: Options = { allErrors: true, removeAdditional: false, useDefaults: true, strict: false };

/**
 * `x-plain-text: 'line'` on a string schema refuses the characters `unsafeCharacter` finds;
 * `'multiline'` (descriptions) also lets tab, line feed and carriage return through.
 */
export const plainTextKeyword = 'x-plain-text';
/** `x-http-url: true` on a string schema takes only absolute `http:` and `https:` URLs. */
export const httpUrlKeyword = 'x-http-url';

function addTextKeywords(ajv: Ajv): Ajv {
  ajv.addKeyword({
    keyword: plainTextKeyword,
    type: 'string',
    schemaType: 'string',
    errors: true,
    validate: function check(mode: string, data: string) {
      const found = unsafeCharacter(data, mode === 'multiline' ? 'multiline' : 'line');
      if (!found) return true;
      (check as unknown as { errors: unknown[] }).errors = [
        {
          keyword: plainTextKeyword,
          params: { character: found.codePoint },
          message: `must not contain ${found.what} (${found.codePoint} at position ${found.index})${mode === 'multiline' ? '; only tab and line breaks are allowed' : ''}`,
        },
      ];
      return false;
    },
  });
  ajv.addKeyword({
    keyword: httpUrlKeyword,
    type: 'string',
    errors: true,
    validate: function check(_enabled: boolean, data: string) {
      let ok = false;
      try {
        const url = new URL(data);
        ok = (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '' && !/\s/.test(data);
      } catch {
        ok = false;
      }
      if (!ok) {
        (check as unknown as { errors: unknown[] }).errors = [
          { keyword: httpUrlKeyword, params: {}, message: 'must be an absolute http:// or https:// URL' },
        ];
      }
      return ok;
    },
  });
  return ajv;
}

const strict = addTextKeywords(addFormats(new Ajv({ ...shared, coerceTypes: false })));
const coercing = addTextKeywords(addFormats(new Ajv({ ...shared, coerceTypes: 'array' })));

/** Marks a schema that documents a request part checked elsewhere: it compiles to no validation. */
export const documentationOnly = 'x-documentation-only';

/** A path id as it must appear in a URL: digits, no sign, no leading zero, no spaces. */
const pathIdText = /^[1-9][0-9]*$/;

type Validate = ((data: unknown) => boolean) & { errors?: FastifySchemaValidationError[] | null };

/**
 * Path parameters declared as integers must be written as plain digits: ajv's coercion alone
 * would read `0x1`, `1.0`, `1e0` and ` 1` (`%201`) as 1, so one object would answer to many
 * URLs. Those are refused here, for every route at once, as the same 400 `invalid_parameter`
 * a non-number gets.
 */
function strictPathIds(schema: Record<string, unknown>, validate: Validate): Validate {
  const properties = (schema.properties ?? {}) as Record<string, { type?: unknown }>;
  const ids = Object.keys(properties).filter((name) => properties[name]!.type === 'integer');
  if (ids.length === 0) return validate;
  const checked: Validate = (data) => {
    const params = (data ?? {}) as Record<string, unknown>;
    const errors: FastifySchemaValidationError[] = ids
      .filter((name) => typeof params[name] === 'string' && !pathIdText.test(params[name]))
      .map((name) => ({ instancePath: `/${name}`, schemaPath: `#/properties/${name}`, keyword: 'pattern', params: {}, message: 'must be a whole number from 1, in plain digits' }));
    if (errors.length > 0) {
      checked.errors = errors;
      return false;
    }
    const ok = validate(data);
    checked.errors = validate.errors;
    return ok;
  };
  return checked;
}

/**
 * Two validators, both compiled when routes are registered: bodies are checked strictly
 * (a number is not a string, an unknown field is an error), while query strings, paths and
 * headers, which are text on the wire, are coerced to the declared types (path ids only from
 * plain digits).
 */
export function registerValidation(app: FastifyInstance): void {
  app.setValidatorCompiler(({ schema, httpPart }) => {
    if ((schema as Record<string, unknown>)[documentationOnly]) return () => true;
    const ajv = httpPart === 'body' ? strict : coercing;
    const validate = ajv.compile(schema) as Validate;
    return httpPart === 'params' ? strictPathIds(schema as Record<string, unknown>, validate) : validate;
  });
}

/**
 * Actions without a body schema (`…/publish/`, `…/scans/`, `…/import/`) take no fields: an
 * empty body or `{}` (which clients send), nothing else, so a field the client thinks does
 * something is not silently ignored. Uploads and raw XML bodies are read by their routes.
 * A face registers it, after checks of its own that should come first.
 */
export function registerActionBodyCheck(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const { config, schema, url } = request.routeOptions;
    if (url === undefined || schema?.body || config.upload || config.xmlBody) return;
    const body = request.body as unknown;
    if (body === undefined || body === null) return;
    if (typeof body === 'object' && !Array.isArray(body)) {
      const [field] = Object.keys(body);
      if (field === undefined) return;
      throw new MapshelfError('invalid_body', `body.${field}: this request takes no fields; send no body, or {}.`, {
        errors: [{ location: `body.${field}`, message: 'unknown field: this request takes none' }],
      });
    }
    throw new MapshelfError('invalid_body', 'This request takes no body; send none, or {}.', { errors: [{ location: 'body', message: 'takes no body' }] });
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
