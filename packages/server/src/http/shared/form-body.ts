import type { FastifyInstance } from 'fastify';

/** A form body's fields: one value, or the values of a field sent more than once, in order. */
export type FormBody = Record<string, string | string[]>;

/** Forms are a few fields (a token request, a licence): more than this is not one. */
const formLimit = 64 * 1024;

/**
 * `application/x-www-form-urlencoded` bodies, for the faces that take them (OAuth2's token
 * endpoint; the Metadata API's licences, catalogs and specifications), as a null-prototype
 * object: a field named `__proto__` is a field like any other.
 */
export function registerFormBody(app: FastifyInstance): void {
  app.addContentTypeParser(/^application\/x-www-form-urlencoded\s*(;|$)/i, { parseAs: 'string', bodyLimit: formLimit }, (_request, body, done) => {
    const fields: FormBody = Object.create(null) as FormBody;
    for (const [name, value] of new URLSearchParams(String(body))) {
      const seen = fields[name];
      fields[name] = seen === undefined ? value : Array.isArray(seen) ? [...seen, value] : [seen, value];
    }
    done(null, fields);
  });
}
