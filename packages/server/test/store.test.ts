import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { Store, bootstrapAdminToken, createTokenOffline } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'mapshelf-store-'));
after(() => rmSync(dir, { recursive: true, force: true }));

it('creates the data folder and a migrated WAL database on first open, and keeps data on reopen', async () => {
  const dataDir = join(dir, 'nested', 'data');
  const first = await Store.open(dataDir);
  const health = await first.health();
  assert.equal(health.status, 'ok');
  assert.equal(health.migration, health.latestMigration);
  assert.equal(await bootstrapAdminToken(first, 'first-secret-4c1e9a07f3b2d58e6a0c7f19'), true);
  assert.equal(await bootstrapAdminToken(first, 'second-secret-b83f02d6e9a1c47f5d0e2b8a'), false, 'bootstrap only runs while no token exists');
  await first.close();

  const raw = new SQLite(join(dataDir, 'catalog.sqlite'), { readonly: true });
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  const migrations = raw.prepare('select name from kysely_migration order by name').all() as Array<{ name: string }>;
  assert.deepEqual(migrations.map((m) => m.name).slice(0, 2), ['0001-initial', '0002-data']);
  const admin = raw.prepare("select is_admin from users where username = 'admin'").get() as { is_admin: number };
  assert.equal(admin.is_admin, 1);
  const group = raw.prepare("select g.name, m.role from groups g join group_members m on m.group_id = g.id").get();
  assert.deepEqual(group, { name: 'Default', role: 'admin' });
  raw.close();

  const again = await Store.open(dataDir);
  assert.equal(await again.tokens.count(), 1);
  await again.close();
});

it('creates tokens offline for an existing admin or a new one, never storing the secret', async () => {
  const store = await Store.open(join(dir, 'offline'));
  const { key, user, scopes } = await createTokenOffline(store, { admin: true, name: 'first' });
  assert.equal(user.username, 'admin');
  assert.ok(scopes.includes('admin'));
  assert.match(key, /^msk_[\w-]{43}$/);
  const second = await createTokenOffline(store, { admin: false, name: 'reader', scopes: ['layers:read'] });
  assert.equal(second.user.id, user.id);
  await assert.rejects(createTokenOffline(store, { admin: false, name: 'x', username: 'nobody' }), /No active user named "nobody"/);
  await store.close();

  const raw = new SQLite(join(dir, 'offline', 'catalog.sqlite'), { readonly: true });
  const rows = raw.prepare('select * from tokens').all() as Array<Record<string, unknown>>;
  assert.equal(rows.length, 2);
  for (const row of rows) for (const value of Object.values(row)) assert.ok(!String(value).includes(key.slice(4)));
  raw.close();
});
