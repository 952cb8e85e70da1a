import type { Kysely } from 'kysely';
import type { ListQuery, ListResult } from '../../domain/list-query.js';
import type { DocumentItem, DocumentItemPatch, NewDocumentItem } from '../../domain/model/documents.js';
import type { ItemVisibility } from '../../domain/policies/items.js';
import type * as port from '../../domain/ports/store.js';
import { decodeItems, readJson, writeJson } from './columns.js';
import { visibleItem } from './item-visibility.js';
import { runListQuery, type FieldMap } from './list-query.js';
import type { SqlDialect } from './sql-dialect.js';
import type { Database, DocumentRow } from '../schema.js';
import { newUid } from './uid.js';

const jsonColumns = ['tags', 'categories'] as const;
const documentOf = (row: DocumentRow): DocumentItem => readJson(row, jsonColumns);

/** Uploaded documents. */
export class DocumentsRepository implements port.DocumentsRepository {
  private readonly fields: FieldMap;

  constructor(
    private readonly db: Kysely<Database>,
    dialect: SqlDialect,
  ) {
    this.fields = {
      id: 'documents.id',
      title: 'documents.title',
      group: 'documents.group_id',
      media_type: 'documents.media_type',
      created_at: 'documents.created_at',
      updated_at: 'documents.updated_at',
      tag: { condition: (_eb, _l, value) => dialect.jsonArrayHas('documents.tags', value) },
      category: { condition: (_eb, _l, value) => dialect.jsonArrayHas('documents.categories', value) },
    };
  }

  async list(query: ListQuery, visibility: ItemVisibility): Promise<ListResult<DocumentItem>> {
    const result = await runListQuery(
      this.db,
      (db) => db.selectFrom('documents').selectAll('documents').where((eb) => visibleItem(eb, 'document', 'documents.id', 'documents.group_id', visibility)),
      query,
      this.fields,
      'documents.id',
    );
    return decodeItems(result, documentOf);
  }

  async findById(id: number): Promise<DocumentItem | undefined> {
    const row = await this.db.selectFrom('documents').selectAll().where('id', '=', id).executeTakeFirst();
    return row && documentOf(row);
  }

  async create(document: NewDocumentItem): Promise<DocumentItem> {
    const row = await this.db
      .insertInto('documents')
      .values({ ...writeJson(document, jsonColumns), uid: newUid() })
      .returningAll()
      .executeTakeFirstOrThrow();
    return documentOf(row);
  }

  async update(id: number, patch: DocumentItemPatch): Promise<void> {
    await this.db.updateTable('documents').set(writeJson(patch, jsonColumns)).where('id', '=', id).execute();
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('documents').where('id', '=', id).execute();
  }
}
