import type { FastifyInstance, FastifyRequest } from 'fastify';
import { anonymous, hasScope, type Actor } from '../../domain/actor.js';
import type { MapshelfError } from '../../domain/errors.js';
import type { Scope } from '../../domain/scopes.js';

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

/** How one face reads and checks its tokens. */
export interface TokenScheme {
  /** The token in the request's Authorization header, or null when there is none; throws for a malformed or foreign scheme. */
  tokenFrom(request: FastifyRequest): string | null;
  authenticate(token: string): Promise<Actor>;
  /** The 401 for an anonymous caller on a route that needs a token. */
  required(): MapshelfError;
  /** The 403 for a token holding none of `accepted`. */
  missingScope(accepted: readonly Scope[]): MapshelfError;
}

/**
 * Authentication and scope checks, once for every route of a face, before the body is read:
 * finds the actor from the face's scheme, and refuses what the route's `auth` and `scope` don't allow.
 */
export function registerTokenAuth(app: FastifyInstance, scheme: TokenScheme): void {
  app.decorateRequest('actor', null as never);

  app.addHook('onRequest', async (request) => {
    request.actor = anonymous;
    const token = scheme.tokenFrom(request);
    if (token !== null) request.actor = await scheme.authenticate(token);

    // Unmatched URLs have no route options: they fall through to the face's not-found handler.
    if (request.routeOptions.url === undefined) return;
    const { auth = 'required', scope } = request.routeOptions.config;
    if (auth === 'public') return;
    if (request.actor.kind === 'anonymous') {
      if (auth === 'optional') return;
      throw scheme.required();
    }
    const accepted: readonly Scope[] = scope === undefined ? [] : typeof scope === 'string' ? [scope] : scope;
    const actor = request.actor;
    if (accepted.length > 0 && !accepted.some((s) => hasScope(actor, s))) throw scheme.missingScope(accepted);
  });
}
