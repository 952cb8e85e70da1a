/**
 * Catalog search for the SQLite store (the `CatalogSearch` port). The SQL is
 * `repositories/catalog-query.ts`'s, with FTS5 for words (bm25, the same column weights as
 * ever), the extent columns and the R*Tree for boxes, and json_each for tags. Searches without
 * words are one page query, index-driven (the view's index in sort order, stopping at the page's
 * last row), and one count query, remembered until the catalog changes. Searches with words go
 * through `catalog-candidates.ts`: the matches are read once, and boxes, order and page are
 * decided over them in memory; those with more matches than memory may hold take the SQL path.
 *
 * Each search runs synchronously while it holds Kysely's connection, so that no write lands
 * between its reads, and the count and page always agree. Writes by the repositories (on this
 * connection, through `CatalogChanges`) or by another connection (`data_version`) drop what is
 * remembered before the next search reads it.
 */
import type SQLite from 'better-sqlite3';
import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Bbox, CatalogEntry, CatalogKind, CatalogSearch, CatalogSearchQuery, CatalogSearchResult } from '../../domain/ports/catalog-search.js';
import type { CatalogChanges } from '../repositories/catalog-repository.js';
import { countQuery, entryColumns, extentMeets, pageQuery, selectEntries, snapshotOf, type CatalogSqlEngine, type Count } from '../repositories/catalog-query.js';
import type { Database } from '../schema.js';
import { CandidatesBuilder, CandidatesCache, candidatesKey, candidatesQuery, filledEntries, pageOf, type CandidateRow, type Candidates, type CandidatesOptions } from '../repositories/catalog-candidates.js';
import { statementCache } from './database.js';

/** Searches as an FTS5 query: each word quoted (no operators), all required, the last as a prefix; searches OR-ed. */
export function ftsQuery(text: string[][]): string {
  const phrase = (word: string) => `"${word.replaceAll('"', '""')}"`;
  return text.map((words) => `(${words.map((w, i) => `${phrase(w)}${i === words.length - 1 ? '*' : ''}`).join(' ')})`).join(' OR ');
}

/** The R*Tree's rows meeting a box: a superset for every relation (its 32-bit sides are rounded outwards). */
const rtreeMeets = ([minx, miny, maxx, maxy]: Bbox) => sql`minx <= ${maxx} and maxx >= ${minx} and miny <= ${maxy} and maxy >= ${miny}`;

/**
 * The SQLite pieces of the catalog's SQL. Boxes are tested on the extent columns, exactly;
 * those in `driving` (few rows meet them) also name their rows from the R*Tree, which SQLite
 * then starts from instead of a scan.
 */
function sqliteEngine(driving: ReadonlySet<Bbox> = new Set()): CatalogSqlEngine {
  return {
    // CROSS JOIN keeps the text index first: SQLite could otherwise scan every row and probe it.
    source: (text) =>
      text.length === 0
        ? { from: sql`catalog_items as c`, match: null }
        : { from: sql`catalog_fts cross join catalog_items as c on c.id = catalog_fts.rowid`, match: sql`catalog_fts match ${ftsQuery(text)}` },
    // Column weights: a title match counts most, then tags and categories, then description, then field names, then the data's own text values.
    relevance: sql<number>`bm25(catalog_fts, 10, 2, 4, 3, 1, 0.2)`,
    holds: (column, value) => sql`exists (select 1 from json_each(${sql.ref(`c.${column}`)}) where json_each.value = ${value})`,
    meets: (relation, box) =>
      driving.has(box) ? sql`(c.id in (select id from catalog_rtree where ${rtreeMeets(box)}) and ${extentMeets(relation, box)})` : extentMeets(relation, box),
  };
}

const engine = sqliteEngine();

/** Below this many R*Tree rows, a box condition drives the query (see `sqliteEngine`). */
const drivingRows = 2000;

/** Counts remembered until the catalog changes. */
const countsKept = 1000;

/** Where each of `entryColumns` is in a row read raw. */
const at = Object.fromEntries(entryColumns.map((name, i) => [name, i])) as Record<(typeof entryColumns)[number], number>;

/** A catalog row, as `entryColumns` lists them, decoded: JSON arrays parsed, the extent's sides as one box. */
function decode(row: unknown[]): CatalogEntry {
  const value = <T>(name: (typeof entryColumns)[number]) => row[at[name]] as T;
  const minx = value<number | null>('minx');
  return {
    id: value('id'),
    kind: value('kind'),
    itemId: value('item_id'),
    view: value('view'),
    versionId: value('version_id'),
    versionStatus: value('version_status'),
    groupId: value('group_id'),
    title: value('title'),
    description: value('description'),
    tags: JSON.parse(value('tags')) as string[],
    categories: JSON.parse(value('categories')) as string[],
    licenseId: value('license_id'),
    licenseType: value('license_type'),
    extent: minx === null ? null : [minx, value('miny'), value('maxx'), value('maxy')],
    createdAt: value('created_at'),
    updatedAt: value('updated_at'),
    publishedAt: value('published_at'),
    popularity: value('popularity'),
  };
}

