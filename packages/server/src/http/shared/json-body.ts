import type { FastifyInstance } from 'fastify';
import { MapshelfError } from '../../domain/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes a raw XML body (as a string). */
    xmlBody?: boolean;
  }
}

/** How deeply arrays and objects may nest in a JSON body; deeper is a 400 before parsing. */
export const maxJsonDepth = 64;

/**
 * Where JSON text first nests deeper than `limit` arrays/objects, as a character offset, or -1.
 * A loop over the text, not a parse: it can't overflow the stack, however deep the text goes.
 * Brackets inside strings (escapes included) don't count.
 */
export function excessiveJsonDepth(text: string, limit = maxJsonDepth): number {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}

/** How deeply an already parsed value nests, counted with a stack of its own rather than by recursion; stops past `limit`. */
function valueDepthExceeds(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
  return false;
}

/** Refuses a value that a parser outside Mapshelf made (a multipart part sent as `application/json`) if it nests too deeply. */
export function checkClientJsonDepth(value: unknown, location: string): unknown {
  if (valueDepthExceeds(value, maxJsonDepth)) {
    const message = `nests arrays and objects more than ${maxJsonDepth} levels deep`;
    throw new MapshelfError('invalid_json', `${location}: refused: it ${message}.`, { errors: [{ location, message }] });
  }
  return value;
}

/**
 * Parses JSON text from a client, refusing nesting deeper than `maxJsonDepth` (which would
 * otherwise overflow the stack later, in validation or serialisation) and bad JSON, each as a
 * 400 `invalid_json` at `location`.
 */
export function parseClientJson(text: string, location = 'body'): unknown {
  const at = excessiveJsonDepth(text);
  if (at >= 0) {
    const message = `nests arrays and objects more than ${maxJsonDepth} levels deep (level ${maxJsonDepth + 1} opens at character ${at})`;
    throw new MapshelfError('invalid_json', `The request body is refused: it ${message}.`, { errors: [{ location, message }] });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    throw new MapshelfError('invalid_json', `The request body is not valid JSON: ${message}.`, { errors: [{ location, message }] });
  }
}

/**
 * JSON bodies: an empty body reads as no body (clients send `Content-Type: application/json`
 * on DELETE and on actions), and bad or too deeply nested JSON is a 400 that says where it broke. XML arrives as text.
 */
export function registerJsonBody(app: FastifyInstance): void {
  // Only JSON is accepted; anything else (text/plain included) is a 415. Routes that take
  // uploads add their own parsers.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json\s*(;|$)/i, { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseClientJson(text));
    } catch (error) {
      done(error as MapshelfError, undefined);
    }
  });
  // Metadata documents are posted as raw XML, to routes that say so; the metadata module parses it safely.
  app.addContentTypeParser(/^(application|text)\/([\w.+-]+\+)?xml\s*(;|$)/i, { parseAs: 'string', bodyLimit: 5 * 1024 * 1024 }, (request, body, done) => {
    if (request.routeOptions.config.xmlBody) return done(null, String(body));
    done(new MapshelfError('unsupported_media_type', 'Send the request body as application/json.', {
      errors: [{ location: 'header.content-type', message: 'unsupported media type' }],
    }), undefined);
  });
}
