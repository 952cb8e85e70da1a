/**
 * The catalog search port (`domain/ports/catalog-search.ts`) against a model of what it must
 * answer, on a real store (SQLite, or PostgreSQL when the suite runs on it): 3,000 rows of every kind in both views, with group.everyone
 * and other grants, searched with random words, boxes in each relation, filters, sorts, offsets
 * and snapshots, as callers of every kind (site admin, members, editors in the latest view,
 * users with grants, anonymous). Ids, order, totals and snapshots must equal the model's, before
 * and after writes of every kind. The model can't rank by bm25: for relevance it checks the
 * matches and totals, and that the store's two ways of answering a full-text search (its sets
 * of matches in memory, and SQL alone, taken when a search matches more than memory may hold)
 * give the same order. On PostgreSQL the writes tell the search nothing but popularity counts:
 * the catalog's generation, read in each search's snapshot, is all it has to see the rest by, as
 * when another process writes.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { everyone, permissionLevels, type ItemVisibility, type PermissionLevel } from '../../src/domain/policies/items.js';
import type { Bbox, BoxRelation, CatalogFilter, CatalogKind, CatalogSearchQuery, CatalogSearchResult, CatalogSortField, CatalogView } from '../../src/domain/ports/catalog-search.js';
import type { Kysely } from 'kysely';
import type { CatalogSearch } from '../../src/domain/ports/catalog-search.js';
import { openDatabase } from '../../src/store/sqlite/database.js';
import { sqliteDialect } from '../../src/store/sqlite/dialect.js';
import { SqliteCatalogSearch } from '../../src/store/sqlite/catalog-search.js';
import { openPostgres } from '../../src/store/postgres/database.js';
import { postgresDialect } from '../../src/store/postgres/dialect.js';
import { PostgresCatalogSearch } from '../../src/store/postgres/catalog-search.js';
import { Repositories } from '../../src/store/store.js';
import type { CatalogChanges } from '../../src/store/repositories/catalog-repository.js';
import type { Database } from '../../src/store/schema.js';
import { createTestDatabase, testStore, type TestDatabase } from '../helpers/test-database.js';

/** A seeded random number generator (LCG), so that a failure repeats. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}
const random = rng(16);
const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const some = <T>(list: readonly T[], most: number): T[] => [...new Set(Array.from({ length: Math.floor(random() * (most + 1)) }, () => pick(list)))];

const words = ['river', 'rivers', 'road', 'roads', 'lake', 'coast', 'coastline', 'parcel', 'flood', 'soil', 'bridge', 'survey', 'surveyed', 'alpine', 'delta'];
const tags = ['transport', 'hydrology', 'cadastre', 'hazards', 'heritage'];
const categories = ['boundaries', 'environment', 'society'];
const licenses: Array<[number | null, string | null]> = [[null, null], [1, 'cc-by'], [2, 'cc-by-sa'], [3, 'cc'], [4, 'public-domain'], [5, 'ccx']];
const stamps = Array.from({ length: 40 }, (_, i) => new Date(Date.UTC(2024, 0, 1 + i, i % 3)).toISOString());
const statuses = ['ok', 'importing', 'error'];
const groups = [1, 2, 3, 4, 5];

interface Row {
  kind: CatalogKind;
  itemId: number;
  view: CatalogView;
  groupId: number;
  title: string;
  description: string;
  tags: string[];
  categories: string[];
  fields: string;
  licenseId: number | null;
  licenseType: string | null;
  extent: Bbox | null;
  createdAt: string;
  updatedAt: string;
  versionStatus: string | null;
  popularity: number;
  /** The store's row id, once written. */
  id: number;
}

interface Grant {
  kind: 'layer' | 'set' | 'document';
  itemId: number;
  principal: string;
  level: PermissionLevel;
}

function randomBox(): Bbox {
  const w = random() < 0.2 ? 40 + random() * 100 : 0.5 + random() * 10;
  const h = w * (0.3 + random());
  const x = -180 + random() * (360 - w);
  const y = -85 + random() * (170 - Math.min(h, 160));
  return [x, y, x + w, Math.min(85, y + h)];
}