export class SqliteCatalogSearch implements CatalogSearch, CatalogChanges {
  private readonly prepare: (source: string) => SQLite.Statement;
  /** `select <entry columns> from catalog_items as c`, for `entries`. */
  private readonly entriesSql: string;
  private readonly candidates: CandidatesCache;
  private readonly counts = new Map<string, Count>();
  /** Items whose popularity changed since the last search, as `kind:id`. */
  private readonly popular = new Set<string>();
  private dataVersion: number | undefined;

  constructor(
    private readonly db: Kysely<Database>,
    sqlite: SQLite.Database,
    /** The sets' budget defaults to 96 MiB. */
    options: CandidatesOptions = {},
  ) {
    this.prepare = statementCache(sqlite, 200);
    this.entriesSql = sql`select ${selectEntries} from catalog_items as c`.compile(db).sql;
    this.candidates = new CandidatesCache(options.candidatesBudget ?? 96 * 1024 * 1024);
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
    const set = query.text.length > 0 ? this.candidatesOf(query) : undefined;
    if (set) {
      const page = pageOf(set, query);
      const kept = this.candidates.keptEntries(page.ids);
      const read = this.entries(kept.missing);
      this.candidates.keepEntries(read);
      return { items: filledEntries(kept, read), total: page.total, ...snapshotOf(query, page.newest) };
    }
    const planned = sqliteEngine(this.drivingBoxes(query));
    const count = this.count(query, planned);
    const items = count.total > query.offset ? this.rows(pageQuery(query, planned)).map(decode) : [];
    return { items, total: count.total, ...snapshotOf(query, count.newest) };
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

  /** Rows as arrays, in the order of the query's columns. */
  private rows(query: RawBuilder<unknown>): unknown[][] {
    const { statement, parameters } = this.compiled(query);
    return statement.raw(true).all(...parameters) as unknown[][];
  }

  /** The boxes of the bbox condition that the R*Tree narrows most, if it narrows it to a few rows. */
  private drivingBoxes(query: CatalogSearchQuery): Set<Bbox> {
    const probe = this.prepare(`select count(*) from (select 1 from catalog_rtree where minx <= ? and maxx >= ? and miny <= ? and maxy >= ? limit ${drivingRows})`).pluck();
    let best: { boxes: Bbox[]; rows: number } | undefined;
    for (const condition of query.bbox) {
      const rows = condition.boxes.reduce((n, [minx, miny, maxx, maxy]) => n + (probe.get(maxx, minx, maxy, miny) as number), 0);
      if (rows < drivingRows && (!best || rows < best.rows)) best = { boxes: condition.boxes, rows };
    }
    return new Set(best?.boxes);
  }

  /** The query's count, remembered by what decides it (not its page or order). */
  private count(query: CatalogSearchQuery, planned: CatalogSqlEngine): Count {
    const key = JSON.stringify([query.view, query.text, query.bbox, query.filters, query.snapshot ?? null, query.visibility, query.editors ?? null]);
    let count = this.counts.get(key);
    if (!count) {
      const { statement, parameters } = this.compiled(countQuery(query, planned));
      count = statement.raw(false).get(...parameters) as Count;
      if (this.counts.size >= countsKept) this.counts.delete(this.counts.keys().next().value!);
      this.counts.set(key, count);
    }
    return count;
  }

  /** The entries with these ids, in this order. */
  private entries(ids: number[]): CatalogEntry[] {
    if (ids.length === 0) return [];
    // One bound parameter per id (a page holds at most 100): cheaper than json_each, and one statement per page length.
    // Padded to a power of two with the last id, so that a handful of statements serve every page length.
    const slots = Math.max(8, 2 ** Math.ceil(Math.log2(ids.length)));
    const text = `${this.entriesSql} where c.id in (${'?,'.repeat(slots - 1)}?)`;
    const bound = [...ids, ...Array<number>(slots - ids.length).fill(ids.at(-1)!)];
    const byId = new Map((this.prepare(text).raw(true).all(...bound) as unknown[][]).map((row) => [row[at.id] as number, row]));
    return ids.map((id) => decode(byId.get(id)!));
  }

  /** The matches of the query's words, filters and access, remembered or read now; undefined if too many to hold. */
  private candidatesOf(query: CatalogSearchQuery): Candidates | undefined {
    const key = candidatesKey(query);
    if (this.candidates.isOversized(key)) return undefined;
    let set = this.candidates.get(key);
    if (!set) {
      const maxRows = this.candidates.maxRows;
      const { statement, parameters } = this.compiled(candidatesQuery(query, engine));
      const builder = new CandidatesBuilder();
      for (const row of statement.raw(true).iterate(...parameters) as IterableIterator<CandidateRow>) {
        if (builder.size === maxRows) {
          this.candidates.markOversized(key);
          return undefined;
        }
        builder.add(row);
      }
      set = builder.finish();
      this.candidates.put(key, set);
    }
    return set;
  }

}
