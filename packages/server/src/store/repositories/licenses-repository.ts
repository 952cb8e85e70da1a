import type { Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database, LicenseRow } from '../schema.js';

const licenseFields: FieldMap = {
  id: 'licenses.id',
  title: 'licenses.title',
  type: 'licenses.type',
  jurisdiction: 'licenses.jurisdiction',
  version: 'licenses.version',
  is_custom: 'licenses.is_custom',
};

export class LicensesRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async findById(id: number): Promise<LicenseRow | undefined> {
    return this.db.selectFrom('licenses').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** `jurisdiction` is `''` for international (unported) licenses. */
  async findBySlug(slug: string, jurisdiction: string): Promise<LicenseRow | undefined> {
    return this.db
      .selectFrom('licenses')
      .selectAll()
      .where('slug', '=', slug)
      .where('jurisdiction', '=', jurisdiction)
      .executeTakeFirst();
  }

  async list(query: ListQuery): Promise<ListResult<LicenseRow>> {
    return runListQuery(this.db, (db) => db.selectFrom('licenses').selectAll('licenses'), query, licenseFields, 'licenses.id');
  }

  async create(row: Omit<LicenseRow, 'id'>): Promise<LicenseRow> {
    return this.db.insertInto('licenses').values(row).returningAll().executeTakeFirstOrThrow();
  }
}