function randomRow(kind: CatalogKind, itemId: number, view: CatalogView, groupId: number): Omit<Row, 'id'> {
  const [licenseId, licenseType] = pick(licenses);
  const created = pick(stamps);
  return {
    kind,
    itemId,
    view,
    groupId,
    // Few distinct titles, so that title order has ties for the next key to break.
    title: `${pick(words)} ${pick(['a', 'b'])}`,
    description: some(words, 3).join(' '),
    tags: some(tags, 2),
    categories: some(categories, 1),
    fields: kind === 'set' ? '' : some(words, 2).join(' '),
    licenseId,
    licenseType,
    extent: kind === 'document' || kind === 'table' || random() < 0.05 ? null : randomBox(),
    createdAt: created,
    updatedAt: stamps.filter((s) => s >= created)[Math.floor(random() * 3)] ?? created,
    versionStatus: kind === 'document' || kind === 'set' ? 'ok' : pick(statuses),
    popularity: Math.floor(random() * 4),
  };
}

// ---- The model: what the port's documentation says a search answers.

const permissionKind = (kind: CatalogKind) => (kind === 'table' ? 'layer' : kind);

function visibleTo(v: ItemVisibility, row: Row, grants: Grant[]): boolean {
  if (v.all) return true;
  if (v.memberOf.includes(row.groupId)) return true;
  return grants.some((g) => g.kind === permissionKind(row.kind) && g.itemId === row.itemId && v.principals.includes(g.principal) && v.levels.includes(g.level));
}

const tokens = (row: Row) => [row.title, row.description, ...row.tags, ...row.categories, row.fields].join(' ').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);

function matchesText(row: Row, searches: string[][]): boolean {
  const mine = tokens(row);
  return searches.some((search) => search.every((word, i) => (i === search.length - 1 ? mine.some((t) => t.startsWith(word)) : mine.includes(word))));
}

function meets(relation: BoxRelation, e: Bbox | null, [minx, miny, maxx, maxy]: Bbox): boolean {
  if (!e) return false;
  if (relation === 'within') return e[0] >= minx && e[2] <= maxx && e[1] >= miny && e[3] <= maxy;
  if (relation === 'contains') return e[0] <= minx && e[2] >= maxx && e[1] <= miny && e[3] >= maxy;
  return e[0] <= maxx && e[2] >= minx && e[1] <= maxy && e[3] >= miny;
}

function passes(row: Row, filter: CatalogFilter, grants: Grant[]): boolean {
  switch (filter.field) {
    case 'kind':
      return filter.values.includes(row.kind);
    case 'groupId':
      return filter.values.includes(row.groupId);
    case 'licenseId':
      return row.licenseId !== null && filter.values.includes(row.licenseId);
    case 'licenseType':
      return filter.values.some((v) => row.licenseType !== null && (row.licenseType === v || (!v.includes('-') && row.licenseType.startsWith(`${v}-`))));
    case 'public': {
      const isPublic = grants.some((g) => g.principal === everyone && g.kind === permissionKind(row.kind) && g.itemId === row.itemId);
      return filter.values.includes(isPublic);
    }
    case 'tag':
      return filter.values.some((v) => row.tags.includes(v));
    case 'category':
      return filter.values.some((v) => row.categories.includes(v));
    case 'versionStatus':
      return row.versionStatus !== null && filter.values.includes(row.versionStatus);
    case 'createdAt':
    case 'updatedAt': {
      const value = filter.field === 'createdAt' ? row.createdAt : row.updatedAt;
      const test = { eq: (v: string) => value === v, gt: (v: string) => value > v, gte: (v: string) => value >= v, lt: (v: string) => value < v, lte: (v: string) => value <= v }[filter.comparison];
      return filter.values.some(test);
    }
  }
}

interface Answer {
  /** `kind:itemId:view` of each row of the page, in order. */
  keys: string[];
  total: number;
  snapshot: number | undefined;
}

const keyOf = (r: { kind: string; itemId: number; view: string }) => `${r.kind}:${r.itemId}:${r.view}`;

