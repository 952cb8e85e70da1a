import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DomainContext } from '../../../domain/context.js';
import { MapshelfError } from '../../../domain/errors.js';
import { authenticateBearer } from '../../../domain/oauth.js';
import { registerTokenAuth } from '../../shared/token-auth.js';

const bearerPattern = /^bearer\s+([\x21-\x7e]{1,512})$/i;
/** `key` is the Data API's scheme; a caller who sends it here is told which one this face takes. */
const keyPattern = /^key(\s|$)/i;
const challenge = { 'WWW-Authenticate': 'Bearer realm="mapshelf"' };

function tokenFrom(request: FastifyRequest): string | null {
  const header = request.headers.authorization?.trim();
  if (header === undefined) return null;
  const match = bearerPattern.exec(header);
  if (match) return match[1]!;
  const detail = keyPattern.test(header)
    ? "The Metadata API does not take the Data API's key tokens: get an access token from POST /oauth/token, and send it as 'Authorization: Bearer <token>'."
    : "The Authorization header must be 'Bearer <token>', with an access token from POST /oauth/token.";
  throw new MapshelfError('invalid_authorization_header', detail, {
    errors: [{ location: 'header.authorization', message: "expected 'Bearer <token>'" }],
    headers: challenge,
  });
}

/** The Metadata API's tokens: OAuth2 Bearer access tokens (RFC 6750). */
export function registerBearerAuth(app: FastifyInstance, ctx: DomainContext): void {
  registerTokenAuth(app, {
    tokenFrom,
    authenticate: (token) => authenticateBearer(ctx, token),
    required: () =>
      new MapshelfError('authentication_required', "This route needs an access token: get one from POST /oauth/token, and send it as 'Authorization: Bearer <token>'.", {
        headers: challenge,
      }),
    missingScope: (accepted) =>
      new MapshelfError('invalid_token_scope', `The access token lacks the ${accepted.map((s) => `"${s}"`).join(' or ')} scope this route needs.`, {
        headers: { 'WWW-Authenticate': `Bearer realm="mapshelf", error="insufficient_scope", scope="${accepted.join(' ')}"` },
        extra: { required_scopes: accepted },
      }),
  });
}
