import type { Kysely } from 'kysely';
import type { NewShare, Share, ShareMember, SharePatch } from '../../domain/model/shares.js';
import type * as port from '../../domain/ports/store.js';
import { readJson, writeJson } from './columns.js';
import type { Database, ShareRow } from '../schema.js';
import { newUid } from './uid.js';

const shareOf = (row: ShareRow): Share => readJson(row, ['rights'] as const) as Share;

/** Each member kind's table and column. */
const memberTables = {
  applications: { table: 'share_applications', column: 'application_id' },
  catalogs: { table: 'share_catalogs', column: 'catalog_id' },
  groups: { table: 'share_groups', column: 'group_id' },
} as const;

/** Shares, and what each opens catalogs to. */
export class SharesRepository implements port.SharesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findByUid(uid: string): Promise<Share | undefined> {
    const row = await this.db.selectFrom('shares').selectAll().where('uid', '=', uid).executeTakeFirst();
    return row && shareOf(row);
  }

  /** Shares made by these workgroups, or opening catalogs to them, or to this application; by name. */
  async listFor(only: { madeBy?: readonly number[]; openTo?: readonly number[]; application?: number; catalog?: number }): Promise<Share[]> {
    if (!only.madeBy?.length && !only.openTo?.length && only.application === undefined && only.catalog === undefined) return [];
    const rows = await this.db
      .selectFrom('shares')
      .selectAll()
      .where((eb) => {
        const any = [];
        if (only.madeBy && only.madeBy.length > 0) any.push(eb('group_id', 'in', [...only.madeBy]));
        if (only.openTo && only.openTo.length > 0) {
          const openTo = [...only.openTo];
          any.push(eb('id', 'in', eb.selectFrom('share_groups').select('share_id').where('group_id', 'in', openTo)));
        }
        if (only.application !== undefined) {
          const application = only.application;
          any.push(eb('id', 'in', eb.selectFrom('share_applications').select('share_id').where('application_id', '=', application)));
        }
        if (only.catalog !== undefined) {
          const catalog = only.catalog;
          any.push(eb('id', 'in', eb.selectFrom('share_catalogs').select('share_id').where('catalog_id', '=', catalog)));
        }
        return eb.or(any);
      })
      .orderBy('name')
      .orderBy('id')
      .execute();
    return rows.map(shareOf);
  }

  async create(share: NewShare): Promise<Share> {
    return shareOf(await this.db.insertInto('shares').values({ ...writeJson(share, ['rights'] as const), uid: newUid() }).returningAll().executeTakeFirstOrThrow());
  }

  async update(id: number, patch: SharePatch): Promise<Share> {
    return shareOf(await this.db.updateTable('shares').set(writeJson(patch, ['rights'] as const)).where('id', '=', id).returningAll().executeTakeFirstOrThrow());
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('shares').where('id', '=', id).execute();
  }

  async members(shareId: number, kind: ShareMember): Promise<number[]> {
    const ids = (rows: Array<{ id: number }>) => rows.map((row) => Number(row.id));
    switch (kind) {
      case 'applications':
        return ids(await this.db.selectFrom('share_applications').select('application_id as id').where('share_id', '=', shareId).execute());
      case 'catalogs':
        return ids(await this.db.selectFrom('share_catalogs').select('catalog_id as id').where('share_id', '=', shareId).execute());
      case 'groups':
        return ids(await this.db.selectFrom('share_groups').select('group_id as id').where('share_id', '=', shareId).execute());
    }
  }

  async addMember(shareId: number, kind: ShareMember, id: number): Promise<void> {
    const { table, column } = memberTables[kind];
    await this.db.insertInto(table).values({ share_id: shareId, [column]: id } as never).onConflict((oc) => oc.doNothing()).execute();
  }

  async removeMember(shareId: number, kind: ShareMember, id: number): Promise<boolean> {
    let removed;
    switch (kind) {
      case 'applications':
        removed = await this.db.deleteFrom('share_applications').where('share_id', '=', shareId).where('application_id', '=', id).executeTakeFirst();
        break;
      case 'catalogs':
        removed = await this.db.deleteFrom('share_catalogs').where('share_id', '=', shareId).where('catalog_id', '=', id).executeTakeFirst();
        break;
      case 'groups':
        removed = await this.db.deleteFrom('share_groups').where('share_id', '=', shareId).where('group_id', '=', id).executeTakeFirst();
        break;
    }
    return Number(removed.numDeletedRows) > 0;
  }

  async recordIds(shareId: number): Promise<number[]> {
    const rows = await this.db
      .selectFrom('share_catalogs')
      .innerJoin('record_catalog_members', 'record_catalog_members.catalog_id', 'share_catalogs.catalog_id')
      .select('record_catalog_members.record_id')
      .distinct()
      .where('share_catalogs.share_id', '=', shareId)
      .orderBy('record_catalog_members.record_id')
      .execute();
    return rows.map((row) => Number(row.record_id));
  }

  /** Whether a share opens a catalog holding the record: to this application (type application), or to one of these workgroups (type group). */
  async opensRecord(recordId: number, to: { application: number } | { groups: readonly number[] }): Promise<boolean> {
    let query = this.db
      .selectFrom('shares')
      .innerJoin('share_catalogs', 'share_catalogs.share_id', 'shares.id')
      .innerJoin('record_catalog_members', 'record_catalog_members.catalog_id', 'share_catalogs.catalog_id')
      .select('shares.id')
      .where('record_catalog_members.record_id', '=', recordId);
    if ('application' in to) {
      query = query
        .where('shares.type', '=', 'application')
        .where('shares.id', 'in', (eb) => eb.selectFrom('share_applications').select('share_id').where('application_id', '=', to.application));
    } else {
      if (to.groups.length === 0) return false;
      const groups = [...to.groups];
      query = query.where('shares.type', '=', 'group').where('shares.id', 'in', (eb) => eb.selectFrom('share_groups').select('share_id').where('group_id', 'in', groups));
    }
    return (await query.limit(1).executeTakeFirst()) !== undefined;
  }
}
