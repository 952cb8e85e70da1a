import type { Kysely } from 'kysely';
import type { CatalogKind, CatalogView } from '../../domain/ports/catalog-search.js';
import type * as port from '../../domain/ports/store.js';
import type { Database } from '../schema.js';
import { fromJson } from './columns.js';

/**
 * Writes that searches must see at once, told to a store whose search keeps anything in memory
 * (the SQLite store's sets of full-text matches). Called as the write is made, inside its
 * transaction if it has one.
 */
export interface CatalogChanges {
  /** Catalog rows were added, changed or removed. */
  catalogChanged(): void;
  /** A permission was granted, changed or revoked. */
  permissionsChanged(): void;
  /** Only the popularity of an item's rows changed. */
  popularityChanged(kind: CatalogKind, itemId: number): void;
}

/** The catalog index: searchable rows kept up to date by the domain. */
export class CatalogRepository implements port.CatalogRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly changes?: CatalogChanges,
  ) {}

  async upsert(row: port.CatalogRow): Promise<void> {
    const changes = row;
    await this.db
      .insertInto('catalog_items')
      .values(row)
      .onConflict((oc) => oc.columns(['kind', 'item_id', 'view']).doUpdateSet(changes))
      .execute();
    this.changes?.catalogChanged();
  }

  async remove(kind: CatalogKind, itemId: number, view?: CatalogView): Promise<void> {
    let query = this.db.deleteFrom('catalog_items').where('kind', '=', kind).where('item_id', '=', itemId);
    if (view) query = query.where('view', '=', view);
    await query.execute();
    this.changes?.catalogChanged();
  }

  /** A version's sampled text values, or undefined if they were never read. */
  async textValues(versionId: number): Promise<string[] | undefined> {
    const row = await this.db.selectFrom('version_text_values').select('text_values').where('version_id', '=', versionId).executeTakeFirst();
    return row && fromJson<string[]>(row.text_values);
  }

  /** The sampled text values of any version with this data file (drafts made without a reimport share their file, which never changes). */
  async textValuesOfFile(dataFile: string): Promise<string[] | undefined> {
    const row = await this.db
      .selectFrom('version_text_values')
      .innerJoin('versions', 'versions.id', 'version_text_values.version_id')
      .select('version_text_values.text_values')
      .where('versions.data_file', '=', dataFile)
      .limit(1)
      .executeTakeFirst();
    return row && fromJson<string[]>(row.text_values);
  }

  async putTextValues(versionId: number, values: string[]): Promise<void> {
    const text_values = JSON.stringify(values);
    await this.db
      .insertInto('version_text_values')
      .values({ version_id: versionId, text_values })
      .onConflict((oc) => oc.column('version_id').doUpdateSet({ text_values }))
      .execute();
  }

  async bumpPopularity(kind: CatalogKind, itemId: number): Promise<void> {
    await this.db.updateTable('catalog_items').set((eb) => ({ popularity: eb('popularity', '+', 1) })).where('kind', '=', kind).where('item_id', '=', itemId).execute();
    this.changes?.popularityChanged(kind, itemId);
  }
}
