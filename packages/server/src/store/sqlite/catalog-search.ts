/**
 * Catalog search for the SQLite store (the `CatalogSearch` port). The SQL is
 * `repositories/catalog-query.ts`'s, with FTS5 for words (bm25, the same column weights as
 * ever), the extent columns for boxes and json_each for tags. Searches without words are one
 * page query, index-driven (the view's index in sort order, stopping at the page's last row),
 * and one count query, remembered until the catalog changes. Searches with words go through
 * `catalog-candidates.ts`: the matches are read once, and boxes, order and page are decided over
 * them in memory.
 *
 * Each search runs synchronously while it holds Kysely's connection, so that no write lands
 * between its reads, and the count and page always agree. Writes by the repositories (on this
 * connection, through `CatalogChanges`) or by another connection (`data_version`) drop what is
 * remembered before the next search reads it.
 */
import type SQLite from 'better-sqlite3';
import { sql, type Kysely, type RawBuilder, type Selectable } from 'kysely';
import type { CatalogEntry, CatalogKind, CatalogSearch, CatalogSearchQuery, CatalogSearchResult } from '../../domain/ports/catalog-search.js';
import type { CatalogChanges } from '../repositories/catalog-repository.js';
import { conditions, countQuery, entryColumns, extentMeets, fromWhere, pageQuery, rowsQuery, type CatalogSqlEngine } from '../repositories/catalog-query.js';
import type { CatalogItemsTable, Database } from '../schema.js';
import { CandidatesBuilder, CandidatesCache, pageOf, setTitleOrder, type Candidates } from './catalog-candidates.js';
import { statementCache } from './database.js';

/** Searches as an FTS5 query: each word quoted (no operators), all required, the last as a prefix; searches OR-ed. */
export function ftsQuery(text: string[][]): string {
  const phrase = (word: string) => `"${word.replaceAll('"', '""')}"`;
  return text.map((words) => `(${words.map((w, i) => `${phrase(w)}${i === words.length - 1 ? '*' : ''}`).join(' ')})`).join(' OR ');
}

const engine: CatalogSqlEngine = {
  // CROSS JOIN keeps the text index first: SQLite could otherwise scan every row and probe it.
  source: (text) =>
    text.length === 0
      ? { from: sql`catalog_items as c`, match: null }
      : { from: sql`catalog_fts cross join catalog_items as c on c.id = catalog_fts.rowid`, match: sql`catalog_fts match ${ftsQuery(text)}` },
  // Column weights: a title match counts most, then tags and categories, then description, then field names, then the data's own text values.
  relevance: sql<number>`bm25(catalog_fts, 10, 2, 4, 3, 1, 0.2)`,
  holds: (column, value) => sql`exists (select 1 from json_each(${sql.ref(`c.${column}`)}) where json_each.value = ${value})`,
  meets: extentMeets,
};

/** What the sets of full-text matches may hold in all (see `CandidatesCache`). */
const candidatesBudget = 96 * 1024 * 1024;
/** Counts remembered until the catalog changes. */
const countsKept = 1000;

type EntryRow = Pick<Selectable<CatalogItemsTable>, (typeof entryColumns)[number]>;

/** A catalog row decoded: JSON arrays parsed, the extent's columns as one box. */
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
    tags: JSON.parse(row.tags) as string[],
    categories: JSON.parse(row.categories) as string[],
    licenseId: row.license_id,
    licenseType: row.license_type,
    extent: row.minx === null ? null : [row.minx, row.miny!, row.maxx!, row.maxy!],
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    publishedAt: row.published_at,
    popularity: row.popularity,
  };
}

interface Count {
  total: number;
  newest: number | null;
}

