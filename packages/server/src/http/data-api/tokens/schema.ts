import { Type, type Static } from 'typebox';
import { idSchema } from '../conventions/ids.js';
import type { ListSpec } from '../conventions/list-spec.js';
import { nameText } from '../conventions/item-schema.js';

const ordered = ['gt', 'gte', 'lt', 'lte'] as const;

export const tokensListSpec: ListSpec = {
  name: 'tokens',
  description: 'API tokens: your own, or everyone\'s for site admins. Secrets are never shown again after creation.',
  filters: {
    id: { type: 'integer', description: 'Token id' },
    name: { type: 'string', lookups: ['iexact', 'icontains'], description: 'Token name' },
    user: { type: 'integer', description: 'Owner user id' },
    created_at: { type: 'datetime', lookups: ordered, description: 'When the token was created' },
    expires_at: { type: 'datetime', lookups: [...ordered, 'isnull'], description: 'When the token expires (null: never)' },
    last_used_at: { type: 'datetime', lookups: [...ordered, 'isnull'], description: 'When the token was last used' },
  },
  orderings: ['id', 'name', 'created_at', 'expires_at', 'last_used_at'],
  defaultOrdering: ['-created_at'],
  expansions: ['list'],
};

export const TokenCreateBody = Type.Object(
  {
    name: nameText({ maxLength: 200 }),
    scope: Type.String({ minLength: 1, maxLength: 2000, description: 'Space-separated scopes, e.g. "layers:read exports:read"' }),
    expires_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
    user: Type.Optional(idSchema({ description: 'Create the token for this user (site admins)' })),
    // The old Koordinates token API sent referrers; Mapshelf has no referrer restriction, so only an empty list is meaningful.
    referrers: Type.Optional(Type.Union([Type.Array(Type.String(), { maxItems: 0 }), Type.Null()])),
  },
  { additionalProperties: false },
);
export type TokenCreateBody = Static<typeof TokenCreateBody>;
