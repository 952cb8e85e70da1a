/**
 * Catalog search for the PostgreSQL store (the `CatalogSearch` port), in the database: the SQL
 * is `repositories/catalog-query.ts`'s, with a weighted `tsvector` (a GIN index per view) for
 * words, the PostGIS envelope (GiST) for boxes and jsonb for tags. A search with words is
 * answered over its matches, kept in memory while the catalog's generation stands (see
 * `PostgresCatalogSearch`), or read in one statement (`textSearch`) when there are too many to
 * keep; one without is a count and a page. Each search reads in one repeatable-read snapshot,
 * so its count and page always agree, and any number of processes serve the same catalog.
 */
import { sql, type Kysely, type RawBuilder, type Selectable, type SqlBool, type Transaction } from 'kysely';
import type { Bbox, CatalogEntry, CatalogKind, CatalogSearch, CatalogSearchQuery, CatalogSearchResult } from '../../domain/ports/catalog-search.js';
import { CandidatesBuilder, CandidatesCache, candidatesKey, candidatesQuery, filledEntries, pageOf, type Candidates, type CandidatesOptions } from '../repositories/catalog-candidates.js';
import type { CatalogChanges } from '../repositories/catalog-repository.js';
import { fromJson } from '../repositories/columns.js';
import { conditions, countQuery, extentMeets, fromWhere, orderBy, pageQuery, selectEntries, snapshotOf, type CatalogSqlEngine, type Count } from '../repositories/catalog-query.js';
import type { CatalogItemsTable, Database } from '../schema.js';
import type { CoalescedRead } from './coalesced-read.js';
import { generationsRead, type Generations } from './generations.js';

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
    // Without words, `&&` finds the candidates by the index (every relation implies it), and the
    // sides decide exactly. With words, the text index finds them (see `textSearch`), and a
    // second, larger set of rows from the extent index (catalog boxes are wide, and its estimates
    // far off) would only cost more to intersect.
    meets: (relation, box): RawBuilder<SqlBool> =>
      text.length > 0 ? extentMeets(relation, box) : sql<SqlBool>`(c.extent && ${envelope(box)} and ${extentMeets(relation, box)})`,
  };
}

/**
 * A search with words, as one statement: the matches, found by the text index of the view (a
 * materialized CTE, so that ORDER BY … LIMIT cannot lead the planner to walk a sort index
 * through thousands of rows without the words), then counted, ranked and paged over those
 * matches. The count and the page are one read, so they agree.
 */