/** The model's answer; relevance orders as `id` does (only the matches are compared then). */
function modelSearch(rows: Row[], grants: Grant[], q: CatalogSearchQuery): { matches: Row[]; answer: Answer } {
  const { editors } = q;
  const shown = (row: Row) => {
    if (q.view === 'published' || !editors || editors.all) return row.view === q.view && visibleTo(q.visibility, row, grants);
    return row.view === 'latest' ? visibleTo(editors, row, grants) : visibleTo(q.visibility, row, grants) && !visibleTo(editors, row, grants);
  };
  const matches = rows.filter(
    (row) =>
      shown(row) &&
      (q.snapshot === undefined || row.id <= q.snapshot) &&
      (q.text.length === 0 || matchesText(row, q.text)) &&
      q.bbox.every((c) => c.boxes.some((box) => meets(c.relation, row.extent, box))) &&
      q.filters.every((f) => passes(row, f, grants)),
  );
  const value = (row: Row, field: CatalogSortField): string | number =>
    field === 'title' ? row.title : field === 'createdAt' ? row.createdAt : field === 'updatedAt' || (field === 'relevance' && q.text.length === 0) ? row.updatedAt : field === 'popularity' ? row.popularity : 0;
  const idSign = q.sort.at(-1)?.descending ? -1 : 1;
  const ordered = [...matches].sort((a, b) => {
    for (const key of q.sort) {
      const [x, y] = [value(a, key.field), value(b, key.field)];
      if (x !== y) return (x < y ? -1 : 1) * (key.descending ? -1 : 1);
    }
    return (a.id - b.id) * idSign;
  });
  const newest = matches.reduce((m, r) => Math.max(m, r.id), -1);
  return {
    matches,
    answer: { keys: ordered.slice(q.offset, q.offset + q.limit).map(keyOf), total: matches.length, snapshot: q.snapshot ?? (newest >= 0 ? newest : undefined) },
  };
}

const answerOf = (result: CatalogSearchResult): Answer => ({ keys: result.items.map(keyOf), total: result.total, snapshot: result.snapshot });

// ---- Callers and queries.

const all = [...permissionLevels];
const fromLevel = (level: PermissionLevel) => permissionLevels.filter((l) => permissionLevels.indexOf(l) >= permissionLevels.indexOf(level));

interface Caller {
  name: string;
  visibility: ItemVisibility;
  editors: ItemVisibility;
}

const user = (id: number, memberOf: number[], editorOf: number[]): Caller => {
  const principals = [everyone, `user.${id}`, ...memberOf.map((g) => `group.${g}`)];
  return {
    name: `user ${id} in ${memberOf}`,
    visibility: { all: false, memberOf, principals, levels: all },
    editors: { all: false, memberOf: editorOf, principals, levels: fromLevel('edit') },
  };
};

const callers: Caller[] = [
  { name: 'site admin', visibility: { all: true }, editors: { all: true } },
  { name: 'anonymous', visibility: { all: false, memberOf: [], principals: [everyone], levels: all }, editors: { all: false, memberOf: [], principals: [everyone], levels: fromLevel('edit') } },
  user(10, [1, 2], [2]),
  user(11, [3], []),
  user(12, [], []),
  user(13, [4, 5], [4, 5]),
];

function randomFilter(): CatalogFilter {
  switch (Math.floor(random() * 10)) {
    case 0:
      return { field: 'kind', values: some<CatalogKind>(['layer', 'table', 'set', 'document'], 2).concat('set') };
    case 1:
      return { field: 'groupId', values: some(groups, 2).concat(pick(groups)) };
    case 2:
      return { field: 'licenseId', values: [pick([1, 2, 3, 4, 5])] };
    case 3:
      return { field: 'licenseType', values: [pick(['cc', 'cc-by', 'cc-by-sa', 'public-domain', 'c'])] };
    case 4:
      return { field: 'public', values: [random() < 0.5] };
    case 5:
      return { field: 'tag', values: some(tags, 2).concat(pick(tags)) };
    case 6:
      return { field: 'category', values: [pick(categories)] };
    case 7:
      return { field: 'versionStatus', values: [pick(statuses)] };
    default:
      return { field: pick(['createdAt', 'updatedAt'] as const), comparison: pick(['eq', 'gt', 'gte', 'lt', 'lte'] as const), values: [pick(stamps)] };
  }
}

