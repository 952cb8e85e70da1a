import type { ItemKind, PermissionLevel } from '../policies/items.js';

/** An explicit permission on an item. */
export interface Permission {
  id: number;
  item_kind: ItemKind;
  item_id: number;
  /** `group.everyone`, `group.<id>` or `user.<id>` */
  principal: string;
  level: PermissionLevel;
  created_at: string;
}
