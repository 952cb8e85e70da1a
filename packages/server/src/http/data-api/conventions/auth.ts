import type { FastifyInstance, FastifyRequest } from 'fastify';
import { anonymous, hasScope, type Actor } from '../../../domain/actor.js';
import type { DomainContext } from '../../../domain/context.js';
import { MapshelfError } from '../../../domain/errors.js';
import type { Scope } from '../../../domain/scopes.js';
import { authenticate } from '../../../domain/tokens.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The token scope the route needs; of a list, any one of them. */
    scope?: Scope | readonly Scope[];
    /**
     * `required` (the default): a valid token with `scope`. `optional`: anonymous callers get in
     * (the domain decides what they see), signed-in ones still need `scope`. `public`: no checks.
     */
    auth?: 'required' | 'optional' | 'public';
  }
  interface FastifyRequest {
    actor: Actor;
  }
}

const headerPattern = /^key\s+([\x21-\x7e]{1,512})$/i;
/** Bearer is another face's scheme; a caller who sends it here is told which one this face takes. */
const bearerPattern = /^bearer(\s|$)/i;

function tokenFrom(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  const match = headerPattern.exec(header.trim());
  if (!match) {
    const detail = bearerPattern.test(header.trim())
      ? "The Data API does not take Bearer tokens: send the same token as 'Authorization: key <token>'."
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
 * Authentication and scope checks, once for every route, before the body is read: finds the
 * actor from `Authorization: key <token>`, refuses what the route's `auth` and `scope` don't
 * allow, and answers `OAuth-Scopes` on every authenticated response.
 */
export function registerAuth(app: FastifyInstance, ctx: DomainContext): void {
  app.decorateRequest('actor', null as never);

  app.addHook('onRequest', async (request) => {
    request.actor = anonymous;
    const token = tokenFrom(request);
    if (token !== null) request.actor = await authenticate(ctx, token);

    // Unmatched URLs have no route options: they fall through to the 404/redirect handler.
    if (request.routeOptions.url === undefined) return;
    const { auth = 'required', scope } = request.routeOptions.config;
    if (auth === 'public') return;
    if (request.actor.kind === 'anonymous') {
      if (auth === 'optional') return;
      throw new MapshelfError('authentication_required', "This route needs an API token: send 'Authorization: key <token>'.", {
        headers: { 'WWW-Authenticate': 'key' },
      });
    }
    const accepted: readonly Scope[] = scope === undefined ? [] : typeof scope === 'string' ? [scope] : scope;
    const actor = request.actor;
    if (accepted.length > 0 && !accepted.some((s) => hasScope(actor, s))) {
      const names = accepted.map((s) => `"${s}"`).join(' or ');
      throw missingScope(accepted, `The token lacks the ${names} scope this route needs. Create a token with it.`);
    }
  });

  app.addHook('onSend', async (request, reply) => {
    if (request.actor?.kind === 'user') reply.header('OAuth-Scopes', request.actor.scopes.join(' '));
  });
}
