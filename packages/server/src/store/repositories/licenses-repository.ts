import type { Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { License, NewLicense } from '../../domain/model/licenses.js';
import type * as port from '../../domain/ports/store.js';
import { decodeItems, readBools, writeBools } from './columns.js';
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
      .executeTakeFirst();
    return row && licenseOf(row);
  }

  async list(query: ListQuery): Promise<ListResult<License>> {
    return decodeItems(await runListQuery(this.db, (db) => db.selectFrom('licenses').selectAll('licenses'), query, licenseFields, 'licenses.id'), licenseOf);
  }

  async create(license: NewLicense): Promise<License> {
    return licenseOf(await this.db.insertInto('licenses').values(writeBools(license, boolColumns)).returningAll().executeTakeFirstOrThrow());
  }
}
