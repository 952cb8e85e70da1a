import type { Kysely } from 'kysely';
import type { Permission } from '../../domain/model/permissions.js';
import type { ItemKind, PermissionLevel } from '../../domain/policies/items.js';
import type * as port from '../../domain/ports/store.js';
import type { CatalogChanges } from './catalog-repository.js';
import type { Database } from '../schema.js';

/** Explicit permissions on items. */
export class PermissionsRepository implements port.PermissionsRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly changes?: CatalogChanges,
  ) {}

  async list(kind: ItemKind, itemId: number): Promise<Permission[]> {
    return this.db.selectFrom('permissions').selectAll().where('item_kind', '=', kind).where('item_id', '=', itemId).orderBy('principal').execute();
  }

  async find(kind: ItemKind, itemId: number, principal: string): Promise<Permission | undefined> {
    return this.db
      .selectFrom('permissions')
      .selectAll()
      .where('item_kind', '=', kind)
      .where('item_id', '=', itemId)
      .where('principal', '=', principal)
      .executeTakeFirst();
  }

  /** The levels granted on an item to any of these principals. */
  async levelsFor(kind: ItemKind, itemId: number, principals: string[]): Promise<PermissionLevel[]> {
    const rows = await this.db
      .selectFrom('permissions')
      .select('level')
      .where('item_kind', '=', kind)
      .where('item_id', '=', itemId)
      .where('principal', 'in', principals)
      .execute();
    return rows.map((r) => r.level);
  }

  async put(kind: ItemKind, itemId: number, principal: string, level: PermissionLevel, at: string): Promise<void> {
    await this.db
      .insertInto('permissions')
      .values({ item_kind: kind, item_id: itemId, principal, level, created_at: at })
      .onConflict((oc) => oc.columns(['item_kind', 'item_id', 'principal']).doUpdateSet({ level }))
      .execute();
    this.changes?.permissionsChanged();
  }

  async clear(kind: ItemKind, itemId: number): Promise<void> {
    await this.db.deleteFrom('permissions').where('item_kind', '=', kind).where('item_id', '=', itemId).execute();
    this.changes?.permissionsChanged();
  }
}
