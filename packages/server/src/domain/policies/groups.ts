import { isSiteAdmin, type Actor } from '../actor.js';

export type GroupAction = 'view' | 'create' | 'update' | 'delete' | 'manage-members';

/**
 * Users see only the groups they belong to (and so only their fellow members); site admins see
 * every group, create and delete them; a group's own admins may rename it and manage its
 * members. `roleInGroup` is the actor's role there, if any. (`group.everyone` is a permission
 * principal, not a group: it has no members to list.)
 */
export function canGroup(actor: Actor, action: GroupAction, roleInGroup: string | null): boolean {
  if (actor.kind !== 'user') return false;
  if (isSiteAdmin(actor)) return true;
  switch (action) {
    case 'view':
      return roleInGroup !== null;
    case 'update':
    case 'manage-members':
      return roleInGroup === 'admin';
    case 'create':
    case 'delete':
      return false;
  }
}