export class SqliteCatalogSearch implements CatalogSearch, CatalogChanges {
  private readonly prepare: (source: string) => SQLite.Statement;
  private readonly candidates = new CandidatesCache(candidatesBudget);
  private readonly counts = new Map<string, Count>();
  /** Items whose popularity changed since the last search, as `kind:id`. */
  private readonly popular = new Set<string>();
  private dataVersion: number | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    sqlite: SQLite.Database,
  ) {
    this.prepare = statementCache(sqlite, 200);
  }

  search(query: CatalogSearchQuery): Promise<CatalogSearchResult> {
    return this.db.connection().execute(async () => this.searchNow(query));
  }

  catalogChanged(): void {
    this.forget();
  }

  permissionsChanged(): void {
    this.forget();
  }

  popularityChanged(kind: CatalogKind, itemId: number): void {
    this.popular.add(`${kind}:${itemId}`);
  }

  private forget(): void {
    this.candidates.clear();
    this.counts.clear();
  }

  private searchNow(query: CatalogSearchQuery): CatalogSearchResult {
    this.catchUp();
    const snapshot = (newest: number | null | undefined) => {
      const value = query.snapshot ?? newest ?? undefined;
      return value === undefined ? {} : { snapshot: value };
    };
    if (query.text.length > 0) {
      const set = this.candidatesOf(query);
      const page = pageOf(set, query, () => this.titleOrder(set, query));
      return { items: this.entries(page.ids), total: page.total, ...snapshot(page.newest) };
    }
    const count = this.count(query);
    const items = count.total > query.offset ? this.all<EntryRow>(pageQuery(query, engine)).map(decode) : [];
    return { items, total: count.total, ...snapshot(count.newest) };
  }

  /** Drops what another connection's commit made stale, and takes in popularity counts. */
  private catchUp(): void {
    const version = this.prepare('pragma data_version').pluck().get() as number;
    if (version !== this.dataVersion) {
      this.forget();
      this.dataVersion = version;
    }
    if (this.popular.size === 0) return;
    const read = this.prepare('select id, popularity from catalog_items where kind = ? and item_id = ?');
    const rows = [...this.popular].flatMap((key) => {
      const [kind, id] = key.split(':') as [string, string];
      return read.all(kind, Number(id)) as Array<{ id: number; popularity: number }>;
    });
    this.popular.clear();
    this.candidates.setPopularity(rows);
  }

  private compiled(query: RawBuilder<unknown>): { statement: SQLite.Statement; parameters: unknown[] } {
    const { sql: text, parameters } = query.compile(this.db);
    return { statement: this.prepare(text), parameters: [...parameters] };
  }

  private all<Row>(query: RawBuilder<unknown>): Row[] {
    const { statement, parameters } = this.compiled(query);
    return statement.raw(false).all(...parameters) as Row[];
  }

  private count(query: CatalogSearchQuery): Count {
    const { statement, parameters } = this.compiled(countQuery(query, engine));
    const key = `${statement.source}\n${JSON.stringify(parameters)}`;
    let count = this.counts.get(key);
    if (!count) {
      count = statement.raw(false).get(...parameters) as Count;
      if (this.counts.size >= countsKept) this.counts.delete(this.counts.keys().next().value!);
      this.counts.set(key, count);
    }
    return count;
  }

  /** The entries with these ids, in this order. */
  private entries(ids: number[]): CatalogEntry[] {
    if (ids.length === 0) return [];
    const byId = new Map(this.all<EntryRow>(rowsQuery(ids)).map((row) => [row.id, row]));
    return ids.map((id) => decode(byId.get(id)!));
  }

  /** The matches of the query's words, filters and access, remembered or read now. */
  private candidatesOf(query: CatalogSearchQuery): Candidates {
    const key = JSON.stringify([query.view, query.text, query.filters, query.visibility, query.editors ?? null]);
    let set = this.candidates.get(key);
    if (!set) {
      const where = conditions(query, engine, { bbox: false, snapshot: false });
      const { statement, parameters } = this.compiled(
        sql`select c.id, c.minx, c.miny, c.maxx, c.maxy, c.created_at, c.updated_at, c.popularity, ${engine.relevance} ${fromWhere(query, engine, where)}`,
      );
      const builder = new CandidatesBuilder();
      for (const r of statement.raw(true).iterate(...parameters) as IterableIterator<[number, number | null, number, number, number, string, string, number, number]>) {
        builder.add(r[0], r[1] === null ? null : [r[1], r[2], r[3], r[4]], r[5], r[6], r[7], r[8]);
      }
      set = builder.finish();
      this.candidates.put(key, set);
    }
    return set;
  }

  /** The title ranks of a set, read in SQL's title order (its collation, not JavaScript's). */
  private titleOrder(set: Candidates, query: CatalogSearchQuery): Int32Array {
    const where = conditions(query, engine, { bbox: false, snapshot: false });
    const rows = this.all<{ id: number; title: string }>(sql`select c.id, c.title ${fromWhere(query, engine, where)} order by c.title, c.id`);
    return setTitleOrder(set, rows.map((r) => [r.id, r.title] as const));
  }
}
