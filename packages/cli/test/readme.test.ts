/**
 * The README, run as printed: its first check, the TypeScript quick start and the command-line
 * walkthrough, each against a fresh server on the README's own address (127.0.0.1:8080) with
 * the bootstrap token in the environment, as the README's start command leaves it. Commands run
 * in an empty folder that links this repository's node_modules, as the repository's root does,
 * so `npx mapshelf`, `npx tsx` and `node_modules/world-atlas/…` resolve as they do there.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { adminToken, startTestServer, type TestServer } from '../../server/test/helpers/server.js';
import { runProcess } from './helpers/cli.js';

const root = new URL('../../../', import.meta.url).pathname;
const readme = readFileSync(join(root, 'README.md'), 'utf8');

/** The fenced blocks of one language in the README section that starts with `heading`. */
function blocks(heading: string, language: 'sh' | 'ts'): string[] {
  const start = readme.indexOf(`\n${heading}\n`);
  assert.ok(start >= 0, `the README has a "${heading}" section`);
  const section = readme.slice(start + 1).split(/\n## /)[0]!;
  return [...section.matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1]!);
}

let server: TestServer | undefined;
let dir: string | undefined;

/** A fresh server on the README's address, and an empty folder set up like the repository's root. */
async function freshSetup(): Promise<{ dir: string; env: NodeJS.ProcessEnv }> {
  server = await startTestServer({ port: 8080 });
  dir = mkdtempSync(join(tmpdir(), 'mapshelf-readme-'));
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith('MAPSHELF_') && !name.startsWith('npm_')) env[name] = value;
  return { dir, env: { ...env, XDG_CONFIG_HOME: join(dir, '.config'), MAPSHELF_BOOTSTRAP_TOKEN: adminToken } };
}

/** Runs shell lines as a user pastes them: bash, stopping at the first failure. */
async function shell(script: string, cwd: string, env: NodeJS.ProcessEnv) {
  const result = await runProcess('bash', ['-euo', 'pipefail', '-c', script], { env, cwd, timeoutMs: 300_000 });
  assert.equal(result.code, 0, `${script}\n--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`);
  return result;
}

describe('the README, run as printed', { concurrency: 1 }, () => {
  afterEach(async () => {
    await server?.close();
    server = undefined;
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('"Check it works": the curl with the bootstrap token lists the admin user', async () => {
    const { dir, env } = await freshSetup();
    const check = blocks('## Two commands', 'sh').find((b) => b.startsWith('curl '));
    assert.ok(check, 'the check-it-works curl');
    const { stdout } = await shell(check, dir, env);
    assert.equal(JSON.parse(stdout)[0].username, 'admin');
  });

  it('the TypeScript quick start: makes its dataset, saves quickstart.mts, runs it with npx tsx', async () => {
    const { dir, env } = await freshSetup();
    const [code] = blocks('## Quick start', 'ts');
    const [commands] = blocks('## Quick start', 'sh');
    assert.ok(code && commands);
    const file = /save the code below as `([^`]+)`/.exec(readme)?.[1];
    assert.equal(file, 'quickstart.mts');
    writeFileSync(join(dir, file), code);
    const { stdout } = await shell(commands, dir, env);
    assert.match(stdout, /^1 Countries$/m, 'the layer it made, listed');
    assert.match(stdout, /^EPSG:4326 ok$/m);
    assert.match(stdout, /is_valid: true/);
    assert.match(stdout, /downloads\/countries-SHP\.zip$/m, 'the zip, downloaded into a folder it made');
    assert.match(stdout, /^needs \[ 'layers:read' \]$/m, 'the scope error, typed');
    // The export was cropped to Canterbury and reprojected: New Zealand alone, in NZTM.
    const info = await runProcess('ogrinfo', ['-so', '-al', `/vsizip/${join(dir, 'downloads/countries-SHP.zip')}/countries/countries.shp`], { env: process.env, timeoutMs: 30_000 });
    assert.match(info.stdout, /Feature Count: 1\n/, info.stdout + info.stderr);
    assert.match(info.stdout, /NZGD2000 \/ New Zealand Transverse Mercator 2000/);
  });

  it('the command-line walkthrough: login, import, search, a cropped Shapefile export, ogrinfo', async () => {
    const { dir, env } = await freshSetup();
    const walkthrough = blocks('## The command line', 'sh');
    assert.equal(walkthrough.length, 3, 'login, import, export');
    const { stdout, stderr } = await shell(walkthrough.join('\n'), dir, env);
    assert.match(stdout, /^layer +1 +World atlas: countries +ok +http:\/\/127\.0\.0\.1:8080\//m);
    assert.match(stdout, /^layer +2 +World atlas: land/m);
    assert.match(stderr, /^Published 2 items\.$/m);
    assert.match(stdout, /world-atlas-countries-SHP\.zip$/m);
    // What ogrinfo says of the unzipped Shapefile: New Zealand alone, cut to the box, in NZTM.
    assert.match(stdout, /Feature Count: 1\n/);
    assert.match(stdout, /NZGD2000 \/ New Zealand Transverse Mercator 2000/);
    const extent = /Extent: \(([\d.]+), ([\d.]+)\) - \(([\d.]+), ([\d.]+)\)/.exec(stdout)!.slice(1).map(Number);
    assert.ok(extent[0]! > 1_300_000 && extent[2]! < 1_700_000 && extent[1]! > 5_000_000 && extent[3]! < 5_350_000, `extent ${extent}`);
  });
});
