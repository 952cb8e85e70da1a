import { Type, type Static } from 'typebox';
import type { ListSpec } from '../conventions/list-spec.js';
import { nameText } from '../conventions/item-schema.js';

const ordered = ['gt', 'gte', 'lt', 'lte'] as const;

export const usersListSpec: ListSpec = {
  name: 'users',
  description: 'Users of this site. Site admins see everyone; others see themselves and the members of their groups.',
  filters: {
    id: { type: 'integer', lookups: ordered, description: 'User id' },
    username: { type: 'string', lookups: ['iexact', 'icontains', 'startswith'], description: 'Username' },
    email: { type: 'string', lookups: ['iexact', 'icontains', 'isnull'], description: 'Email address' },
    first_name: { type: 'string', lookups: ['icontains'], description: 'First name' },
    last_name: { type: 'string', lookups: ['icontains'], description: 'Last name' },
    is_admin: { type: 'boolean', description: 'Site admin' },
    is_active: { type: 'boolean', description: 'Active (deactivated users cannot sign in)' },
    date_joined: { type: 'datetime', lookups: ordered, description: 'When the user was created' },
    group: { type: 'integer', description: 'Member of the group with this id' },
  },
  orderings: ['id', 'username', 'first_name', 'last_name', 'date_joined'],
  defaultOrdering: ['username'],
  expansions: ['list'],
};

const username = Type.String({ pattern: '^[A-Za-z0-9_.@+-]{1,150}$', description: 'Letters, digits and _.@+- only' });
const email = Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()]);
const name = nameText({ maxLength: 150 });

export const UserCreateBody = Type.Object(
  {
    username,
    email: Type.Optional(email),
    first_name: Type.Optional(name),
    last_name: Type.Optional(name),
    is_admin: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UserCreateBody = Static<typeof UserCreateBody>;

export const UserUpdateBody = Type.Object(
  {
    username: Type.Optional(username),
    email: Type.Optional(email),
    first_name: Type.Optional(name),
    last_name: Type.Optional(name),
    is_admin: Type.Optional(Type.Boolean()),
    is_active: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
export type UserUpdateBody = Static<typeof UserUpdateBody>;
