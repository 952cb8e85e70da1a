import type { AccountView } from '../../../domain/accounts.js';
import type { User, UserMembership } from '../../../domain/model/users.js';
import { wireRole, wireTimestamp } from '../conventions/wire.js';

/** A user's contact, as Isogeo's Contact of type `user`. */
export function userContact(user: User) {
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ') || user.username;
  return { _id: user.uid, _tag: `contact:user:${user.uid}`, name, email: user.email, type: 'user' };
}

/** A membership, as `account/memberships/` lists them: Isogeo's roles, and the workgroup by `_id` and name. */
export function presentMembership(membership: UserMembership) {
  return { role: wireRole(membership.role), group: { _id: membership.group_uid, contact: { name: membership.group_name } } };
}

/** Isogeo's User: its keys only, as the SDK builds `User(**json)` and refuses any other. */
export function presentUser({ user, account, memberships }: AccountView, include: ReadonlySet<string>) {
  return {
    ...(include.has('_abilities') && { _abilities: user.is_admin ? ['account:update', 'staff'] : ['account:update'] }),
    _created: wireTimestamp(user.created_at),
    _id: user.uid,
    _modified: wireTimestamp(user.updated_at > account.updated_at ? user.updated_at : account.updated_at),
    contact: userContact(user),
    language: account.language,
    ...(include.has('memberships') && { memberships: memberships.map(presentMembership) }),
    staff: user.is_admin,
    timezone: account.timezone,
  };
}

export const userIncludes = ['_abilities', 'memberships'] as const;
