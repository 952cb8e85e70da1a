/**
 * The bootstrap token is the one secret an operator picks, and it is stored as an unsalted
 * SHA-256 hash: resolveConfig refuses one that a leaked hash would give away.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, resolveConfig, Store } from '../src/index.js';
import { bootstrapAdminToken } from '../src/domain/bootstrap.js';
import { bootstrapTokenWeakness, estimatedBits } from '../src/domain/token-strength.js';

const withToken = (token: string) => resolveConfig({}, { MAPSHELF_BOOTSTRAP_TOKEN: token });

describe('the bootstrap token', () => {
  it('refuses short or repetitive tokens with one line saying how to make a good one', () => {
    for (const weak of ['change-me', 't', 'aaaaaaaaaaaaaaaaaaaaaaaa', 'abababababababababababab', 'test-admin-token', 'changemechangemechangeme']) {
      assert.throws(
        () => withToken(weak),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, `${weak}: ${String(error)}`);
          assert.equal(error.message.split('\n').length, 1);
          assert.match(error.message, /MAPSHELF_BOOTSTRAP_TOKEN is too weak/);
          assert.match(error.message, /openssl rand -hex 32/);
          return true;
        },
        weak,
      );
    }
    // The flag (config.bootstrapToken) is checked the same way as the environment.
    assert.throws(() => resolveConfig({ bootstrapToken: 'change-me' }, {}), /too weak/);
  });

  it('accepts generated tokens', () => {
    const hex = execFileSync('openssl', ['rand', '-hex', '32'], { encoding: 'utf8' }).trim();
    const base64 = execFileSync('openssl', ['rand', '-base64', '32'], { encoding: 'utf8' }).trim();
    for (const strong of [hex, base64, randomUUID(), randomBytes(16).toString('hex')]) {
      assert.equal(withToken(strong).bootstrapToken, strong);
    }
    assert.equal(resolveConfig({}, {}).bootstrapToken, null, 'no token is fine: the offline `token create` makes the first one');
  });

  it('is refused by bootstrapAdminToken too, for callers that build their config by hand', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapshelf-bootstrap-'));
    const store = await Store.open(dir);
    try {
      await assert.rejects(bootstrapAdminToken(store, 'change-me'), /too weak/);
      assert.equal(await store.tokens.count(), 0);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('estimates bits from length and the spread of characters', () => {
    assert.equal(estimatedBits('aaaaaaaaaaaaaaaaaaaaaaaa'), 0);
    assert.equal(estimatedBits('abababababababababababab'), 24);
    assert.ok(estimatedBits('change-me') < 30);
    // 100 random 64-digit hex tokens all pass with room to spare.
    for (let i = 0; i < 100; i++) assert.ok(estimatedBits(randomBytes(32).toString('hex')) > 180);
    assert.match(bootstrapTokenWeakness('change-me')!, /9 characters, about 26 bits/);
    assert.equal(bootstrapTokenWeakness(randomBytes(32).toString('hex')), null);
  });
});
