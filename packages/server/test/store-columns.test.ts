/**
 * The repositories' column codecs take both engines' forms: SQLite's JSON text and 0/1, and what
 * PostgreSQL hands back (jsonb already parsed, booleans as true/false); writes are JSON text and
 * 1/0, which both engines take. The whole suite runs them on SQLite; here the PostgreSQL forms too.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { fromBool, fromJson, readBools, readJson, writeBools, writeJson } from '../src/store/repositories/columns.js';

it('reads JSON columns as text or already parsed, alike', () => {
  const sqlite = { id: 1, tags: '["roads","nz"]', extent: '[172.5,-43.6,172.8,-43.4]', change_counts: null };
  const postgres = { id: 1, tags: ['roads', 'nz'], extent: [172.5, -43.6, 172.8, -43.4], change_counts: null };
  const want = { id: 1, tags: ['roads', 'nz'], extent: [172.5, -43.6, 172.8, -43.4], change_counts: null };
  assert.deepEqual(readJson(sqlite, ['tags', 'extent', 'change_counts']), want);
  assert.deepEqual(readJson(postgres, ['tags', 'extent', 'change_counts']), want);
  assert.deepEqual(fromJson<object>('{"keep_unreadable":true}'), fromJson({ keep_unreadable: true }));
  assert.equal(fromJson<number>(3), 3);
});

it('reads booleans as 0/1 or true/false, alike', () => {
  assert.deepEqual([1, 0, true, false].map(fromBool), [true, false, true, false]);
  assert.deepEqual(readBools({ id: 2, is_admin: 1, is_active: false }, ['is_admin', 'is_active']), { id: 2, is_admin: true, is_active: false });
});

it('writes JSON text and 1/0, leaving out what a patch leaves out and keeping SQL nulls', () => {
  assert.deepEqual(writeJson({ title: 'Roads', tags: ['a'], extent: null }, ['tags', 'extent']), { title: 'Roads', tags: '["a"]', extent: null });
  const patch = writeJson({ updated_at: 'now' } as { updated_at: string; tags?: string[] }, ['tags']);
  assert.deepEqual(patch, { updated_at: 'now' });
  assert.ok(!('tags' in patch));
  assert.deepEqual(writeBools({ is_admin: true, is_active: false }, ['is_admin', 'is_active']), { is_admin: 1, is_active: 0 });
  assert.deepEqual(writeBools({ updated_at: 'now' } as { updated_at: string; is_admin?: boolean }, ['is_admin']), { updated_at: 'now' });
});
