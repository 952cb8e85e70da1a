import type { Token } from '../../../domain/model/tokens.js';
import type { PresentContext } from '../conventions/present.js';
import { apiPath } from '../conventions/urls.js';

export function presentTokenSummary(token: Token, ctx: PresentContext) {
  return { id: token.id, url: ctx.urlFor(apiPath('tokens', token.id)), name: token.name, key_hint: token.key_hint };
}

export function presentToken(token: Token, ctx: PresentContext) {
  return {
    ...presentTokenSummary(token, ctx),
    scope: token.scope,
    created_at: token.created_at,
    expires_at: token.expires_at,
    last_used_at: token.last_used_at,
    user: { id: token.user_id, url: ctx.urlFor(apiPath('users', token.user_id)) },
  };
}