function textSearch(query: CatalogSearchQuery, engine: CatalogSqlEngine): RawBuilder<unknown> {
  const ranked = query.sort.some((key) => key.field === 'relevance');
  const matches = sql`select ${selectEntries}${ranked ? sql`, ${engine.relevance} as relevance` : sql``} ${fromWhere(query, engine, conditions(query, engine))}`;
  return sql`with m as materialized (${matches})
    select c.*, count(*) over () as total, max(c.id) over () as newest from m as c
    ${orderBy(query, { ...engine, relevance: sql<number>`c.relevance` })} limit ${query.limit} offset ${query.offset}`;
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

/**
 * How long a set of matches is kept. Every change that decides a search raises the catalog's
 * generation, which each search reads; popularity counts, which do not (every view counts), are
 * heard of at once from this process and within this time from others. A set's read is a
 * search's slowest step (tens to hundreds of ms for a common word), so a short lifetime would
 * make every process read all its sets again that often; popularity, a count of views, may lag.
 */
const setLifetimeMs = 5 * 60_000;

/** The most matches a set is read with (see `read`). */
const maxReadRows = 60_000;

/** Popularity counts waiting for a word search to take them in (see `popularityChanged`). */
const maxPendingPopularity = 10_000;

/**
 * Searches with words keep their matches in memory as the SQLite store does
 * (`repositories/catalog-candidates.ts`): SQL finds them (text index, view, access, filters) and
 * boxes, order and page are decided over them. The sets are those of one catalog generation
 * (migration 0003), read in each search's snapshot: a newer one empties them, and a search on an
 * older snapshot than theirs neither reads nor keeps them, so a search never mixes two states of
 * the catalog, whichever process changed it.
 */
export class PostgresCatalogSearch implements CatalogSearch, CatalogChanges {
  private readonly candidates: CandidatesCache;
  private generation = -1;
  /** Items whose popularity this process changed since the last search, as `kind:id`. */
  private readonly popular = new Set<string>();
  /** The set read running now, if any (see `oneRead`). */
  private reading: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Kysely<Database>,
    /** The sets' budget defaults to 64 MiB. */
    options: CandidatesOptions = {},
    /** Shared with the store's `authVersion`, so that one read answers both. */
    private readonly generations: CoalescedRead<Generations> = generationsRead(db),
  ) {
    this.candidates = new CandidatesCache(options.candidatesBudget ?? 64 * 1024 * 1024, setLifetimeMs);
  }

  // The generation tells every process of these, in the snapshot a search reads.
  catalogChanged(): void {}
  permissionsChanged(): void {}

  popularityChanged(kind: CatalogKind, itemId: number): void {
    // A process that never searches by words never takes these in: past this many, its sets go instead.
    if (this.popular.size >= maxPendingPopularity) {
      this.popular.clear();
      this.candidates.clear();
    }
    this.popular.add(`${kind}:${itemId}`);
  }

  async search(query: CatalogSearchQuery): Promise<CatalogSearchResult> {
    const key = query.text.length > 0 ? candidatesKey(query) : '';
    if (key) {
      await this.catchUp();
      const kept = await this.overKeptSet(query, key);
      if (kept) return kept;
      // A set read in flight is waited for outside any transaction, so that waiting searches hold no pooled connection.
      await this.reading;
    }
    const engine = postgresEngine(query.text);
    return this.db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        if (key) {
          const set = await this.candidatesOf(query, key, engine, trx);
          if (set) {
            const page = pageOf(set, query);
            return { items: await entries(trx, page.ids), total: page.total, ...snapshotOf(query, page.newest) };
          }
        }
        const counted = async () => (await countQuery(query, engine).execute(trx)).rows[0] as Count;
        let rows: Array<EntryRow & Count> = [];
        let count: Count;
        if (query.text.length > 0) {
          rows = (await textSearch(query, engine).execute(trx)).rows as Array<EntryRow & Count>;
          // A page past the end holds no row to carry the count.
          count = rows[0] ?? (query.offset > 0 ? await counted() : { total: 0, newest: null });
        } else {
          count = await counted();
          if (count.total > query.offset) rows = (await pageQuery(query, engine).execute(trx)).rows as Array<EntryRow & Count>;
        }
        return { items: rows.map(decode), total: Number(count.total), ...snapshotOf(query, count.newest) };
      });
  }

  /**
   * The search over its kept set, with no transaction: the answer stands if the catalog's
   * generation, read after the search began, is still the set's. When every entry of the page is
   * kept, that read is the shared one (`generations`); otherwise the missing rows come with the
   * generation, in one statement and so one snapshot. Undefined when there is no such set or the
   * catalog has moved on; the search then takes the transaction's path.
   */
  private async overKeptSet(query: CatalogSearchQuery, key: string): Promise<CatalogSearchResult | undefined> {
    const generation = this.generation;
    const set = this.candidates.get(key);
    if (!set) return undefined;
    const page = pageOf(set, query);
    const kept = this.candidates.keptEntries(page.ids);
    let read: CatalogEntry[] = [];
    if (kept.missing.length === 0) {
      if ((await this.generations.read()).catalog !== generation) return undefined;
    } else {
      const { rows } = await sql<Partial<EntryRow> & { generation: number }>`select g.n as generation, ${selectEntries}
        from catalog_generation as g left join catalog_items as c on c.id = any(${kept.missing}::int[])`.execute(this.db);
      if (rows[0]?.generation !== generation) return undefined;
      read = rows.filter((row): row is EntryRow & { generation: number } => row.id != null).map(decode);
      // Kept only while the sets are still of that generation (another search may have moved on meanwhile).
      if (generation === this.generation) this.candidates.keepEntries(read);
    }
    return { items: filledEntries(kept, read), total: page.total, ...snapshotOf(query, page.newest) };
  }

  /** The query's set of matches, kept or read now in `trx`; undefined when too many to hold. */
  private async candidatesOf(query: CatalogSearchQuery, key: string, engine: CatalogSqlEngine, trx: Transaction<Database>): Promise<Candidates | undefined> {
    const [{ n }] = (await sql<{ n: number }>`select n from catalog_generation`.execute(trx)).rows as [{ n: number }];
    if (n > this.generation) {
      this.candidates.clear();
      this.generation = n;
    }
    // A snapshot older than the sets' is answered in SQL alone: a set read for it could not be kept.
    if (n < this.generation || this.candidates.isOversized(key)) return undefined;
    // Checked again after each wait: the generation may have moved on meanwhile, and its sets with it.
    const kept = () => (n === this.generation ? this.candidates.get(key) : undefined);
    return kept() ?? this.oneRead(async () => kept() ?? (n === this.generation ? this.read(query, engine, trx, n, key) : undefined));
  }

  /**
   * Runs set reads one at a time: each holds its rows as objects for a moment, and a read is the
   * database's heaviest query, so concurrent misses would add up in memory and in time alike.
   * A search waiting here finds the set if the read before it was of the same key.
   */
  private oneRead<T>(read: () => Promise<T>): Promise<T> {
    const run = this.reading.then(read, read);
    this.reading = run.catch(() => undefined);
    return run;
  }

  private async read(query: CatalogSearchQuery, engine: CatalogSqlEngine, trx: Transaction<Database>, n: number, key: string): Promise<Candidates | undefined> {
    // Read all at once: so many are held for a moment only, and a search with more matches than
    // that is better answered in SQL alone.
    const maxRows = Math.min(this.candidates.maxRows, maxReadRows);
    const rows = (await candidatesQuery(query, engine, maxRows + 1).execute(trx)).rows as CandidateObject[];
    if (rows.length > maxRows) {
      if (n === this.generation) this.candidates.markOversized(key);
      return undefined;
    }
    const builder = new CandidatesBuilder();
    for (const r of rows) builder.add([r.id, r.title, r.minx, r.miny, r.maxx, r.maxy, r.created_at, r.updated_at, r.popularity, r.relevance]);
    const set = builder.finish();
    if (n === this.generation) this.candidates.put(key, set);
    return set;
  }

  /**
   * Takes in the popularity counts this process made since the last search, in one fresh
   * statement (not a search's snapshot, which may predate a count). Each count is marked after
   * it commits, so a mark taken here has its count in what this reads; one that fails is kept.
   */
  private async catchUp(): Promise<void> {
    if (this.popular.size === 0) return;
    const pending = [...this.popular].map((key) => key.split(':') as [string, string]);
    this.popular.clear();
    try {
      const { rows } = await sql<{ id: number; popularity: number }>`select c.id, c.popularity
        from unnest(${pending.map(([kind]) => kind)}::text[], ${pending.map(([, id]) => Number(id))}::int[]) as p(kind, item_id)
        join catalog_items as c on c.kind = p.kind and c.item_id = p.item_id`.execute(this.db);
      this.candidates.setPopularity(rows);
    } catch (error) {
      for (const [kind, id] of pending) this.popular.add(`${kind}:${id}`);
      throw error;
    }
  }
}

/** A set's row as PostgreSQL returns it. */
interface CandidateObject {
  id: number;
  title: string;
  minx: number | null;
  miny: number;
  maxx: number;
  maxy: number;
  created_at: string;
  updated_at: string;
  popularity: number;
  relevance: number;
}

/** The entries with these ids, in this order. */
async function entries(trx: Transaction<Database>, ids: number[]): Promise<CatalogEntry[]> {
  if (ids.length === 0) return [];
  return inOrder(ids, (await sql`select ${selectEntries} from catalog_items as c where c.id = any(${ids}::int[])`.execute(trx)).rows as EntryRow[]);
}

/** The rows decoded, in the order of `ids`. */
function inOrder(ids: number[], rows: EntryRow[]): CatalogEntry[] {
  const byId = new Map(rows.map((row) => [row.id, row]));
  return ids.map((id) => decode(byId.get(id)!));
}