function randomQuery(caller: Caller, newestId: number): CatalogSearchQuery {
  const view: CatalogView = random() < 0.5 ? 'published' : 'latest';
  const text = random() < 0.45 ? Array.from({ length: random() < 0.15 ? 2 : 1 }, () => some(words, 2).concat(pick(words).slice(0, 2 + Math.floor(random() * 4)))) : [];
  const bbox = random() < 0.4 ? [{ relation: pick(['intersects', 'within', 'contains'] as const), boxes: Array.from({ length: random() < 0.2 ? 2 : 1 }, randomBox) }] : [];
  const fields: CatalogSortField[] = ['title', 'createdAt', 'updatedAt', 'popularity', 'relevance'];
  const sort = Array.from({ length: 1 + Math.floor(random() * 2) }, () => ({ field: pick(fields), descending: random() < 0.5 }));
  return {
    view,
    offset: pick([0, 0, 0, 5, 20, 100]),
    limit: pick([1, 10, 50]),
    text,
    bbox,
    filters: random() < 0.5 ? Array.from({ length: 1 + Math.floor(random() * 2) }, randomFilter) : [],
    sort,
    ...(random() < 0.15 && { snapshot: Math.floor(newestId * (0.5 + random() / 2)) }),
    visibility: caller.visibility,
    ...(view === 'latest' && { editors: caller.editors }),
  };
}

