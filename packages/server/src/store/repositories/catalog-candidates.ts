/**
 * A store's memory for full-text searches. Ranking has no index order to stop early on (bm25 on
 * SQLite, ts_rank on PostgreSQL), and a common word matches tens of thousands of rows, so
 * reading them costs milliseconds each time. SQL reads them once (the text match, view, access
 * and filters applied there; `candidatesQuery`) into a `Candidates` set of typed arrays; the
 * searches that follow with the same words, filters and access differ only in boxes, order and
 * page, which this module decides in microseconds. Sets are kept within a fixed budget, least
 * recently used out first, so memory does not grow with the catalog; each store drops them all
 * when the catalog or permissions change. The entries of recent pages are kept beside them, so
 * that a page of rows seen before is not read and decoded again.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Bbox, BoxRelation, CatalogEntry, CatalogSearchQuery, CatalogSortField } from '../../domain/ports/catalog-search.js';
import { boxComparisons, conditions, fromWhere, type CatalogSqlEngine } from './catalog-query.js';

/** What decides a query's set: everything but its boxes, snapshot, order and page. */
export function candidatesKey(query: CatalogSearchQuery): string {
  return JSON.stringify([query.view, query.text, query.filters, query.visibility, query.editors ?? null]);
}

/** A set's rows as `candidatesQuery` reads them. */
export type CandidateRow = [id: number, title: string, minx: number | null, miny: number, maxx: number, maxy: number, createdAt: string, updatedAt: string, popularity: number, relevance: number];

/** The SQL reading a query's set, in title order (which the set's title ranks follow); `limit` rows at most. */
export function candidatesQuery(query: CatalogSearchQuery, engine: CatalogSqlEngine, limit?: number): RawBuilder<unknown> {
  const where = conditions(query, engine, { bbox: false, snapshot: false });
  return sql`select c.id, c.title, c.minx, c.miny, c.maxx, c.maxy, c.created_at, c.updated_at, c.popularity, ${engine.relevance} as relevance
    ${fromWhere(query, engine, where)} order by c.title${limit === undefined ? sql`` : sql` limit ${limit}`}`;
}

/** The rows one search matches (before boxes, snapshot and paging), in id order. */
export interface Candidates {
  ids: Int32Array;
  /** minx, miny, maxx, maxy of each; NaN without an extent, which then meets no box. */
  boxes: Float64Array;
  /** Milliseconds since 1970. */
  createdAt: Float64Array;
  updatedAt: Float64Array;
  popularity: Float64Array;
  /** Relevance, lower first: bm25 on SQLite, negated ts_rank on PostgreSQL. */
  relevance: Float64Array;
  /** Each row's place in title order (equal titles share one). */
  title: Int32Array;
  /** Positions by one sort column, made when a search first sorts by it (see `orderOf`). */
  orders: Partial<Record<CatalogSortField, Int32Array>>;
}

/** Bytes a set holds per row, an order by each sort column included. */
const bytesPerRow = 4 + 4 * 8 + 4 * 8 + 4 + 5 * 4;

/** Fills a `Candidates` set row by row, in title order (as SQL orders titles), growing its arrays as needed. */
export class CandidatesBuilder {
  private n = 0;
  private lastTitle: string | undefined;
  private rank = -1;

  get size(): number {
    return this.n;
  }

  private ids = new Int32Array(1024);
  private boxes = new Float64Array(4096);
  private createdAt = new Float64Array(1024);
  private updatedAt = new Float64Array(1024);
  private popularity = new Float64Array(1024);
  private relevance = new Float64Array(1024);
  private title = new Int32Array(1024);

  add([id, title, minx, miny, maxx, maxy, createdAt, updatedAt, popularity, relevance]: CandidateRow): void {
    if (this.n === this.ids.length) this.grow();
    const i = this.n++;
    if (title !== this.lastTitle) this.rank++;
    this.lastTitle = title;
    this.title[i] = this.rank;
    this.ids[i] = id;
    this.boxes.set(minx === null ? [NaN, NaN, NaN, NaN] : [minx, miny, maxx, maxy], i * 4);
    this.createdAt[i] = Date.parse(createdAt);
    this.updatedAt[i] = Date.parse(updatedAt);
    this.popularity[i] = popularity;
    this.relevance[i] = relevance;
  }

