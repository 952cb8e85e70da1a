import type { FastifyInstance, FastifyRequest } from 'fastify';
import { MapshelfError } from '../../domain/errors.js';
import { grantToken, type ClientCredentials } from '../../domain/oauth.js';
import { handleErrors, pathOf, sendError, type ErrorBody } from '../shared/errors.js';
import type { Face, FaceOptions } from '../shared/face.js';
import { registerFormBody, type FormBody } from '../shared/form-body.js';

/** RFC 6749 section 5.2's body: `{error, error_description}`, which oauthlib raises by `error`. */
const oauthErrorBody: ErrorBody = (request, error) => ({ error: error.code, error_description: error.message, request_id: request.id });

const basicPattern = /^basic\s+([A-Za-z0-9+/=_-]{1,2048})$/i;

/**
 * The client's credentials from `Authorization: Basic`, or from the form (RFC 6749 2.3.1). Any
 * other scheme is ignored: the Isogeo SDK leaks a stale `Bearer` header into its refresh requests.
 */
function clientOf(request: FastifyRequest, form: Map<string, string>): ClientCredentials | null {
  const header = request.headers.authorization?.trim();
  let basic: ClientCredentials | null = null;
  if (header !== undefined && /^basic(\s|$)/i.test(header)) {
    const decoded = basicPattern.exec(header) && Buffer.from(basicPattern.exec(header)![1]!, 'base64').toString('utf8');
    const colon = decoded ? decoded.indexOf(':') : -1;
    if (!decoded || colon <= 0) {
      throw new MapshelfError('invalid_client', "The Authorization header must be 'Basic base64(client_id:client_secret)'.", { headers: { 'WWW-Authenticate': 'Basic realm="mapshelf"' } });
    }
    basic = { clientId: decoded.slice(0, colon), clientSecret: decoded.slice(colon + 1), via: 'basic' };
  }
  const clientId = form.get('client_id');
  const clientSecret = form.get('client_secret');
  if (basic) {
    if ((clientId !== undefined && clientId !== basic.clientId) || (clientSecret !== undefined && clientSecret !== basic.clientSecret)) {
      throw new MapshelfError('invalid_request', 'The client authenticated twice, with different credentials in the Basic header and the form. Send them once.');
    }
    return basic;
  }
  if (clientId === undefined) return null;
  return { clientId, clientSecret: clientSecret ?? '', via: 'form' };
}

/** The form's fields, each once: a repeated parameter is refused (RFC 6749 3.2). */
function fieldsOf(body: unknown): Map<string, string> {
  if (body === undefined || body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new MapshelfError('invalid_request', 'Send the token request as an application/x-www-form-urlencoded form, with grant_type.');
  }
  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(body as FormBody)) {
    if (Array.isArray(value)) throw new MapshelfError('invalid_request', `The form repeats ${name}; send each parameter once.`);
    fields.set(name, value);
  }
  return fields;
}

/** OAuth2's token endpoint (RFC 6749), under /oauth/: the Metadata API's way in. */
async function oauthPlugin(app: FastifyInstance, { ctx }: FaceOptions): Promise<void> {
  handleErrors(app, oauthErrorBody);
  app.removeAllContentTypeParsers();
  registerFormBody(app);
  // RFC 6749 3.2: the token request is a form; anything else is the client's mistake, in the RFC's terms.
  app.addContentTypeParser('*', (_request, _payload, done) => done(new MapshelfError('invalid_request', 'Send the token request as an application/x-www-form-urlencoded form.'), undefined));
  app.setNotFoundHandler((request, reply) =>
    sendError(request, reply, new MapshelfError('not_found', `Nothing is at ${request.method} ${pathOf(request.url)}; the token endpoint is POST /oauth/token.`), oauthErrorBody),
  );
  // RFC 6749 5.1: tokens and errors alike are never cached.
  app.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  });
  app.post('/token', { schema: { hide: true } }, async (request) => {
    const form = fieldsOf(request.body);
    return grantToken(ctx, { client: clientOf(request, form), form });
  });
}

export const oauth: Face = {
  name: 'oauth',
  prefix: '/oauth',
  plugin: oauthPlugin,
  root: '/token',
};
