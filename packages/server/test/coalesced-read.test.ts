/**
 * The shared read behind PostgreSQL's per-request generations: every caller sees a read that
 * began after it asked (so a write committed before a request is never missed), and the callers
 * waiting at once share one.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CoalescedRead } from '../src/store/postgres/coalesced-read.js';

/** A read whose answers the test releases one by one; each answers the value current at its start. */
function controlled() {
  let value = 0;
  const started: number[] = [];
  const pending: Array<() => void> = [];
  const read = new CoalescedRead(
    () =>
      new Promise<number>((resolve, reject) => {
        const seen = value;
        started.push(seen);
        pending.push(() => (seen < 0 ? reject(new Error('read failed')) : resolve(seen)));
      }),
  );
  const release = async () => {
    pending.shift()!();
    // Lets the waiting callers start the next read.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { read, started, release, write: (next: number) => (value = next) };
}

describe('a coalesced read', () => {
  it('answers a caller who comes while a read runs with the next read, shared by everyone waiting', async () => {
    const { read, started, release, write } = controlled();
    const first = read.read();
    write(1);
    const waiting = [read.read(), read.read(), read.read()];
    assert.deepEqual(started, [0], 'the callers who came during the read wait for it to end');
    await release();
    assert.equal(await first, 0);
    assert.deepEqual(started, [0, 1], 'one read for all three');
    await release();
    assert.deepEqual(await Promise.all(waiting), [1, 1, 1], 'they see the write made before they asked');
  });

  it('starts at once when idle, and goes on after a failed read', async () => {
    const { read, started, release, write } = controlled();
    write(-1);
    const failing = read.read();
    const next = read.read();
    write(2);
    await release();
    await assert.rejects(failing, /read failed/);
    await release();
    assert.equal(await next, 2);
    const idle = read.read();
    assert.equal(started.length, 3, 'an idle read starts at the call');
    await release();
    assert.equal(await idle, 2);
  });
});
