import { sql, type Kysely, type Updateable } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { ItemVisibility } from '../../domain/policies/items.js';
import { visibleItem } from './item-visibility.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { Database, DocumentRow, DocumentsTable } from '../schema.js';

const fields: FieldMap = {
  id: 'documents.id',
  title: 'documents.title',
  group: 'documents.group_id',
  media_type: 'documents.media_type',
  created_at: 'documents.created_at',
  updated_at: 'documents.updated_at',
  tag: { condition: (_eb, _l, value) => sql<boolean>`exists (select 1 from json_each(documents.tags) where json_each.value = ${value})` },
  category: { condition: (_eb, _l, value) => sql<boolean>`exists (select 1 from json_each(documents.categories) where json_each.value = ${value})` },
};

/** Uploaded documents. */
export class DocumentsRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async list(query: ListQuery, visibility: ItemVisibility): Promise<ListResult<DocumentRow>> {
    return runListQuery(
      this.db,
      (db) => db.selectFrom('documents').selectAll('documents').where((eb) => visibleItem(eb, 'document', 'documents.id', 'documents.group_id', visibility)),
      query,
      fields,
      'documents.id',
    );
  }

  async findById(id: number): Promise<DocumentRow | undefined> {
    return this.db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async create(row: Omit<DocumentRow, 'id'>): Promise<DocumentRow> {
    return this.db.insertInto('documents').values(row).returningAll().executeTakeFirstOrThrow();
  }

  async update(id: number, patch: Updateable<DocumentsTable>): Promise<void> {
    await this.db.updateTable('documents').set(patch).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('documents').where('id', '=', id).execute();
  }
}
