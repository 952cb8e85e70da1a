import type { Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { NewPublishRequest, PublishItem, PublishItemRef, PublishRequest, PublishRequestPatch } from '../../domain/model/publish.js';
import type * as port from '../../domain/ports/store.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database } from '../schema.js';

const fields: FieldMap = {
  id: 'publish_requests.id',
  state: 'publish_requests.state',
  created_at: 'publish_requests.created_at',
  publish_at: 'publish_requests.publish_at',
  created_by: 'publish_requests.created_by',
};

/** Publish requests and their items. */
export class PublishRepository implements port.PublishRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(row: NewPublishRequest, items: readonly PublishItemRef[]): Promise<PublishRequest> {
    const request = await this.db.insertInto('publish_requests').values(row).returningAll().executeTakeFirstOrThrow();
    const versions = items.filter((i) => i.kind === 'version').map((i) => ({ publish_id: request.id, version_id: i.id, state: 'pending' }));
    const setVersions = items.filter((i) => i.kind === 'set-version').map((i) => ({ publish_id: request.id, set_version_id: i.id, state: 'pending' }));
    if (versions.length > 0) await this.db.insertInto('publish_items').values(versions).execute();
    if (setVersions.length > 0) await this.db.insertInto('publish_set_items').values(setVersions).execute();
    return request;
  }

  async findById(id: number): Promise<PublishRequest | undefined> {
    return this.db.selectFrom('publish_requests').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Lists requests, all or those created by one user. */
  async list(query: ListQuery, createdBy: number | null): Promise<ListResult<PublishRequest>> {
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

  async items(publishId: number): Promise<PublishItem[]> {
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
  async openRequestsFor(item: PublishItemRef): Promise<PublishRequest[]> {
    const base = this.db.selectFrom('publish_requests').selectAll('publish_requests').where('publish_requests.state', 'in', ['pending', 'publishing']);
    return item.kind === 'version'
      ? base.innerJoin('publish_items', 'publish_items.publish_id', 'publish_requests.id').where('publish_items.version_id', '=', item.id).execute()
      : base
          .innerJoin('publish_set_items', 'publish_set_items.publish_id', 'publish_requests.id')
          .where('publish_set_items.set_version_id', '=', item.id)
          .execute();
  }

  async update(id: number, patch: PublishRequestPatch): Promise<void> {
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