  private grow(): void {
    const more = <T extends Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(a.length * 2);
      b.set(a);
      return b;
    };
    this.ids = more(this.ids);
    this.boxes = more(this.boxes);
    this.createdAt = more(this.createdAt);
    this.updatedAt = more(this.updatedAt);
    this.popularity = more(this.popularity);
    this.relevance = more(this.relevance);
    this.title = more(this.title);
  }

  /** The set, in id order. */
  finish(): Candidates {
    const n = this.n;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.ids[a]! - this.ids[b]!);
    const pick = <T extends Int32Array | Float64Array>(a: T, width = 1): T => {
      const b = new (a.constructor as new (n: number) => T)(n * width);
      order.forEach((from, to) => b.set(a.subarray(from * width, from * width + width), to * width));
      return b;
    };
    return {
      ids: pick(this.ids),
      boxes: pick(this.boxes, 4),
      createdAt: pick(this.createdAt),
      updatedAt: pick(this.updatedAt),
      popularity: pick(this.popularity),
      relevance: pick(this.relevance),
      title: pick(this.title),
      orders: {},
    };
  }
}

const sideIndex = { minx: 0, miny: 1, maxx: 2, maxy: 3 } as const;

/** Where `id` is in the set, or -1. */
function indexOf(set: Candidates, id: number): number {
  let lo = 0;
  let hi = set.ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = set.ids[mid]!;
    if (at === id) return mid;
    if (at < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/** A store's options for its sets. */
export interface CandidatesOptions {
  /**
   * Bytes the sets of full-text matches may hold in all (see `CandidatesCache`); a search with
   * more matches than one set may hold is answered in SQL alone.
   */
  candidatesBudget?: number;
}

/**
 * How many entries of recent pages are kept: searches page the same few thousand rows of the
 * common words over and over (a 100,000-item catalog's benchmark pages about 14,000 distinct
 * rows), and one entry holds about 1 KB.
 */
const entriesKept = 16_384;

/** The entries of a page, those kept and those to read. */
export interface KeptEntries {
  ids: readonly number[];
  /** In the order of `ids`; undefined where not kept. */
  entries: Array<CatalogEntry | undefined>;
  missing: number[];
}

/** Recently used sets within a byte budget, and the entries of recent pages, of one state of the catalog. */
export class CandidatesCache {
  private readonly sets = new Map<string, Candidates>();
  /** By row id, first kept first out (refreshing each use would cost two map writes a row, on every page). */
  private readonly entries = new Map<number, CatalogEntry>();
  private readonly madeAt = new Map<string, number>();
  /** Keys whose matches were too many to keep: their searches are answered in SQL alone, without trying again. */
  private readonly oversized = new Set<string>();
  private bytes = 0;

  /**
   * `budget` in bytes; `maxAgeMs`, how long a set is trusted for what the store cannot hear of
   * (other processes' popularity counts).
   */
  constructor(
    private readonly budget: number,
    private readonly maxAgeMs = Infinity,
  ) {}

  /** The most rows a set may have: half the budget, so that one set never empties the cache. */
  get maxRows(): number {
    return Math.floor(this.budget / 2 / bytesPerRow);
  }

  get(key: string): Candidates | undefined {
    if (Date.now() - (this.madeAt.get(key) ?? 0) > this.maxAgeMs) this.drop(key);
    const set = this.sets.get(key);
    if (set) {
      // Most recently used last, so the oldest is first out.
      this.sets.delete(key);
      this.sets.set(key, set);
    }
    return set;
  }

  put(key: string, set: Candidates): void {
    // Two searches of one key may both have read it (a store whose reads are asynchronous).
    this.drop(key);
    this.sets.set(key, set);
    this.madeAt.set(key, Date.now());
    this.bytes += set.ids.length * bytesPerRow;
    for (const oldest of this.sets.keys()) {
      if (this.bytes <= this.budget) break;
      this.drop(oldest);
    }
  }

  private drop(key: string): void {
    const set = this.sets.get(key);
    if (!set) return;
    this.sets.delete(key);
    this.madeAt.delete(key);
    this.bytes -= set.ids.length * bytesPerRow;
  }

  /** The kept entries of the rows with these ids, and the ids of those not kept. */
  keptEntries(ids: readonly number[]): KeptEntries {
    const missing: number[] = [];
    const entries = ids.map((id) => {
      const entry = this.entries.get(id);
      if (entry === undefined) missing.push(id);
      return entry;
    });
    return { ids, entries, missing };
  }

  /** Keeps entries just read, of the catalog's state that the sets are of. */
  keepEntries(read: readonly CatalogEntry[]): void {
    for (const entry of read) {
      this.entries.set(entry.id, entry);
      if (this.entries.size > entriesKept) this.entries.delete(this.entries.keys().next().value!);
    }
  }

  clear(): void {
    this.entries.clear();
    this.sets.clear();
    this.madeAt.clear();
    this.oversized.clear();
    this.bytes = 0;
  }

  isOversized(key: string): boolean {
    return this.oversized.has(key);
  }

  markOversized(key: string): void {
    // Bounded like the sets: a stream of distinct searches must not grow it.
    if (this.oversized.size >= 10_000) this.oversized.clear();
    this.oversized.add(key);
  }

  /** Rows' new popularity, wherever they are held. */
  setPopularity(rows: ReadonlyArray<{ id: number; popularity: number }>): void {
    // Entries are shared by the searches that found them: one whose count moved is read again.
    for (const row of rows) this.entries.delete(row.id);
    for (const set of this.sets.values()) {
      for (const row of rows) {
        const i = indexOf(set, row.id);
        if (i >= 0 && set.popularity[i] !== row.popularity) {
          set.popularity[i] = row.popularity;
          delete set.orders.popularity;
        }
      }
    }
  }
}

/** A page's entries in order: those kept, and the missing ones from `read` (as the store just read them). */
export function filledEntries(kept: KeptEntries, read: readonly CatalogEntry[]): CatalogEntry[] {
  const byId = new Map(read.map((entry) => [entry.id, entry]));
  return kept.entries.map((entry, i) => entry ?? byId.get(kept.ids[i]!)!);
}

type Compare = (a: number, b: number) => number;

/** The page's ids in order, how many rows match, and the highest id among them. */
export interface CandidatesPage {
  ids: number[];
  total: number;
  newest: number | undefined;
}

/**
 * The query's page of a set: rows meeting its boxes and snapshot, ordered by its sort keys (the
 * row id breaking ties in the direction of the last), as `orderBy` orders them in SQL. The count
 * tests every row; the page, with one sort key (what nearly every search has), walks the set in
 * that key's order and stops once it is full.
 */
export function pageOf(set: Candidates, query: CatalogSearchQuery): CandidatesPage {
  const { ids } = set;
  const meets = rowTest(set, query);
  const total = countMatches(set, query, meets);
  // Rows are in id order, so the last match has the highest.
  let last = ids.length - 1;
  while (last >= 0 && !meets(last)) last--;
  const newest = last >= 0 ? ids[last] : undefined;
  if (query.sort.length !== 1) return { ids: sortedPage(set, query, meets).map((i) => ids[i]!), total, newest };
  const [{ field, descending }] = query.sort as [{ field: CatalogSortField; descending: boolean }];
  const order = orderOf(set, field);
  const page: number[] = [];
  let skip = query.offset;
  // Descending is ascending read backwards: the column descending, ties by id descending.
  for (let k = 0, n = order.length; k < n && page.length < query.limit && total > query.offset; k++) {
    const i = order[descending ? n - 1 - k : k]!;
    if (!meets(i)) continue;
    if (skip > 0) skip--;
    else page.push(ids[i]!);
  }
  return { ids: page, total, newest };
}

/** The set's positions by one column ascending, ties by id ascending; made once per set and column. */
function orderOf(set: Candidates, field: CatalogSortField): Int32Array {
  let order = set.orders[field];
  if (!order) {
    const column = set[field];
    // Positions are in id order, so comparing positions compares ids.
    order = Int32Array.from(set.ids.keys()).sort((a, b) => column[a]! - column[b]! || a - b);
    set.orders[field] = order;
  }
  return order;
}

/** Positions of the page's rows with several sort keys: every match, then the first of them sorted. */
function sortedPage(set: Candidates, query: CatalogSearchQuery, meets: (i: number) => boolean): number[] {
  const { ids } = set;
  const matches: number[] = [];
  for (let i = 0; i < ids.length; i++) if (meets(i)) matches.push(i);
  const idSign = query.sort.at(-1)?.descending ? -1 : 1;
  const keys = query.sort.map((key) => {
    const column = set[key.field];
    const sign = key.descending ? -1 : 1;
    return (a: number, b: number) => (column[a]! - column[b]!) * sign;
  });
  const compare: Compare = (a, b) => {
    for (const key of keys) {
      const d = key(a, b);
      if (d !== 0) return d;
    }
    return (ids[a]! - ids[b]!) * idSign;
  };
  return firstSorted(matches, query.offset + query.limit, compare).slice(query.offset);
}

/**
 * A box relation as bounds on the extent's four sides (minx, miny, maxx, maxy), each side one
 * comparison `sign × side <= limit` (a `>=` negated), so that every relation tests the same way.
 * A NaN side (no extent) meets no bound.
 */
interface SideBounds {
  sign: Float64Array;
  limit: Float64Array;
}

function boundsOf(relation: BoxRelation, box: Bbox): SideBounds {
  const sign = new Float64Array(4).fill(1);
  const limit = new Float64Array(4).fill(Infinity);
  for (const [side, op, value] of boxComparisons(relation, box)) {
    sign[sideIndex[side]] = op === '<=' ? 1 : -1;
    limit[sideIndex[side]] = op === '<=' ? value : -value;
  }
  return { sign, limit };
}

/** Whether the row at a position meets the query's boxes (each condition: any of its boxes) and snapshot. */
function rowTest(set: Candidates, query: CatalogSearchQuery): (i: number) => boolean {
  const { ids, boxes } = set;
  const snapshot = query.snapshot ?? Infinity;
  const conditions = query.bbox.map((c) => c.boxes.map((box) => boundsOf(c.relation, box)));
  if (conditions.length === 1 && conditions[0]!.length === 1) {
    // One box: its bounds in locals (a page's walk in sort order tests a row at a time).
    const { sign, limit } = conditions[0]![0]!;
    const s0 = sign[0]!, s1 = sign[1]!, s2 = sign[2]!, s3 = sign[3]!;
    const l0 = limit[0]!, l1 = limit[1]!, l2 = limit[2]!, l3 = limit[3]!;
    return (i) => {
      const at = i * 4;
      return s0 * boxes[at]! <= l0 && s1 * boxes[at + 1]! <= l1 && s2 * boxes[at + 2]! <= l2 && s3 * boxes[at + 3]! <= l3 && ids[i]! <= snapshot;
    };
  }
  const within = (i: number, { sign, limit }: SideBounds) => {
    for (let k = 0; k < 4; k++) if (!(sign[k]! * boxes[i * 4 + k]! <= limit[k]!)) return false;
    return true;
  };
  return (i) => ids[i]! <= snapshot && conditions.every((alternatives) => alternatives.some((bounds) => within(i, bounds)));
}

/** How many rows meet the query's boxes and snapshot. */
function countMatches(set: Candidates, query: CatalogSearchQuery, meets: (i: number) => boolean): number {
  const { ids, boxes } = set;
  // Ids ascend, so the rows within the snapshot come first.
  const rows = query.snapshot === undefined ? ids.length : firstAbove(ids, query.snapshot);
  let total = 0;
  if (query.bbox.length !== 1 || query.bbox[0]!.boxes.length !== 1) {
    for (let i = 0; i < rows; i++) if (meets(i)) total++;
    return total;
  }
  // One box, the common case, in the loop that runs for every row: its bounds in locals, and
  // the comparisons combined without branches (which random boxes would mispredict half the time).
  const { sign, limit } = boundsOf(query.bbox[0]!.relation, query.bbox[0]!.boxes[0]!);
  const s0 = sign[0]!, s1 = sign[1]!, s2 = sign[2]!, s3 = sign[3]!;
  const l0 = limit[0]!, l1 = limit[1]!, l2 = limit[2]!, l3 = limit[3]!;
  for (let at = 0, end = rows * 4; at < end; at += 4) {
    total += +(s0 * boxes[at]! <= l0) & +(s1 * boxes[at + 1]! <= l1) & +(s2 * boxes[at + 2]! <= l2) & +(s3 * boxes[at + 3]! <= l3);
  }
  return total;
}

/** The position of the first id above `id` in ascending `ids`. */
function firstAbove(ids: Int32Array, id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ids[mid]! <= id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The first `n` of `items` in order, without sorting all of them when `n` is small. */
function firstSorted(items: number[], n: number, compare: Compare): number[] {
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
