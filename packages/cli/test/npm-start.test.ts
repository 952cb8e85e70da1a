/**
 * The README's start command, `npm start`, run as a user runs it (from the repository root, flags
 * after `--`), then stopped as they stop it: `kill` of the npm process, and Ctrl-C (SIGINT to the
 * terminal's whole process group). Either way the server stops and frees its port.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { freePort } from '../../server/test/helpers/ports.js';

const root = new URL('../../../', import.meta.url).pathname;
const dirs: string[] = [];

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** `npm start -- --port P --data-dir D` in its own process group, as a terminal would run it. */
async function npmStart(): Promise<{ npm: ChildProcess; port: number; output: () => string; exited: Promise<number | null> }> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'mapshelf-npm-start-'));
  dirs.push(dataDir);
  const npm = spawn('npm', ['start', '--', '--port', String(port), '--data-dir', dataDir], {
    cwd: root,
    env: { ...process.env, MAPSHELF_BOOTSTRAP_TOKEN: randomBytes(32).toString('hex') },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  npm.stdout!.on('data', (chunk) => (text += chunk));
  npm.stderr!.on('data', (chunk) => (text += chunk));
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  // The set-up runs first (quick when everything is installed: a build check).
  await until(`the server on port ${port} (output so far: ${text})`, async () => {
    const response = await fetch(`http://127.0.0.1:${port}/health`).catch(() => null);
    return response?.status === 200;
  }, 240_000);
  return { npm, port, output: () => text, exited };
}

describe('npm start', { timeout: 600_000 }, () => {
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('stops the server when the npm process gets SIGTERM', async () => {
    const { npm, port, output, exited } = await npmStart();
    process.kill(npm.pid!, 'SIGTERM');
    await exited;
    await until(`port ${port} to close`, async () => !(await portOpen(port)), 10_000);
    assert.match(output(), /shutting down|stopped|SIGTERM/i);
  });

  it('stops the server on Ctrl-C (SIGINT to the process group)', async () => {
    const { npm, port, exited } = await npmStart();
    process.kill(-npm.pid!, 'SIGINT');
    await exited;
    await until(`port ${port} to close`, async () => !(await portOpen(port)), 10_000);
  });
});