describe(`catalog search port, ${testStore} store`, () => {
  let dir: string;
  let db: Kysely<Database>;
  let database: TestDatabase | null = null;
  let repos: Repositories;
  /** The store's search as it runs, and (SQLite) one that holds no sets of matches: SQL alone. PostgreSQL has one way. */
  let search: CatalogSearch;
  let sqlOnly: CatalogSearch;
  const rows: Row[] = [];
  const grants: Grant[] = [];

  const write = async (row: Omit<Row, 'id'>) => {
    await repos.catalog.upsert({
      kind: row.kind,
      item_id: row.itemId,
      view: row.view,
      version_id: null,
      version_status: row.versionStatus,
      group_id: row.groupId,
      title: row.title,
      description: row.description,
      tags: JSON.stringify(row.tags),
      categories: JSON.stringify(row.categories),
      fields: row.fields,
      license_id: row.licenseId,
      license_type: row.licenseType,
      minx: row.extent?.[0] ?? null,
      miny: row.extent?.[1] ?? null,
      maxx: row.extent?.[2] ?? null,
      maxy: row.extent?.[3] ?? null,
      created_at: row.createdAt,
      updated_at: row.updatedAt,
      published_at: row.view === 'published' ? row.updatedAt : null,
    });
    const { id, popularity } = await db
      .selectFrom('catalog_items')
      .select(['id', 'popularity'])
      .where('kind', '=', row.kind)
      .where('item_id', '=', row.itemId)
      .where('view', '=', row.view)
      .executeTakeFirstOrThrow();
    const existing = rows.findIndex((r) => keyOf(r) === keyOf(row));
    if (existing >= 0) rows.splice(existing, 1);
    rows.push({ ...row, id, popularity });
  };

  const grant = async (g: Grant) => {
    await repos.permissions.put(g.kind, g.itemId, g.principal, g.level, stamps[0]!);
    const existing = grants.findIndex((x) => x.kind === g.kind && x.itemId === g.itemId && x.principal === g.principal);
    if (existing >= 0) grants.splice(existing, 1);
    grants.push(g);
  };

  /** Runs `count` random queries through both ways of the store, and checks each against the model. */
  const check = async (count: number, what: string) => {
    const failures: string[] = [];
    const newestId = Math.max(...rows.map((r) => r.id));
    for (let n = 0; n < count; n++) {
      const caller = pick(callers);
      const query = randomQuery(caller, newestId);
      const { matches, answer } = modelSearch(rows, grants, query);
      const [got, sql] = [answerOf(await search.search(query)), answerOf(await sqlOnly.search(query))];
      const described = `${what}, query ${n} as ${caller.name}: ${JSON.stringify({ ...query, visibility: undefined, editors: undefined })}`;
      if (query.sort.some((k) => k.field === 'relevance') && query.text.length > 0) {
        // bm25 is the store's: the same order both ways, over the model's matches.
        assert.deepEqual(got, sql, `${described}: in memory and in SQL`);
        assert.equal(got.total, answer.total, `${described}: total`);
        assert.equal(got.snapshot, answer.snapshot, `${described}: snapshot`);
        const matching = new Set(matches.map(keyOf));
        assert.ok(got.keys.every((k) => matching.has(k)) && got.keys.length === answer.keys.length, `${described}: ${got.keys} are not matches`);
        continue;
      }
      if (JSON.stringify(got) !== JSON.stringify(answer)) failures.push(`${described}\n  store ${JSON.stringify(got)}\n  model ${JSON.stringify(answer)}`);
      if (JSON.stringify(sql) !== JSON.stringify(answer)) failures.push(`${described} (SQL alone)\n  store ${JSON.stringify(sql)}\n  model ${JSON.stringify(answer)}`);
    }
    assert.deepEqual(failures.slice(0, 3), [], `${failures.length} of ${count} searches differ from the model`);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mapshelf-catalog-contract-'));
    database = await createTestDatabase();
    let both: Array<CatalogSearch & CatalogChanges>;
    if (database) {
      db = (await openPostgres(database.url)).db;
      both = [new PostgresCatalogSearch(db), new PostgresCatalogSearch(db, { candidatesBudget: 0 })];
    } else {
      const opened = await openDatabase(dir);
      db = opened.db;
      both = [new SqliteCatalogSearch(opened.db, opened.sqlite), new SqliteCatalogSearch(opened.db, opened.sqlite, { candidatesBudget: 0 })];
    }
    search = both[0]!;
    sqlOnly = both[1]!;
    const changes: CatalogChanges = {
      catalogChanged: () => both.forEach((s) => s.catalogChanged()),
      permissionsChanged: () => both.forEach((s) => s.permissionsChanged()),
      popularityChanged: (kind, itemId) => both.forEach((s) => s.popularityChanged(kind, itemId)),
    };
    repos = new Repositories(db, database ? postgresDialect : sqliteDialect, changes);
    // Layers and tables share one id space (they are rows of one table); sets and documents have their own, which overlap it.
    for (let id = 1; id <= 1500; id++) {
      const kind: CatalogKind = id <= 700 ? 'layer' : id <= 900 ? 'table' : id <= 1400 ? 'set' : 'document';
      const itemId = kind === 'set' ? id - 900 : kind === 'document' ? id - 1400 : id;
      const group = pick(groups);
      const latest = randomRow(kind, itemId, 'latest', group);
      // Most items are published; a published row is the latest one or an older version.
      if (random() < 0.85) await write(random() < 0.7 ? { ...latest, view: 'published' } : randomRow(kind, itemId, 'published', group));
      await write(latest);
    }
    for (let n = 0; n < 400; n++) {
      const row = pick(rows);
      await grant({
        kind: permissionKind(row.kind),
        itemId: row.itemId,
        principal: pick([everyone, everyone, 'user.10', 'user.11', 'user.12', 'group.1', 'group.3', 'group.5']),
        level: pick(['view', 'download', 'edit', 'admin'] as const),
      });
    }
  });

  after(async () => {
    await db?.destroy();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('answers as the model does', async () => {
    await check(400, 'at the start');
  });

  it('answers as the model does after each kind of write', async () => {
    for (let round = 0; round < 4; round++) {
      for (let n = 0; n < 15; n++) {
        const row = pick(rows);
        await write({ ...randomRow(row.kind, row.itemId, row.view, row.groupId), title: `${pick(words)} changed` });
      }
      const gone = pick(rows);
      await repos.catalog.remove(gone.kind, gone.itemId, gone.view);
      rows.splice(rows.indexOf(gone), 1);
      for (let n = 0; n < 10; n++) {
        const row = pick(rows);
        await repos.catalog.bumpPopularity(row.kind, row.itemId);
        for (const r of rows) if (r.kind === row.kind && r.itemId === row.itemId) r.popularity++;
      }
      const target = pick(rows);
      await grant({ kind: permissionKind(target.kind), itemId: target.itemId, principal: everyone, level: 'view' });
      const revoked = pick(grants);
      await repos.permissions.clear(revoked.kind, revoked.itemId);
      for (let i = grants.length - 1; i >= 0; i--) if (grants[i]!.kind === revoked.kind && grants[i]!.itemId === revoked.itemId) grants.splice(i, 1);
      await check(100, `after round ${round + 1} of writes`);
    }
  });
});
