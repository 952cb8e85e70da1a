import type { UserDetail } from '../../../domain/users.js';
import type { User } from '../../../domain/model/users.js';
import type { PresentContext } from '../conventions/present.js';
import { apiPath } from '../conventions/urls.js';

export function presentUserSummary(user: Pick<User, 'id' | 'username' | 'first_name' | 'last_name'>, ctx: PresentContext) {
  return {
    id: user.id,
    url: ctx.urlFor(apiPath('users', user.id)),
    username: user.username,
    first_name: user.first_name,
    last_name: user.last_name,
  };
}

export function presentUser({ user, memberships }: UserDetail, ctx: PresentContext) {
  return {
    ...presentUserSummary(user, ctx),
    email: user.email,
    is_admin: user.is_admin,
    is_active: user.is_active,
    date_joined: user.created_at,
    updated_at: user.updated_at,
    groups: memberships.map((m) => ({
      id: m.group_id,
      url: ctx.urlFor(apiPath('groups', m.group_id)),
      name: m.group_name,
      role: m.role,
    })),
  };
}
