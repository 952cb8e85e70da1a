import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../server/test/helpers/ports.js';
import { after, describe, it } from 'node:test';

const bin = new URL('../dist/bin.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'mapshelf-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function mapshelf(args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 30_000 });
}

interface Served {
  child: ChildProcess;
  base: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `mapshelf serve` and waits until /health answers. */
async function serve(dataDir: string, env: Record<string, string> = {}): Promise<Served> {
  const port = await freePort();
  const child = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--data-dir', dataDir, '--log-level', 'warn'], {
    env: { ...process.env, MAPSHELF_BOOTSTRAP_TOKEN: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`serve exited early: ${stderr}`);
    try {
      if ((await fetch(`${base}/health`)).ok) return { child, base, stderr: () => stderr, exited };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`serve did not come up: ${stderr}`);
}

/** A bootstrap token as `openssl rand -hex 32` makes one (a weak one is refused). */
const bootstrapToken = 'cli-bootstrap-8e1f3a7c90b4d2e65f0a9c3b7d1e4f28';
const get = (url: string, token?: string) => fetch(url, { headers: token ? { authorization: `key ${token}` } : {} });

describe('mapshelf serve', () => {
  it('meets the first-start contract with MAPSHELF_BOOTSTRAP_TOKEN, and stops cleanly on SIGTERM', async () => {
    const dataDir = join(dir, 'bootstrapped');
    const server = await serve(dataDir, { MAPSHELF_BOOTSTRAP_TOKEN: bootstrapToken });
    try {
      assert.match(server.stderr(), /Created the admin user/);
      const users = `${server.base}/services/api/v1/users/`;
      assert.equal((await get(users, bootstrapToken)).status, 200);
      assert.equal((await get(users)).status, 401);

      const created = await fetch(`${server.base}/services/api/v1/tokens/`, {
        method: 'POST',
        headers: { authorization: `key ${bootstrapToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'layers only', scope: 'layers:read' }),
      });
      assert.equal(created.status, 201);
      const { key } = (await created.json()) as { key: string };
      const refused = await get(`${server.base}/services/api/v1/exports/`, key);
      assert.equal(refused.status, 403);
      assert.equal(refused.headers.get('accepted-oauth-scopes'), 'exports:read');
      assert.match(((await refused.json()) as { detail: string }).detail, /exports:read/);
    } finally {
      server.child.kill('SIGTERM');
    }
    assert.equal(await server.exited, 0);
    assert.match(server.stderr(), /stopped on SIGTERM/);
    // A clean close checkpoints the WAL into the database file and removes it.
    assert.equal(existsSync(join(dataDir, 'catalog.sqlite-wal')), false);
  });

  it('explains how to create the first token when none exists, and `token create` works offline', async () => {
    const dataDir = join(dir, 'fresh');
    const server = await serve(dataDir);
    try {
      assert.match(server.stderr(), /mapshelf token create --admin --data-dir /);
      // Created while the server runs, straight in the data folder.
      const made = mapshelf(['token', 'create', '--admin', '--data-dir', dataDir, '--json']);
      assert.equal(made.status, 0, made.stderr);
      const { key, user, scope } = JSON.parse(made.stdout).mapshelf.v1;
      assert.equal(user.username, 'admin');
      assert.match(scope, /\badmin\b/);
      const me = await get(`${server.base}/services/api/v1/users/me/`, key);
      assert.equal(me.status, 200);
      assert.equal(((await me.json()) as { is_admin: boolean }).is_admin, true);

      const limited = mapshelf(['token', 'create', '--data-dir', dataDir, '--scope', 'layers:read', '--name', 'ro']);
      assert.equal(limited.status, 0, limited.stderr);
      const roKey = limited.stdout.split('\n')[0]!;
      assert.equal((await get(`${server.base}/services/api/v1/users/`, roKey)).status, 403);
    } finally {
      server.child.kill('SIGINT');
    }
    assert.equal(await server.exited, 0);
  });

  it('refuses bad flags and bad values with one line and a non-zero exit', () => {
    const unknown = mapshelf(['serve', '--prot', '80']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /unknown option '--prot'/);

    const badUrl = mapshelf(['serve', '--public-url', 'data.example.org', '--data-dir', join(dir, 'unused')]);
    assert.equal(badUrl.status, 3);
    assert.equal(badUrl.stderr.trim().split('\n').length, 1);
    assert.match(badUrl.stderr, /--public-url must be an absolute URL/);

    const weak = mapshelf(['serve', '--data-dir', join(dir, 'unused')], { MAPSHELF_BOOTSTRAP_TOKEN: 'change-me' });
    assert.equal(weak.status, 3);
    assert.equal(weak.stderr.trim().split('\n').length, 1, weak.stderr);
    assert.match(weak.stderr, /MAPSHELF_BOOTSTRAP_TOKEN is too weak/);
    assert.match(weak.stderr, /export MAPSHELF_BOOTSTRAP_TOKEN=\$\(openssl rand -hex 32\)/);
    assert.equal(existsSync(join(dir, 'unused')), false, 'refused before the data folder is made');

    const badTimeout = mapshelf(['serve', '--idle-timeout', 'soon', '--data-dir', join(dir, 'unused')]);
    assert.equal(badTimeout.status, 3);
    assert.match(badTimeout.stderr, /--idle-timeout must be a duration/);

    const halfTls = mapshelf(['serve', '--tls-cert', '/nonexistent.pem']);
    assert.equal(halfTls.status, 3);
    assert.match(halfTls.stderr, /--tls-cert and --tls-key go together/);

    const badScope = mapshelf(['token', 'create', '--data-dir', join(dir, 'unused'), '--scope', 'layers:read everything']);
    assert.equal(badScope.status, 2);
    assert.match(badScope.stderr, /Unknown scope\(s\): everything/);
    assert.doesNotMatch(badScope.stderr, /\n\s+at /, 'no stack trace without --debug');
  });

  it('fails clearly when the port is taken', async () => {
    const busy = await serve(join(dir, 'busy'));
    try {
      const port = new URL(busy.base).port;
      const second = mapshelf(['serve', '--port', port, '--data-dir', join(dir, 'busy2'), '--log-level', 'silent']);
      assert.equal(second.status, 3);
      assert.equal(second.stderr.trim().split('\n').length, 1, second.stderr);
      assert.match(second.stderr, new RegExp(`^mapshelf: port ${port} on 127\\.0\\.0\\.1 is already in use, perhaps by another Mapshelf server\\. Stop the program using it, or start this one on another port with --port \\(or MAPSHELF_PORT\\), e\\.g\\. --port ${Number(port) + 1}\\.\n$`));
    } finally {
      busy.child.kill('SIGTERM');
      await busy.exited;
    }
  });

  it('explains the data folder, tokens and ports in serve --help', () => {
    const help = mapshelf(['serve', '--help']);
    assert.equal(help.status, 0);
    for (const topic of [/data folder/i, /MAPSHELF_BOOTSTRAP_TOKEN/, /--port/, /--public-url/, /--tls-cert/, /Examples:/]) {
      assert.match(help.stdout, topic);
    }
  });
});
