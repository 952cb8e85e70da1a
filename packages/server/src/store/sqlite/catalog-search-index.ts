import { sql, type Kysely } from 'kysely';
import type { BboxClause, FilterClause, FilterValue, ListQuery, LonLatBox, SpatialRelation } from '../../domain/list-query.js';
import { everyone, type ItemVisibility, type PermissionLevel } from '../../domain/policies/items.js';
import { CatalogColumns, entryColumns, kindCodes, levelCode, permissionKey, viewCodes, type EntryRow } from '../repositories/catalog-columns.js';
import type { CatalogItemRow, Database } from '../schema.js';

type View = CatalogItemRow['view'];

export interface CatalogSearchResult {
  /** Catalog row ids of the page, in order. */
  ids: number[];
  total: number;
  snapshot: number | undefined;
}

/** Words of a search as an FTS5 query: each quoted (no operators), all required, the last as a prefix. */
export function ftsQuery(text: string): string {
  const words = text.match(/[\p{L}\p{N}_]+/gu) ?? [];
  return words.map((w, i) => `"${w}"${i === words.length - 1 ? '*' : ''}`).join(' ');
}

const itemKey = (kind: string, itemId: number) => `${kind}:${itemId}`;

/** Whether a JSON string array holds this exact string; the substring test rules most rows out cheaply. */
function jsonArrayHas(json: string, value: string): boolean {
  return json.includes(JSON.stringify(value)) && (JSON.parse(json) as string[]).includes(value);
}

/** A test of the row with id `i`. */
type Predicate = (i: number) => boolean;

/** The spatial relation of an extent to a `minx,miny,maxx,maxy` box (a NaN extent, none, matches nothing). */
type BoxTest = (x0: number, y0: number, x1: number, y1: number) => boolean;

function boxTest(relation: SpatialRelation, [minx, miny, maxx, maxy]: LonLatBox): BoxTest {
  if (relation === 'within') return (x0, y0, x1, y1) => x0 >= minx && x1 <= maxx && y0 >= miny && y1 <= maxy;
  if (relation === 'contains') return (x0, y0, x1, y1) => x0 <= minx && x1 >= maxx && y0 <= miny && y1 >= maxy;
  return (x0, y0, x1, y1) => x0 <= maxx && x1 >= minx && y0 <= maxy && y1 >= miny;
}

function bboxPredicate(c: CatalogColumns, relation: SpatialRelation, box: LonLatBox): Predicate {
  const test = boxTest(relation, box);
  return (i) => test(c.minx[i]!, c.miny[i]!, c.maxx[i]!, c.maxy[i]!);
}

function timePredicate(column: Float64Array, lookup: FilterClause['lookup'], value: FilterValue): Predicate {
  const v = Date.parse(String(value));
  switch (lookup) {
    case 'gt':
      return (i) => column[i]! > v;
    case 'gte':
      return (i) => column[i]! >= v;
    case 'lt':
      return (i) => column[i]! < v;
    case 'lte':
      return (i) => column[i]! <= v;
    default:
      return (i) => column[i]! === v;
  }
}

/** One value of one filter, as the catalog's list spec defines them, compiled once per search. */
function valuePredicate(c: CatalogColumns, field: string, lookup: FilterClause['lookup'], value: FilterValue): Predicate {
  switch (field) {
    case 'type': {
      const kind = kindCodes[value as keyof typeof kindCodes];
      return (i) => c.kind[i] === kind;
    }
    case 'kind': {
      const kind = value === 'table' ? kindCodes.table : kindCodes.layer;
      return (i) => c.kind[i] === kind;
    }
    case 'group':
      return (i) => c.groupId[i] === value;
    case 'license':
      return (i) => c.licenseId[i] === value;
    case 'license_type': {
      // A family name without a dash (`cc`) matches the whole family (cc-by, cc-by-sa, ...); `cc-by` is exact.
      const v = String(value);
      const family = v.includes('-') ? null : `${v}-`;
      return (i) => {
        const t = c.licenseType[i];
        return t != null && (t === v || (family !== null && t.startsWith(family)));
      };
    }
    case 'public':
      // Public: group.everyone holds a permission on it.
      return (i) => (c.publicLevel[i] !== 0) === value;
    case 'tag':
      return (i) => jsonArrayHas(c.tags[i]!, String(value));
    case 'category':
      return (i) => jsonArrayHas(c.categories[i]!, String(value));
    case 'created_at':
      return timePredicate(c.createdAt, lookup, value);
    case 'updated_at':
      return timePredicate(c.updatedAt, lookup, value);
    case 'version_status':
      return (i) => c.versionStatus[i] === value;
    default:
      // Faces only let through the fields the catalog offers; a miss here is a programming error.
      throw new Error(`Catalog filter "${field}" has no implementation`);
  }
}

