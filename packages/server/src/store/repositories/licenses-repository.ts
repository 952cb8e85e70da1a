import type { Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { License, LicensePatch, NewLicense } from '../../domain/model/licenses.js';
import type * as port from '../../domain/ports/store.js';
import { decodeItems, readBools, writeBools } from './columns.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database, LicenseRow } from '../schema.js';
import { newUid } from './uid.js';

const licenseFields: FieldMap = {
  id: 'licenses.id',
  title: 'licenses.title',
  type: 'licenses.type',
  jurisdiction: 'licenses.jurisdiction',
  version: 'licenses.version',
  is_custom: 'licenses.is_custom',
};

const boolColumns = ['is_custom'] as const;
const licenseOf = (row: LicenseRow): License => readBools(row, boolColumns);

export class LicensesRepository implements port.LicensesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: number): Promise<License | undefined> {
    const row = await this.db.selectFrom('licenses').selectAll().where('id', '=', id).executeTakeFirst();
    return row && licenseOf(row);
  }

  /** `jurisdiction` is `''` for international (unported) licenses. */
  async findBySlug(slug: string, jurisdiction: string): Promise<License | undefined> {
    const row = await this.db
      .selectFrom('licenses')
      .selectAll()
      .where('slug', '=', slug)
      .where('jurisdiction', '=', jurisdiction)
      .where('group_id', 'is', null)
      .executeTakeFirst();
    return row && licenseOf(row);
  }

  async findByUid(uid: string): Promise<License | undefined> {
    const row = await this.db.selectFrom('licenses').selectAll().where('uid', '=', uid).executeTakeFirst();
    return row && licenseOf(row);
  }

  /** The site's licences: the built-in ones and those site admins added (not workgroups' own). */
  async list(query: ListQuery): Promise<ListResult<License>> {
    const base = (db: Kysely<Database>) => db.selectFrom('licenses').selectAll('licenses').where('licenses.group_id', 'is', null);
    return decodeItems(await runListQuery(this.db, base, query, licenseFields, 'licenses.id'), licenseOf);
  }

  /** The licences a workgroup can use: the site's and its own, by title. */
  async listForGroup(groupId: number): Promise<License[]> {
    const rows = await this.db
      .selectFrom('licenses')
      .selectAll()
      .where((eb) => eb.or([eb('group_id', 'is', null), eb('group_id', '=', groupId)]))
      .orderBy('title')
      .orderBy('id')
      .execute();
    return rows.map(licenseOf);
  }

  async create(license: NewLicense): Promise<License> {
    const row = { group_id: null, ...writeBools(license, boolColumns), uid: newUid() };
    return licenseOf(await this.db.insertInto('licenses').values(row).returningAll().executeTakeFirstOrThrow());
  }

  async update(id: number, patch: LicensePatch): Promise<License> {
    return licenseOf(await this.db.updateTable('licenses').set(patch).where('id', '=', id).returningAll().executeTakeFirstOrThrow());
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('licenses').where('id', '=', id).execute();
  }
}
