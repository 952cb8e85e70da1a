/**
 * Catalog search for the PostgreSQL store (the `CatalogSearch` port), in the database: the SQL
 * is `repositories/catalog-query.ts`'s, with a weighted `tsvector` (GIN) for words, the PostGIS
 * envelope (GiST) for boxes and jsonb for tags. Count and page are read in one repeatable-read
 * snapshot, so they always agree; nothing is kept in memory, so any number of processes serve
 * the same catalog.
 */
import { sql, type Kysely, type RawBuilder, type Selectable, type SqlBool } from 'kysely';
import type { Bbox, CatalogEntry, CatalogSearch, CatalogSearchQuery, CatalogSearchResult } from '../../domain/ports/catalog-search.js';
import { fromJson } from '../repositories/columns.js';
import { countQuery, extentMeets, pageQuery, type CatalogSqlEngine } from '../repositories/catalog-query.js';
import type { CatalogItemsTable, Database } from '../schema.js';

/**
 * Searches as a tsquery: every word required, the last also as a prefix, searches OR-ed. The
 * words are runs of letters, digits and `_` (`searchWords`); split at `_` as the index splits
 * text, they are plain lexemes to tsquery. Accents and case fold as in the index.
 */
export function tsQuery(text: string[][], join: '&' | '|' = '&'): string {
  return (
    text
      .map((search) => search.flatMap((word) => word.split('_')).filter(Boolean))
      // A search of underscores alone holds no word, and matches nothing (an empty tsquery).
      .filter((words) => words.length > 0)
      .map((words) => `(${words.map((w, i) => `${w}${i === words.length - 1 ? ':*' : ''}`).join(` ${join} `)})`)
      .join(' | ')
  );
}

/** The box as PostGIS sees it, for the GiST index on `c.extent`. */
const envelope = ([minx, miny, maxx, maxy]: Bbox) => sql`ST_MakeEnvelope(${minx}, ${miny}, ${maxx}, ${maxy}, 4326)`;

function postgresEngine(text: string[][]): CatalogSqlEngine {
  const query = sql`to_tsquery('simple', mapshelf_fold(${tsQuery(text)}))`;
  const anyWord = sql`to_tsquery('simple', mapshelf_fold(${tsQuery(text, '|')}))`;
  return {
    source: (words) => ({ from: sql`catalog_items as c`, match: words.length === 0 ? null : sql<SqlBool>`c.search @@ ${query}` }),
    // Weights as SQLite's bm25 columns rank them: title (A), tags and categories (B), description
    // (C), field names and text values (D). ts_rank weighs an AND by the words' proximity, which
    // would put a layer holding "New Zealand" among its values before one titled "Zealand …"; so
    // a title holding any of the words comes first, as with bm25's title weight. Negated: the
    // port orders relevance lower first.
    relevance: sql<number>`-(ts_rank(array[0.005, 0.2, 0.4, 1.0]::float4[], c.search, ${query}) + (ts_filter(c.search, '{a}') @@ ${anyWord})::int)`,
    holds: (column, value) => sql<SqlBool>`(${sql.ref(`c.${column}`)})::jsonb ? ${value}`,
    // `&&` finds the candidates by the index (every relation implies it); the sides decide exactly.
    meets: (relation, box): RawBuilder<SqlBool> => sql<SqlBool>`(c.extent && ${envelope(box)} and ${extentMeets(relation, box)})`,
  };
}

/** A page's row: the catalog columns a search reads (the extent's sides are null together). */
type EntryRow = Omit<Selectable<CatalogItemsTable>, 'fields' | 'text_values' | 'public_level'>;

function decode(row: EntryRow): CatalogEntry {
  return {
    id: row.id,
    kind: row.kind,
    itemId: row.item_id,
    view: row.view,
    versionId: row.version_id,
    versionStatus: row.version_status,
    groupId: row.group_id,
    title: row.title,
    description: row.description,
    tags: fromJson<string[]>(row.tags),
    categories: fromJson<string[]>(row.categories),
    licenseId: row.license_id,
    licenseType: row.license_type,
    extent: row.minx === null ? null : [row.minx, row.miny!, row.maxx!, row.maxy!],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
    popularity: row.popularity,
  };
}

export class PostgresCatalogSearch implements CatalogSearch {
  constructor(private readonly db: Kysely<Database>) {}

  search(query: CatalogSearchQuery): Promise<CatalogSearchResult> {
    const engine = postgresEngine(query.text);
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const count = (await countQuery(query, engine).execute(trx)).rows[0] as { total: number; newest: number | null };
        const rows = count.total > query.offset ? ((await pageQuery(query, engine).execute(trx)).rows as EntryRow[]) : [];
        const snapshot = query.snapshot ?? count.newest ?? undefined;
        return { items: rows.map(decode), total: Number(count.total), ...(snapshot !== undefined && { snapshot }) };
      });
  }
}
