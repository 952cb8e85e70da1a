#!/usr/bin/env node
// Runs every package's tests with Node's test runner (TypeScript through tsx): on the embedded
// SQLite store, then on PostgreSQL/PostGIS in a throwaway cluster (--store picks one).
// Usage: node scripts/run-tests.mjs [--store sqlite|postgres|both] [filter]
//   e.g. `npm run test:only -- tokens`, `npm test -- --store postgres`
//   MAPSHELF_TEST_STORE=postgres chooses the store as --store does.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startTestCluster } from './test-postgres.mjs';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
let store = process.env.MAPSHELF_TEST_STORE || 'both';
const storeFlag = args.findIndex((a) => a === '--store' || a.startsWith('--store='));
if (storeFlag >= 0) {
  const [flag] = args.splice(storeFlag, 1);
  store = flag.includes('=') ? flag.slice(flag.indexOf('=') + 1) : args.splice(storeFlag, 1)[0];
}
if (!['sqlite', 'postgres', 'both'].includes(store)) {
  console.error(`--store must be sqlite, postgres or both, not "${store ?? ''}".`);
  process.exit(2);
}
const filter = args[0];

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

// Each package's tests, and the benchmark harness's smoke test.
const files = [...readdirSync(join(root, 'packages')).map((pkg) => join(root, 'packages', pkg, 'test')), join(root, 'bench', 'test')]
  .filter((dir) => statSync(dir, { throwIfNoEntry: false })?.isDirectory())
  .flatMap(findTests)
  .filter((file) => !filter || file.includes(filter))
  .sort();

if (files.length === 0) {
  console.error(`No test files found${filter ? ` matching "${filter}"` : ''}.`);
  process.exit(1);
}

function run(env) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
    stdio: 'inherit',
    cwd: root,
    env: { ...process.env, ...env },
  });
  return result.status ?? 1;
}

let status = 0;
if (store !== 'postgres') {
  console.log(`# store: sqlite (${files.length} files)`);
  status ||= run({ MAPSHELF_TEST_DATABASE_URL: '' });
}
if (store !== 'sqlite') {
  console.log(`# store: postgres (${files.length} files)`);
  const cluster = await startTestCluster();
  try {
    status = run({ MAPSHELF_TEST_DATABASE_URL: cluster.admin }) || status;
  } finally {
    cluster.stop();
  }
}
process.exit(status);
