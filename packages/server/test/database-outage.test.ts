/**
 * PostgreSQL going away while Mapshelf serves: requests get 503 with a JSON body saying so (and
 * Retry-After), /health says the database is down, and service resumes by itself when the
 * database is back, with nothing lost. On a cluster of its own, which the test stops and starts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestCluster } from '../../../scripts/test-postgres.mjs';
import { startTestServer, type TestServer } from './helpers/server.js';
import { testStore } from './helpers/test-database.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the database going away while serving', { skip: testStore !== 'postgres' && 'runs in the PostgreSQL pass' }, () => {
  let cluster: Awaited<ReturnType<typeof startTestCluster>>;
  let server: TestServer;

  before(async () => {
    cluster = await startTestCluster();
    cluster.psql('create database outage template mapshelf_template');
    const url = new URL(cluster.admin);
    url.pathname = '/outage';
    server = await startTestServer({ database: url.toString() });
  });

  after(async () => {
    await server?.close();
    cluster?.stop();
  });

  it('answers 503 with a JSON body while it is gone, and serves again when it is back', async () => {
    const made = await server.request('POST', 'groups/', { body: { name: 'Before the outage' } });
    assert.equal(made.status, 201, made.text);

    cluster.pause();
    const during = await server.request('GET', 'groups/');
    assert.equal(during.status, 503, during.text);
    assert.equal(during.body.code, 'service_unavailable');
    assert.match(during.body.detail, /database is not available/);
    assert.equal(during.headers.get('retry-after'), '5');
    const health = await server.request('GET', '/health');
    assert.equal(health.status, 503);
    assert.equal(health.body.database.status, 'error');

    cluster.resume();
    let after: Awaited<ReturnType<TestServer['request']>> | undefined;
    for (let i = 0; i < 50 && after?.status !== 200; i++) {
      after = await server.request('GET', 'groups/');
      if (after.status !== 200) await sleep(200);
    }
    assert.equal(after?.status, 200, after?.text);
    assert.ok((after!.body as Array<{ name: string }>).some((g) => g.name === 'Before the outage'), 'nothing was lost');
    assert.equal((await server.request('GET', '/health')).status, 200);
  });
});
