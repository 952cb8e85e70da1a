/**
 * `mapshelf migrate` and `--database` as operators type them, on the store the suite runs on:
 * processes starting together migrate a fresh catalog once, and a store that can't be used
 * stops a process at start with one line that says what to do, and a non-zero exit.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createTestDatabase, queryCatalog, testStore } from '../../server/test/helpers/test-database.js';
import { CliUser, type CliRun } from './helpers/cli.js';

const home = mkdtempSync(join(tmpdir(), 'mapshelf-store-setup-'));
const user = new CliUser(home);

after(() => rmSync(home, { recursive: true, force: true }));

/** One line on stderr, no stack trace, exit 3 (configuration). */
function assertStartRefused(run: CliRun, pattern: RegExp) {
  assert.equal(run.code, 3, `exit code of ${run.args.join(' ')}: ${run.stderr}`);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${run.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
}

describe(`mapshelf migrate on ${testStore}`, () => {
  it('migrates a fresh catalog once when two processes start together', async () => {
    const database = await createTestDatabase();
    const dataDir = join(home, 'fresh');
    const store = database ? ['--database', database.url] : ['--data-dir', dataDir];
    try {
      const runs = await Promise.all([user.run(['migrate', ...store]), user.run(['migrate', ...store])]);
      for (const run of runs) {
        assert.equal(run.code, 0, run.stderr);
        assert.match(run.stderr, /is at migration \d{4}-[a-z-]+ \(the newest this Mapshelf knows\)/);
      }
      const rows = await queryCatalog<{ name: string; n: number | string }>({ dataDir, database: database?.url ?? null }, 'select name, count(*) as n from kysely_migration group by name order by name');
      assert.ok(rows.length > 0);
      for (const row of rows) assert.equal(Number(row.n), 1, `${row.name} applied once`);
      // Run again, it finds nothing to do.
      const again = await user.run(['migrate', ...store]);
      assert.equal(again.code, 0, again.stderr);
    } finally {
      await database?.drop();
    }
  });

  it('refuses a catalog that a newer Mapshelf migrated', async () => {
    const database = await createTestDatabase();
    const dataDir = join(home, 'newer');
    const store = database ? ['--database', database.url] : ['--data-dir', dataDir];
    try {
      assert.equal((await user.run(['migrate', ...store])).code, 0);
      // What a newer version leaves behind: a migration this one does not know.
      const location = { dataDir, database: database?.url ?? null };
      if (database) await queryCatalog(location, "insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01')");
      else {
        const { default: SQLite } = await import('better-sqlite3');
        const db = new SQLite(join(dataDir, 'catalog.sqlite'));
        db.prepare("insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01')").run();
        db.close();
      }
      assertStartRefused(await user.run(['migrate', ...store]), /migrated by a newer Mapshelf \(it has migration 9999-from-the-future/);
    } finally {
      await database?.drop();
    }
  });
});

describe('--database that cannot be used', () => {
  it('names what is wrong and what to do, for a bad URL, an unreachable server and a missing database', async () => {
    assertStartRefused(await user.run(['migrate', '--database', 'mysql://db/mapshelf']), /--database must be a postgres:\/\/ URL/);
    assertStartRefused(await user.run(['migrate', '--database', 'not a url']), /is not a URL; give one like postgres:\/\/user:password@localhost:5432\/mapshelf/);
    assertStartRefused(await user.run(['serve', '--port', '0', '--data-dir', join(home, 'files'), '--database', 'postgres://mapshelf:s3cret@127.0.0.1:1/mapshelf']), /postgres:\/\/mapshelf:\*\*\*@127\.0\.0\.1:1\/mapshelf: cannot reach PostgreSQL/);
    assertStartRefused(await user.run(['worker', '--data-dir', join(home, 'files'), '--database', 'postgres://mapshelf:s3cret@127.0.0.1:1/mapshelf']), /cannot reach PostgreSQL .*Is the server running/);
    const run = await user.run(['migrate', '--database', 'postgres://mapshelf:s3cret@127.0.0.1:1/mapshelf']);
    assert.doesNotMatch(run.stderr, /s3cret/, 'the password is never shown');
    if (process.env.MAPSHELF_TEST_DATABASE_URL) {
      const missing = new URL(process.env.MAPSHELF_TEST_DATABASE_URL);
      missing.pathname = '/no_such_catalog';
      assertStartRefused(await user.run(['migrate', '--database', missing.toString()]), /database "no_such_catalog" does not exist\. Create it: sudo -u postgres createdb/);
    }
  });
});
