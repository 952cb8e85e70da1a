import type { Kysely, Updateable } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database, PublishRequestRow, PublishRequestsTable } from '../schema.js';

const fields: FieldMap = {
  id: 'publish_requests.id',
  state: 'publish_requests.state',
  created_at: 'publish_requests.created_at',
  publish_at: 'publish_requests.publish_at',
  created_by: 'publish_requests.created_by',
};

/** Which kind of version a publish item is: a layer's (or table's) or a set's. */
export type PublishItemKind = 'version' | 'set-version';

export interface PublishItemRef {
  kind: PublishItemKind;
  id: number;
}

export interface PublishItemRow {
  publish_id: number;
  kind: PublishItemKind;
  version_id: number;
  state: string;
  item_type: 'layer' | 'table' | 'set';
  item_id: number;
  /** Import status; set versions have nothing to import, so they are always `ok`. */
  status: string;
  published_at: string | null;
}

/** Publish requests and their items. */
export class PublishRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(row: Omit<PublishRequestRow, 'id'>, items: readonly PublishItemRef[]): Promise<PublishRequestRow> {
    const request = await this.db.insertInto('publish_requests').values(row).returningAll().executeTakeFirstOrThrow();
    const versions = items.filter((i) => i.kind === 'version').map((i) => ({ publish_id: request.id, version_id: i.id, state: 'pending' }));
    const setVersions = items.filter((i) => i.kind === 'set-version').map((i) => ({ publish_id: request.id, set_version_id: i.id, state: 'pending' }));
    if (versions.length > 0) await this.db.insertInto('publish_items').values(versions).execute();
    if (setVersions.length > 0) await this.db.insertInto('publish_set_items').values(setVersions).execute();
    return request;
  }

  async findById(id: number): Promise<PublishRequestRow | undefined> {
    return this.db.selectFrom('publish_requests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Lists requests, all or those created by one user. */
  async list(query: ListQuery, createdBy: number | null): Promise<ListResult<PublishRequestRow>> {
    return runListQuery(
      this.db,
      (db) => {
        const base = db.selectFrom('publish_requests').selectAll('publish_requests');
        return createdBy === null ? base : base.where('publish_requests.created_by', '=', createdBy);
      },
      query,
      fields,
      'publish_requests.id',
    );
  }

  async items(publishId: number): Promise<PublishItemRow[]> {
    const versions = await this.db
      .selectFrom('publish_items')
      .innerJoin('versions', 'versions.id', 'publish_items.version_id')
      .innerJoin('layers', 'layers.id', 'versions.layer_id')
      .select([
        'publish_items.publish_id',
        'publish_items.version_id',
        'publish_items.state',
        'versions.layer_id as item_id',
        'layers.type as item_type',
        'versions.status',
        'versions.published_at',
      ])
      .where('publish_items.publish_id', '=', publishId)
      .orderBy('publish_items.version_id')
      .execute();
    const setVersions = await this.db
      .selectFrom('publish_set_items')
      .innerJoin('set_versions', 'set_versions.id', 'publish_set_items.set_version_id')
      .select([
        'publish_set_items.publish_id',
        'publish_set_items.set_version_id as version_id',
        'publish_set_items.state',
        'set_versions.set_id as item_id',
        'set_versions.published_at',
      ])
      .where('publish_set_items.publish_id', '=', publishId)
      .orderBy('publish_set_items.set_version_id')
      .execute();
    return [
      ...versions.map((row) => ({ ...row, kind: 'version' as const })),
      ...setVersions.map((row) => ({ ...row, kind: 'set-version' as const, item_type: 'set' as const, status: 'ok' })),
    ];
  }

  /** Open requests (pending or publishing) that include a version. */
  async openRequestsFor(item: PublishItemRef): Promise<PublishRequestRow[]> {
    const base = this.db.selectFrom('publish_requests').selectAll('publish_requests').where('publish_requests.state', 'in', ['pending', 'publishing']);
    return item.kind === 'version'
      ? base.innerJoin('publish_items', 'publish_items.publish_id', 'publish_requests.id').where('publish_items.version_id', '=', item.id).execute()
      : base
          .innerJoin('publish_set_items', 'publish_set_items.publish_id', 'publish_requests.id')
          .where('publish_set_items.set_version_id', '=', item.id)
          .execute();
  }

  async update(id: number, patch: Updateable<PublishRequestsTable>): Promise<void> {
    await this.db.updateTable('publish_requests').set(patch).where('id', '=', id).execute();
  }

  async setItemState(publishId: number, item: PublishItemRef, state: string): Promise<void> {
    if (item.kind === 'version') {
      await this.db.updateTable('publish_items').set({ state }).where('publish_id', '=', publishId).where('version_id', '=', item.id).execute();
    } else {
      await this.db.updateTable('publish_set_items').set({ state }).where('publish_id', '=', publishId).where('set_version_id', '=', item.id).execute();
    }
  }

  /** Marks a version published and points its layer at it. */
  async publishVersion(versionId: number, layerId: number, at: string): Promise<void> {
    await this.db.updateTable('versions').set({ published_at: at, updated_at: at }).where('id', '=', versionId).execute();
    await this.db
      .updateTable('layers')
      .set((eb) => ({
        published_version_id: versionId,
        first_published_at: eb.fn.coalesce('first_published_at', eb.val(at)),
        updated_at: at,
      }))
      .where('id', '=', layerId)
      .execute();
  }
}
