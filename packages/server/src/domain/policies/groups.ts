import { isSiteAdmin, type Actor } from '../actor.js';

export type GroupAction = 'view' | 'create' | 'update' | 'delete' | 'manage-members';

/**
 * Any signed-in user may see groups; site admins create and delete them; a group's own admins
 * may rename it and manage its members. `roleInGroup` is the actor's role there, if any.
 */
export function canGroup(actor: Actor, action: GroupAction, roleInGroup: string | null): boolean {
  if (actor.kind !== 'user') return false;
  if (isSiteAdmin(actor)) return true;
  switch (action) {
    case 'view':
      return true;
    case 'update':
    case 'manage-members':
      return roleInGroup === 'admin';
    case 'create':
    case 'delete':
      return false;
  }
}
