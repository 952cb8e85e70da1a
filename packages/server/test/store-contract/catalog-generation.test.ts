/**
 * PostgreSQL's catalog generation (migrations 0003-0004): raised by each statement that changes
 * what searches read, and by nothing else, since every raise empties every API process's sets of
 * matches. SQLite has no generation: one process serves its file and hears of its own writes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import type { CatalogRow } from '../../src/domain/ports/store.js';
import { openPostgres } from '../../src/store/postgres/database.js';
import { postgresDialect } from '../../src/store/postgres/dialect.js';
import type { Database } from '../../src/store/schema.js';
import { Repositories } from '../../src/store/store.js';
import { createTestDatabase, testStore, type TestDatabase } from '../helpers/test-database.js';

describe('the catalog generation on PostgreSQL', { skip: testStore !== 'postgres' && 'PostgreSQL only' }, () => {
  let database: TestDatabase;
  let db: Kysely<Database>;
  let repos: Repositories;
  const generation = async () => (await sql<{ n: number }>`select n from catalog_generation`.execute(db)).rows[0]!.n;
  /** Whether `change` raised the generation. */
  const raises = async (change: () => Promise<unknown>) => {
    const before = await generation();
    await change();
    return (await generation()) > before;
  };
  const row = (title: string): CatalogRow => ({
    kind: 'layer', item_id: 7, view: 'published', version_id: null, version_status: 'ok', group_id: 1, title, description: '',
    tags: '[]', categories: '[]', fields: '', license_id: null, license_type: null, minx: 0, miny: 0, maxx: 1, maxy: 1,
    created_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', published_at: '2026-01-01T00:00:00.000Z',
  });

  before(async () => {
    database = (await createTestDatabase())!;
    db = (await openPostgres(database.url)).db;
    repos = new Repositories(db, postgresDialect);
  });
  after(async () => {
    await db.destroy();
    await database.drop();
  });

  it('stays for statements that change no row', async () => {
    assert.equal(await raises(() => repos.catalog.remove('layer', 999, 'published')), false);
    assert.equal(await raises(() => repos.permissions.clear('layer', 999)), false);
  });

  it('rises for a new row, a changed one and a removed one, and stays for the same row again and for popularity', async () => {
    assert.equal(await raises(() => repos.catalog.upsert(row('Roads'))), true);
    assert.equal(await raises(() => repos.catalog.upsert(row('Roads'))), false);
    assert.equal(await raises(() => repos.catalog.bumpPopularity('layer', 7)), false);
    assert.equal(await raises(() => repos.catalog.upsert(row('Roads and bridges'))), true);
    assert.equal(await raises(() => repos.catalog.remove('layer', 7)), true);
  });

  it('rises for every grant written or taken away', async () => {
    const at = '2026-01-01T00:00:00.000Z';
    assert.equal(await raises(() => repos.permissions.put('layer', 7, 'group.everyone', 'view', at)), true);
    assert.equal(await raises(() => repos.permissions.put('layer', 7, 'group.everyone', 'download', at)), true);
    assert.equal(await raises(() => repos.permissions.clear('layer', 7)), true);
  });

  it('is one row', async () => {
    await assert.rejects(sql`insert into catalog_generation (n) values (0)`.execute(db), /duplicate key|unique/);
  });
});
