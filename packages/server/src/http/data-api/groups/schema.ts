import { Type, type Static } from 'typebox';
import { idSchema } from '../conventions/ids.js';
import { memberRoles } from '../../../domain/model/groups.js';
import type { ListSpec } from '../conventions/list-spec.js';
import { descriptionText, nameText } from '../conventions/item-schema.js';

export const groupsListSpec: ListSpec = {
  name: 'groups',
  description: 'Groups of users. Memberships carry a role: admin, editor or viewer.',
  filters: {
    id: { type: 'integer', lookups: ['gt', 'gte', 'lt', 'lte'], description: 'Group id' },
    name: { type: 'string', lookups: ['iexact', 'icontains', 'startswith'], description: 'Group name' },
    created_at: { type: 'datetime', lookups: ['gt', 'gte', 'lt', 'lte'], description: 'When the group was created' },
    member: { type: 'integer', description: 'Has the user with this id as a member' },
  },
  orderings: ['id', 'name', 'created_at'],
  defaultOrdering: ['name'],
  expansions: ['list'],
};

export const membersListSpec: ListSpec = {
  name: 'group members',
  description: 'The members of one group, with their roles.',
  filters: {
    role: { type: 'enum', values: memberRoles, description: 'Role in the group' },
    user: { type: 'integer', description: 'User id' },
    username: { type: 'string', lookups: ['icontains', 'startswith'], description: 'Username' },
  },
  orderings: ['username', 'role', 'joined_at'],
  defaultOrdering: ['username'],
  // Members are listed in full already; `list` is accepted because clients send it on every list.
  expansions: ['list'],
};

const name = nameText({ minLength: 1, maxLength: 150, pattern: '\\S' });
const description = descriptionText({ maxLength: 4000 });

export const GroupCreateBody = Type.Object({ name, description: Type.Optional(description) }, { additionalProperties: false });
export const GroupUpdateBody = Type.Object(
  { name: Type.Optional(name), description: Type.Optional(description) },
  { additionalProperties: false },
);

export const MemberBody = Type.Object(
  { user: idSchema(), role: Type.Union(memberRoles.map((r) => Type.Literal(r))) },
  { additionalProperties: false },
);
export type MemberBody = Static<typeof MemberBody>;

export const MemberParams = Type.Object({ id: idSchema(), userId: idSchema() });
export const MemberRoleBody = Type.Object(
  { role: Type.Union(memberRoles.map((r) => Type.Literal(r))) },
  { additionalProperties: false },
);
