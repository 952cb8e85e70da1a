import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { DomainContext } from '../../../domain/context.js';
import { MapshelfError } from '../../../domain/errors.js';
import type { Scope } from '../../../domain/scopes.js';
import { authenticate } from '../../../domain/tokens.js';
import { registerTokenAuth } from '../../shared/token-auth.js';

const headerPattern = /^key\s+([\x21-\x7e]{1,512})$/i;
/** Bearer is another face's scheme; a caller who sends it here is told which one this face takes. */
const bearerPattern = /^bearer(\s|$)/i;

function tokenFrom(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = headerPattern.exec(header.trim());
  if (!match) {
    const detail = bearerPattern.test(header.trim())
      ? "The Data API does not take Bearer tokens (those are the Metadata API's): send an API token as 'Authorization: key <token>'."
      : "The Authorization header must be 'key <token>'.";
    throw new MapshelfError('invalid_authorization_header', detail, {
      errors: [{ location: 'header.authorization', message: "expected 'key <token>'" }],
      headers: { 'WWW-Authenticate': 'key' },
    });
  }
  return match[1]!;
}

/** A 403 for a token holding none of `accepted`, which `Accepted-OAuth-Scopes` and `required_scopes` name. */
export function missingScope(accepted: readonly Scope[], detail: string): MapshelfError {
  return new MapshelfError('invalid_token_scope', detail, {
    headers: { 'Accepted-OAuth-Scopes': accepted.join(', ') },
    extra: { required_scopes: accepted },
  });
}

/**
 * The Data API's tokens: `Authorization: key <token>`, with `OAuth-Scopes` on every
 * authenticated response.
 */
export function registerAuth(app: FastifyInstance, ctx: DomainContext): void {
  registerTokenAuth(app, {
    tokenFrom,
    authenticate: (token) => authenticate(ctx, token),
    required: () =>
      new MapshelfError('authentication_required', "This route needs an API token: send 'Authorization: key <token>'.", {
        headers: { 'WWW-Authenticate': 'key' },
      }),
    missingScope: (accepted) => {
      const names = accepted.map((s) => `"${s}"`).join(' or ');
      return missingScope(accepted, `The token lacks the ${names} scope this route needs. Create a token with it.`);
    },
  });

  app.addHook('onSend', async (request, reply) => {
    if (request.actor?.kind === 'user') reply.header('OAuth-Scopes', request.actor.scopes.join(' '));
  });
}