/** The filters and boxes of a query (values OR-ed, clauses AND-ed) as one predicate. */
function compileFilters(c: CatalogColumns, filters: FilterClause[], boxes: BboxClause[]): Predicate {
  const anyOf = (alternatives: Predicate[]): Predicate => (alternatives.length === 1 ? alternatives[0]! : (i) => alternatives.some((p) => p(i)));
  const clauses = [
    ...filters.map((f) => anyOf(f.values.map((v) => valuePredicate(c, f.field, f.lookup, v)))),
    ...boxes.map((b) => anyOf(b.boxes.map((box) => bboxPredicate(c, b.relation, box)))),
  ];
  return (i) => {
    for (const clause of clauses) if (!clause(i)) return false;
    return true;
  };
}

/** The rows a full-text query matches (all views), and their BM25 scores once asked for. */
interface TextMatches {
  ids: Int32Array;
  /** The matches of one view, made on first use (a row's view never changes). */
  byView: Map<number, Candidates>;
  /** bm25() of each of `ids`, lower is better; computed on first use. */
  scores?: Map<number, number>;
}

/**
 * Rows to consider, with their extents copied alongside (minx, miny, maxx, maxy per row): the
 * bbox test then reads memory in order instead of missing the cache on every row.
 */
interface Candidates {
  ids: Int32Array;
  boxes: Float64Array;
}

/** How many full-text results to keep, and how many matches in all (about 25 bytes each with their extents: 75 MB at most). */
const textCacheSize = 256;
const textCacheMatches = 3_000_000;

type Comparator = (a: number, b: number) => number;

function comparatorFor(c: CatalogColumns, field: string, scores: Map<number, number> | null): Comparator {
  switch (field) {
    case 'title':
      return (a, b) => (c.title[a]! < c.title[b]! ? -1 : c.title[a]! > c.title[b]! ? 1 : 0);
    case 'created_at':
      return (a, b) => c.createdAt[a]! - c.createdAt[b]!;
    case 'updated_at':
      return (a, b) => c.updatedAt[a]! - c.updatedAt[b]!;
    case 'popularity':
      return (a, b) => c.popularity[a]! - c.popularity[b]!;
    case 'relevance':
      // BM25 is lower for better matches; without a text search, relevance falls back to recency.
      return scores ? (a, b) => scores.get(a)! - scores.get(b)! : comparatorFor(c, 'updated_at', null);
    default:
      throw new Error(`Catalog ordering "${field}" has no implementation`);
  }
}

/**
 * The catalog's search, for the SQLite store. FTS5 finds the rows that match the words (one
 * native query, its row ids returned as one JSON array); everything else (the view, access,
 * bbox and the other filters, the count, the order and the page) is decided over an in-memory
 * copy of the catalog rows' keys, which costs nanoseconds a row where SQL costs a microsecond.
 * Only the page's rows are then read in full. At 100,000 items a search touching thousands of
 * matches stays around a millisecond.
 *
 * The copy follows the table: the repository marks items it writes as dirty and they are read
 * again before the next search; a write by another connection (seen in `data_version`) reloads
 * it all. Permission grants are cached per principal and dropped on any permission write.
 */
export class CatalogSearchIndex {
  private columns = new CatalogColumns();
  private byItem = new Map<string, number[]>();
  private loaded = false;
  private dataVersion: number | null = null;
  private readonly dirty = new Set<string>();
  private readonly texts = new Map<string, TextMatches>();
  private textMatchCount = 0;
  /** Counts text changes, so a result read across one is not cached. */
  private textGeneration = 0;
  /** Per principal, its grants (a promise, so concurrent searches share one read). */
  private readonly grants = new Map<string, Promise<Map<number, PermissionLevel>>>();
  /** group.everyone's grants as last read, for rows loaded before the next search. */
  private publicGrants: Map<number, PermissionLevel> | null = null;
  /** Whether every row's public level reflects the current `group.everyone` grants. */
  private publicLevelsCurrent = false;
  /** Counts permission changes, so a slow read does not mark stale levels current. */
  private permissionsGeneration = 0;

