import type { Kysely, Updateable } from 'kysely';
import type { ListQuery, ListResult } from '../domain/list-query.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database, PublishRequestRow, PublishRequestsTable } from './schema.js';

const fields: FieldMap = {
  id: 'publish_requests.id',
  state: 'publish_requests.state',
  created_at: 'publish_requests.created_at',
  publish_at: 'publish_requests.publish_at',
  created_by: 'publish_requests.created_by',
};

export interface PublishItemRow {
  publish_id: number;
  version_id: number;
  state: string;
  layer_id: number;
  layer_type: 'layer' | 'table';
  status: string;
  published_at: string | null;
}

/** Publish requests and their items. */
export class PublishRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(row: Omit<PublishRequestRow, 'id'>, versionIds: number[]): Promise<PublishRequestRow> {
    const request = await this.db.insertInto('publish_requests').values(row).returningAll().executeTakeFirstOrThrow();
    await this.db
      .insertInto('publish_items')
      .values(versionIds.map((version_id) => ({ publish_id: request.id, version_id, state: 'pending' })))
      .execute();
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
    return this.db
      .selectFrom('publish_items')
      .innerJoin('versions', 'versions.id', 'publish_items.version_id')
      .innerJoin('layers', 'layers.id', 'versions.layer_id')
      .select([
        'publish_items.publish_id',
        'publish_items.version_id',
        'publish_items.state',
        'versions.layer_id',
        'layers.type as layer_type',
        'versions.status',
        'versions.published_at',
      ])
      .where('publish_items.publish_id', '=', publishId)
      .orderBy('publish_items.version_id')
      .execute();
  }

  /** Open requests (pending or publishing) that include a version. */
  async openRequestsFor(versionId: number): Promise<PublishRequestRow[]> {
    return this.db
      .selectFrom('publish_requests')
      .innerJoin('publish_items', 'publish_items.publish_id', 'publish_requests.id')
      .selectAll('publish_requests')
      .where('publish_items.version_id', '=', versionId)
      .where('publish_requests.state', 'in', ['pending', 'publishing'])
      .execute();
  }

  async update(id: number, patch: Updateable<PublishRequestsTable>): Promise<void> {
    await this.db.updateTable('publish_requests').set(patch).where('id', '=', id).execute();
  }

  async setItemState(publishId: number, versionId: number, state: string): Promise<void> {
    await this.db.updateTable('publish_items').set({ state }).where('publish_id', '=', publishId).where('version_id', '=', versionId).execute();
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
