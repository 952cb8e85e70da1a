import type { FastifyInstance } from 'fastify';
import { MapshelfError } from '../../domain/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route takes a raw XML body (as a string). */
    xmlBody?: boolean;
  }
}

/**
 * JSON bodies: an empty body reads as no body (clients send `Content-Type: application/json`
 * on DELETE and on actions), and bad JSON is a 400 that says where it broke. XML arrives as text.
 */
export function registerJsonBody(app: FastifyInstance): void {
  // Only JSON is accepted; anything else (text/plain included) is a 415. Routes that take
  // uploads add their own parsers.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(/^application\/([\w.+-]+\+)?json\s*(;|$)/i, { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(
        new MapshelfError('invalid_json', `The request body is not valid JSON: ${(error as Error).message}.`, {
          errors: [{ location: 'body', message: (error as Error).message }],
        }),
        undefined,
      );
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