  /** An item's catalog rows changed (or went): read them again before the next search. */
  itemChanged(kind: CatalogItemRow['kind'], itemId: number, text = true): void {
    this.dirty.add(itemKey(kind, itemId));
    if (text) this.forgetTexts();
  }

  private forgetTexts(): void {
    this.texts.clear();
    this.textMatchCount = 0;
    this.textGeneration++;
  }

  /** Some permission changed: forget cached grants. */
  permissionsChanged(): void {
    this.grants.clear();
    this.publicGrants = null;
    this.publicLevelsCurrent = false;
    this.permissionsGeneration++;
  }

  private put(row: EntryRow): void {
    this.columns.put(row, levelCode(this.publicGrants?.get(permissionKey(row.kind, row.item_id))));
    const key = itemKey(row.kind, row.item_id);
    const ids = this.byItem.get(key) ?? [];
    if (!ids.includes(row.id)) ids.push(row.id);
    this.byItem.set(key, ids);
  }

  /** Refreshes run one after another: two interleaved at their awaits could each see half the other's work. */
  private refreshing: Promise<void> = Promise.resolve();

  private refresh(db: Kysely<Database>): Promise<void> {
    const run = this.refreshing.then(() => this.refreshNow(db));
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  private async refreshNow(db: Kysely<Database>): Promise<void> {
    // data_version changes when another connection commits: then nothing here can be trusted.
    const version = Number((await sql<{ data_version: number }>`pragma data_version`.execute(db)).rows[0]?.data_version);
    if (!this.loaded || version !== this.dataVersion) {
      this.columns = new CatalogColumns();
      this.byItem = new Map();
      this.dirty.clear();
      this.forgetTexts();
      this.permissionsChanged();
      // In slices, so that the rows read never sit in memory all at once.
      for (let after = 0; ; ) {
        const rows = await db.selectFrom('catalog_items').select(entryColumns).where('id', '>', after).orderBy('id').limit(10_000).execute();
        for (const row of rows) this.put(row);
        if (rows.length < 10_000) break;
        after = rows.at(-1)!.id;
      }
      this.loaded = true;
      this.dataVersion = version;
      return;
    }
    // One key at a time, taken off the set before its read, so a change made meanwhile is seen
    // again; the rows are read first and swapped in without an await, so no search sees a gap.
    while (this.dirty.size > 0) {
      const key = this.dirty.values().next().value!;
      this.dirty.delete(key);
      const [kind, itemId] = key.split(':') as [CatalogItemRow['kind'], string];
      const rows = await db.selectFrom('catalog_items').select(entryColumns).where('kind', '=', kind).where('item_id', '=', Number(itemId)).execute();
      for (const id of this.byItem.get(key) ?? []) this.columns.remove(id);
      this.byItem.delete(key);
      for (const row of rows) this.put(row);
    }
  }

  /** Loads the catalog keys and public grants. */
  async prepare(db: Kysely<Database>): Promise<void> {
    await this.refresh(db);
    await this.updatePublicLevels(db);
  }

  /** The grants of each principal, from the cache or the permissions table. */
  private async grantsOf(db: Kysely<Database>, principals: readonly string[]): Promise<Array<Map<number, PermissionLevel>>> {
    const missing = principals.filter((p) => !this.grants.has(p));
    if (missing.length > 0) {
      const read = db
        .selectFrom('permissions')
        .select(['principal', 'item_kind', 'item_id', 'level'])
        .where('principal', 'in', missing)
        .execute()
        .then((rows) => {
          const byPrincipal = new Map(missing.map((p) => [p, new Map<number, PermissionLevel>()]));
          for (const row of rows) byPrincipal.get(row.principal)!.set(permissionKey(row.item_kind, row.item_id), row.level);
          return byPrincipal;
        });
      for (const p of missing) {
        const grants = read.then((all) => all.get(p)!);
        // A failed read is not cached.
        grants.catch(() => this.grants.delete(p));
        this.grants.set(p, grants);
      }
    }
    return Promise.all(principals.map((p) => this.grants.get(p)!));
  }

  /** Brings every row's public level in line with the `group.everyone` grants. */
  private async updatePublicLevels(db: Kysely<Database>): Promise<void> {
    if (this.publicLevelsCurrent) return;
    const generation = this.permissionsGeneration;
    const grants = (await this.grantsOf(db, [everyone]))[0]!;
    if (generation !== this.permissionsGeneration) return this.updatePublicLevels(db);
    this.publicGrants = grants;
    const c = this.columns;
    for (let i = 0; i < c.end; i++) if (c.present[i]) c.publicLevel[i] = levelCode(grants.get(c.permissionKey[i]!));
    this.publicLevelsCurrent = true;
  }

  /**
   * The rows matching a full-text query, in one native query, cached until any catalog text
   * changes. FTS5 takes milliseconds for a word that matches thousands of rows, and those
   * common words are the ones asked most; a cache of the last few hundred makes them free.
   */
  private async textMatches(db: Kysely<Database>, match: string): Promise<TextMatches> {
    const cached = this.texts.get(match);
    if (cached) {
      // Most recently used last, so the oldest is first out.
      this.texts.delete(match);
      this.texts.set(match, cached);
      return cached;
    }
    const generation = this.textGeneration;
    const row = await sql<{ ids: string }>`select json_group_array(rowid) as ids from catalog_fts where catalog_fts match ${match}`.execute(db);
    const found: TextMatches = { ids: Int32Array.from(JSON.parse(row.rows[0]?.ids ?? '[]') as number[]), byView: new Map() };
    if (generation !== this.textGeneration) return found;
    this.texts.set(match, found);
    this.textMatchCount += found.ids.length;
    while (this.texts.size > textCacheSize || (this.textMatchCount > textCacheMatches && this.texts.size > 1)) {
      const [oldest, dropped] = this.texts.entries().next().value!;
      this.texts.delete(oldest);
      this.textMatchCount -= dropped.ids.length;
    }
    return found;
  }

  /** The matches in one view (0: all views), with their extents. */
  private candidates(found: TextMatches, viewCode: number): Candidates {
    let candidates = found.byView.get(viewCode);
    if (!candidates) {
      const c = this.columns;
      // Presence is checked at each search; a row's view never changes, and a row not loaded yet
      // can only arrive by a write, which empties this cache.
      const ids = found.ids.filter((i) => i < c.end && (viewCode === 0 || c.view[i] === viewCode));
      const boxes = new Float64Array(ids.length * 4);
      ids.forEach((i, k) => boxes.set([c.minx[i]!, c.miny[i]!, c.maxx[i]!, c.maxy[i]!], k * 4));
      candidates = { ids, boxes };
      found.byView.set(viewCode, candidates);
    }
    return candidates;
  }

  /**
   * The rows whose extent meets the box, from the R*Tree: a superset for every relation (what
   * lies within a box or contains it also meets it), since the R*Tree rounds its 32-bit
   * coordinates outwards; the exact test is made on the candidates.
   */
  private async boxMatches(db: Kysely<Database>, box: BboxClause): Promise<Int32Array> {
    const [minx, miny, maxx, maxy] = box.boxes[0]!;
    const row = await sql<{ ids: string }>`select json_group_array(id) as ids from catalog_rtree
      where minx <= ${maxx} and maxx >= ${minx} and miny <= ${maxy} and maxy >= ${miny}`.execute(db);
    return Int32Array.from(JSON.parse(row.rows[0]?.ids ?? '[]') as number[]);
  }

  /** FTS5's bm25() of every match of the query, once per cached query. */
  private async relevance(db: Kysely<Database>, match: string, found: TextMatches): Promise<Map<number, number>> {
    if (!found.scores) {
      // Column weights: a title match counts most, then tags and categories, then description, then field names, then the data's own text values.
      const rows = await sql<{ id: number; score: number }>`select rowid as id, bm25(catalog_fts, 10, 2, 4, 3, 1, 0.2) as score from catalog_fts where catalog_fts match ${match}`.execute(db);
      found.scores = new Map(rows.rows.map((r) => [r.id, r.score]));
    }
    return found.scores;
  }

  /**
   * One page of a search and its total. `visibility` decides what may be viewed; for the
   * `latest` view, `editors` decides who sees an item's newest row rather than its published one.
   */
  async search(db: Kysely<Database>, view: View, query: ListQuery, visibility: ItemVisibility, editors?: ItemVisibility): Promise<CatalogSearchResult> {
    await this.refresh(db);
    await this.updatePublicLevels(db);
    const c = this.columns;
    const texts = (query.text ?? []).map((text) => `(${ftsQuery(text)})`);
    const match = texts.join(' OR ');

    // group.everyone's grants are in the columns already; the caller's other principals rarely hold many.
    const others = visibility.all ? [] : (await this.grantsOf(db, visibility.principals.filter((p) => p !== everyone))).filter((g) => g.size > 0);
    const grantedLevel = (i: number): number => {
      let best = c.publicLevel[i]!;
      for (const grants of others) best = Math.max(best, levelCode(grants.get(c.permissionKey[i]!)));
      return best;
    };
    const holderOf = (v: ItemVisibility): Predicate => {
      if (v.all) return () => true;
      const groups = new Set(v.memberOf);
      const lowest = Math.min(...v.levels.map((l) => levelCode(l)));
      return (i) => groups.has(c.groupId[i]!) || grantedLevel(i) >= lowest;
    };
    const viewCode = viewCodes[view];
    const mayView = holderOf(visibility);
    let visible: Predicate = (i) => c.view[i] === viewCode && mayView(i);
    if (view === 'latest' && editors !== undefined && !editors.all) {
      // Each item once: its latest row for its editors, its published row for its other readers.
      const mayEdit = holderOf(editors);
      visible = (i) => (c.view[i] === viewCodes.latest ? mayEdit(i) : mayView(i) && !mayEdit(i));
    }
    // A lone bbox, the common case, is tested inline on the columns (the hot loop of a search);
    // the other filters go through compiled predicates.
    const bboxes = query.bbox ?? [];
    const box = bboxes.length === 1 && bboxes[0]!.boxes.length === 1 ? bboxes[0]! : undefined;
    const inBox = box ? boxTest(box.relation, box.boxes[0]!) : null;
    const otherBoxes = bboxes.filter((b) => b !== box);
    const matchesRest = query.filters.length > 0 || otherBoxes.length > 0 ? compileFilters(c, query.filters, otherBoxes) : null;
    const snapshot = query.snapshot ?? Infinity;
    const { present, minx, miny, maxx, maxy, end } = c;

    const matches: number[] = [];
    let newest = -1;
    // The candidates: a text query's matches; else, for a lone bbox, what the R*Tree finds; else every row.
    const found = match ? await this.textMatches(db, match) : null;
    const list = found ? this.candidates(found, view === 'latest' ? 0 : viewCode) : null;
    const ids = list?.ids ?? (box ? await this.boxMatches(db, box) : undefined);
    const boxes = list?.boxes;
    const count = ids ? ids.length : end;
    for (let k = 0; k < count; k++) {
      const i = ids ? ids[k]! : k;
      if (i >= end || present[i] === 0 || i > snapshot) continue;
      if (inBox) {
        const hit = boxes
          ? inBox(boxes[k * 4]!, boxes[k * 4 + 1]!, boxes[k * 4 + 2]!, boxes[k * 4 + 3]!)
          : inBox(minx[i]!, miny[i]!, maxx[i]!, maxy[i]!);
        if (!hit) continue;
      }
      if ((matchesRest && !matchesRest(i)) || !visible(i)) continue;
      matches.push(i);
      if (i > newest) newest = i;
    }

    const scores = found && query.sort.some((k) => k.field === 'relevance') ? await this.relevance(db, match, found) : null;
    const keys = query.sort.map((k) => ({ compare: comparatorFor(c, k.field, scores), sign: k.descending ? -1 : 1 }));
    const idSign = (query.sort.at(-1)?.descending ?? false) ? -1 : 1;
    const start = query.offset;
    return {
      ids: firstSorted(matches, start + query.limit, (a, b) => {
        for (const key of keys) {
          const d = key.compare(a, b);
          if (d !== 0) return d * key.sign;
        }
        return (a - b) * idSign;
      }).slice(start),
      total: matches.length,
      snapshot: query.snapshot ?? (newest >= 0 ? newest : undefined),
    };
  }
}

/** The first `n` of `items` in order, without sorting all of them when `n` is small. */
function firstSorted(items: number[], n: number, compare: Comparator): number[] {
  if (n * 8 >= items.length) return items.sort(compare).slice(0, n);
  // A bounded selection: keep the best n seen so far, sorted; most items fail the first comparison.
  const best = items.slice(0, n).sort(compare);
  for (let k = n; k < items.length; k++) {
    const item = items[k]!;
    if (compare(item, best[n - 1]!) >= 0) continue;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (compare(item, best[mid]!) < 0) hi = mid;
      else lo = mid + 1;
    }
    best.splice(lo, 0, item);
    best.pop();
  }
  return best;
}
