/**
 * The catalog search's in-memory copy of the catalog keys (`store/catalog-search-index.ts`)
 * never serves stale or leaked data, through HTTP against a running server: `/data/` and
 * `/data/latest/` after every kind of write (create, publish, title and tag edits, drafts, delete,
 * group.everyone grants and their revocation, group membership), popularity and the full-text
 * cache, searches racing a stream of writes (no outsider ever sees an item that was never public,
 * nor a draft's title), writes landing while a search refreshes the copy, and paging while the
 * catalog grows (page-next keeps to the first page's snapshot).
 *
 * Items are sets and documents (no import needed). Section 1 keeps a model of every item (its
 * published and newest title and tags, whether group.everyone holds a permission, who is in its
 * group) and after each write compares every caller's searches with what the model says they
 * may see: ids, and X-Resource-Range totals. The sections run in order on one server; each
 * later one filters its searches by its own tag, word or group.
 *
 * Interleaving: requests to this server run one after another unless something makes them wait
 * on the database (it has one connection). A slow write does: a document upload holds the
 * connection while it moves the file. To make such waits certain, some cases hold the connection
 * in an open transaction on the running server's store (`hold`) while requests queue behind it,
 * then let go; everything else goes through HTTP only.
 *
 * Two cases guard against bugs once found in `CatalogSearchIndex.refreshNow()`: an item's keys
 * missing while it was re-read, and a change marked while a refresh ran being lost.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminToken, createUserWithToken, parseLinks, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';

const scope = 'catalog sets:read documents:read';

type Params = Record<string, string>;
type View = 'data/' | 'data/latest/';
const views: View[] = ['data/', 'data/latest/'];

interface Row {
  id: number;
  type: string;
  title: string;
  tags: string[];
}

interface Listing {
  rows: Row[];
  keys: string[];
  range: string | null;
  links: Record<string, string>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const keyOf = (row: { type: string; id: number }) => `${row.type}:${row.id}`;
const sorted = (keys: Iterable<string>) => [...keys].sort();

function queryString(params: Params): string {
  return new URLSearchParams(params).toString();
}

/** A search's words as FTS5 sees them: lowercased runs of letters and digits. */
const words = (text: string) => (text.toLowerCase().match(/[\p{L}\p{N}_]+/gu) ?? []) as string[];

describe('catalog search copy stays consistent with the catalog', () => {
  let server: TestServer;
  let defaultGroup: number;

  const call = (method: string, path: string, body?: unknown, token: string | null = adminToken): Promise<ApiResponse> =>
    server.request(method, path, { token, ...(body !== undefined && { body }) });

  /** A call as the admin (unless told) that must succeed; its body. */
  const ok = async (method: string, path: string, body?: unknown, token: string | null = adminToken): Promise<any> => {
    const res = await call(method, path, body, token);
    assert.ok([200, 201, 204].includes(res.status), `${method} ${path}: ${res.status} ${res.text}`);
    return res.body;
  };

  /** One catalog search; 200 and a JSON array expected. */
  const list = async (view: View | string, params: Params, token: string | null): Promise<Listing> => {
    const qs = queryString(params);
    const path = view.startsWith('http') ? view : `${view}${qs ? `?${qs}` : ''}`;
    const res = await server.request<Row[]>('GET', path, { token });
    assert.equal(res.status, 200, `GET ${path}: ${res.status} ${res.text}`);
    assert.ok(Array.isArray(res.body), `GET ${path}: expected a JSON array, got ${res.text}`);
    return { rows: res.body, keys: res.body.map(keyOf), range: res.headers.get('x-resource-range'), links: parseLinks(res.headers.get('link')) };
  };

  /** Exactly these items (any order) on one page, and an X-Resource-Range counting only them. */
  const expectExactly = (got: Listing, expected: Iterable<string>, what: string) => {
    const want = sorted(expected);
    assert.deepEqual(sorted(got.keys), want, `${what}: items (titles: ${got.rows.map((r) => r.title).join(' | ')})`);
    assert.equal(got.range, `0-${want.length}/${want.length}`, `${what}: X-Resource-Range`);
  };

  const createSet = async (fields: { title: string; group: number; tags?: string[] }): Promise<{ id: number; versionUrl: string }> => {
    const body = await ok('POST', 'sets/', { description: '', tags: [], items: [], ...fields });
    return { id: body.id, versionUrl: body.version.url };
  };

  /** Publishes a set version (sets publish at once). */
  const publish = async (versionUrl: string) => {
    const body = await ok('POST', `${versionUrl}publish/`, {});
    assert.equal(body.state, 'completed', JSON.stringify(body));
  };

  /** Saves changes into the set's draft (a new one if it has none); returns the draft's URL. */
  const saveSet = async (id: number, changes: Record<string, unknown>): Promise<string> => (await ok('PUT', `sets/${id}/`, changes)).version.url;

  const publishedSet = async (fields: { title: string; group: number; tags?: string[] }) => {
    const set = await createSet(fields);
    await publish(set.versionUrl);
    return set;
  };

  /** Uploads a small UTF-8 text document (multipart) and expects 201. */
  const uploadDocument = async (document: Record<string, unknown>, filename: string, token: string = adminToken): Promise<{ id: number }> => {
    const form = new FormData();
    form.append('document', JSON.stringify(document));
    form.append('file0', new Blob([new Uint8Array(Buffer.from(`${filename}\n`, 'utf8'))]), filename);
    const response = await fetch(`${server.api}documents/`, {
      method: 'POST',
      headers: { accept: 'application/json', authorization: `key ${token}` },
      body: form,
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    assert.equal(response.status, 201, `upload ${filename}: ${response.status} ${text}`);
    return JSON.parse(text) as { id: number };
  };

  const grantEveryone = (item: string, permission: 'view' | 'download' = 'view') =>
    ok('POST', `${item}permissions/`, { id: 'group.everyone', permission });
  const revokeAll = (item: string) => ok('PUT', `${item}permissions/`, []);

  /**
   * Holds the database's one connection in an open transaction, as a slow write does, so that
   * requests sent meanwhile queue behind it and then run interleaved. Call the result to let go.
   */
  const hold = async (): Promise<() => Promise<void>> => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const holding = new Promise<void>((resolve) => (started = resolve));
    const done = server.running.store.transaction(async () => {
      started();
      await gate;
    });
    await holding;
    return async () => {
      // Give the requests sent meanwhile time to arrive and queue.
      await sleep(20);
      release();
      await done;
    };
  };

  before(async () => {
    server = await startTestServer();
    const groups = (await ok('GET', 'groups/?name=Default')) as Array<{ id: number }>;
    defaultGroup = groups[0]!.id;
  });

  after(async () => {
    await server?.close();
  });

  describe('the very next search after each kind of write', () => {
    type Caller = 'admin' | 'member' | 'outsider' | 'anonymous';
    const callers: Caller[] = ['admin', 'member', 'outsider', 'anonymous'];

    interface Shown {
      title: string;
      tags: string[];
    }
    interface Item {
      type: 'set' | 'document';
      id: number;
      group: number;
      /** What /data/ shows (null until a set is published). */
      published: Shown | null;
      /** What editors see in /data/latest/. */
      latest: Shown;
      /** group.everyone holds a permission on it. */
      public: boolean;
      /** Other indexed text (a document's file name). */
      extra: string;
      deleted: boolean;
    }

    let owners: number;
    let member: { id: number; token: string };
    let outsider: { id: number; token: string };
    let memberInOwners = false;
    let memberChecks = false;
    const items = new Map<string, Item>();
    let S: Item;
    let D: Item;

    /** Words and tags probed after every write: every title and tag used below. */
    const probeWords = ['quokka', 'wombat', 'numbat', 'platypus', 'bilby', 'survey'];
    const probeTags = ['alpha', 'beta', 'gamma'];

    const tokenOf = (caller: Caller): string | null =>
      caller === 'admin' ? adminToken : caller === 'member' ? member.token : caller === 'outsider' ? outsider.token : null;

    /** The row of `item` that `caller` sees in `view`, or null: the model of the visibility rules. */
    const shownTo = (item: Item, caller: Caller, view: View): Shown | null => {
      if (item.deleted) return null;
      const mayEdit = caller === 'admin';
      const mayView = mayEdit || (caller === 'member' && memberInOwners && item.group === owners) || item.public;
      if (view === 'data/latest/' && mayEdit) return item.latest;
      return mayView ? item.published : null;
    };

    const expected = (caller: Caller, view: View, test: (item: Item, shown: Shown) => boolean = () => true): string[] =>
      [...items.values()].flatMap((item) => {
        const shown = shownTo(item, caller, view);
        return shown && test(item, shown) ? [keyOf(item)] : [];
      });

    /** Every caller's searches in both views, all at once, against the model. */
    const checkAll = async (what: string) => {
      const checks: Array<Promise<void>> = [];
      // Out of the group, the member is one more outsider: asked only while in it and just after.
      for (const caller of callers.filter((c) => c !== 'member' || memberChecks)) {
        for (const view of views) {
          const run = (params: Params, want: string[]) =>
            checks.push(
              list(view, { page_size: '100', ...params }, tokenOf(caller)).then((got) =>
                expectExactly(got, want, `${what}: ${caller} GET ${view}?${queryString(params)}`),
              ),
            );
          run({}, expected(caller, view));
          for (const word of probeWords) {
            run({ q: word }, expected(caller, view, (item, shown) => words(`${shown.title} ${shown.tags.join(' ')} ${item.extra}`).some((w) => w.startsWith(word))));
          }
          for (const tag of probeTags) run({ tag }, expected(caller, view, (_item, shown) => shown.tags.includes(tag)));
          run({ public: 'true' }, expected(caller, view, (item) => item.public));
        }
      }
      await Promise.all(checks);
    };

    before(async () => {
      owners = (await ok('POST', 'groups/', { name: 'Owners' })).id;
      member = await createUserWithToken(server, 'member', scope);
      outsider = await createUserWithToken(server, 'outsider', scope);
      // A public bystander in another group: lists are never trivially empty.
      const bystander = await publishedSet({ title: 'Bystander set', group: defaultGroup, tags: ['gamma'] });
      await grantEveryone(`sets/${bystander.id}/`);
      const shown = { title: 'Bystander set', tags: ['gamma'] };
      items.set(`set:${bystander.id}`, { type: 'set', id: bystander.id, group: defaultGroup, published: shown, latest: shown, public: true, extra: '', deleted: false });
      await checkAll('at the start');
    });

    it('shows a new set (a draft) to its editors in /data/latest/ only', async () => {
      const set = await createSet({ title: 'Quokka survey', group: owners, tags: ['alpha'] });
      S = { type: 'set', id: set.id, group: owners, published: null, latest: { title: 'Quokka survey', tags: ['alpha'] }, public: false, extra: '', deleted: false };
      items.set(keyOf(S), S);
      await checkAll('after creating a set');
    });

    it('shows a new document in both views', async () => {
      const doc = await uploadDocument({ group: owners, title: 'Platypus notes', tags: ['alpha'] }, 'fieldwork.txt');
      const shown = { title: 'Platypus notes', tags: ['alpha'] };
      D = { type: 'document', id: doc.id, group: owners, published: shown, latest: shown, public: false, extra: 'fieldwork.txt', deleted: false };
      items.set(keyOf(D), D);
      await checkAll('after uploading a document');
    });

    it('shows a set in /data/ once published', async () => {
      await publish((await ok('GET', `sets/${S.id}/versions/draft/`)).version.url);
      S.published = { ...S.latest };
      await checkAll('after publishing the set');
    });

    it('finds an edited title and no longer the old one (the full-text cache is dropped)', async () => {
      // checkAll ran `q=quokka` just now, so its result is cached.
      const draft = await saveSet(S.id, { title: 'Wombat survey' });
      S.latest = { ...S.latest, title: 'Wombat survey' };
      await checkAll('after renaming the set in a draft');
      await publish(draft);
      S.published = { ...S.latest };
      await checkAll('after publishing the renamed set');

      await ok('PUT', `documents/${D.id}/`, { title: 'Bilby notes' });
      D.published = D.latest = { ...D.latest, title: 'Bilby notes' };
      await checkAll('after renaming the document');
    });

    it('filters by edited tags at once', async () => {
      const draft = await saveSet(S.id, { tags: ['beta'] });
      S.latest = { ...S.latest, tags: ['beta'] };
      await checkAll('after retagging the set in a draft');
      await publish(draft);
      S.published = { ...S.latest };
      await checkAll('after publishing the retagged set');

      await ok('PUT', `documents/${D.id}/`, { tags: ['beta', 'gamma'] });
      D.published = D.latest = { ...D.latest, tags: ['beta', 'gamma'] };
      await checkAll('after retagging the document');
    });

    it('shows items to everyone once group.everyone holds view or download, and public=true finds them', async () => {
      await grantEveryone(`sets/${S.id}/`, 'view');
      S.public = true;
      await checkAll('after granting group.everyone view on the set');
      await grantEveryone(`documents/${D.id}/`, 'download');
      D.public = true;
      await checkAll('after granting group.everyone download on the document');
    });

    it("keeps a public set's draft title to its editors", async () => {
      await saveSet(S.id, { title: 'Numbat survey' });
      S.latest = { ...S.latest, title: 'Numbat survey' };
      await checkAll('after a draft of the public set');
    });

    it('hides items from everyone else once permissions are replaced with []', async () => {
      await revokeAll(`sets/${S.id}/`);
      S.public = false;
      await checkAll('after PUT [] on the set');
      await revokeAll(`documents/${D.id}/`);
      D.public = false;
      await checkAll('after PUT [] on the document');
    });

    it("shows a group's items to a user added as viewer (published rows only), and hides them once removed", async () => {
      memberChecks = true;
      await checkAll('before adding the member');
      await ok('POST', `groups/${owners}/members/`, { user: member.id, role: 'viewer' });
      memberInOwners = true;
      await checkAll('after adding the member as viewer');
      await ok('DELETE', `groups/${owners}/members/${member.id}/`);
      memberInOwners = false;
      await checkAll('after removing the member');
      memberChecks = false;
    });

    it('drops deleted items from every search', async () => {
      // Public again first, so the delete is what takes it away from outsiders.
      await grantEveryone(`sets/${S.id}/`);
      S.public = true;
      await checkAll('after granting view on the set again');
      await ok('DELETE', `sets/${S.id}/`);
      S.deleted = true;
      await checkAll('after deleting the set');
      await ok('DELETE', `documents/${D.id}/`);
      D.deleted = true;
      await checkAll('after deleting the document');
    });
  });

  describe('popularity', () => {
    let kiwis: Array<{ id: number; key: string }>;
    const uses = new Map<string, number>();

    /** Each kiwi set, most used first (ties: the one published later first, as row ids break them). */
    const byUse = () => [...kiwis].sort((a, b) => uses.get(b.key)! - uses.get(a.key)! || b.id - a.id).map((k) => k.key);

    const use = async (set: { id: number; key: string }, times = 1) => {
      for (let n = 0; n < times; n++) {
        await ok('GET', `sets/${set.id}/`);
        uses.set(set.key, uses.get(set.key)! + 1);
      }
    };

    const expectOrder = async (params: Params, what: string) => {
      for (const view of views) {
        const got = await list(view, { ...params, sort: '-popularity' }, adminToken);
        assert.deepEqual(got.keys, byUse(), `${what}: GET ${view}?${queryString(params)}&sort=-popularity`);
        assert.equal(got.range, `0-3/3`, `${what}: X-Resource-Range`);
      }
    };

    before(async () => {
      const group = (await ok('POST', 'groups/', { name: 'Popularity' })).id;
      kiwis = [];
      for (const title of ['Kiwi one', 'Kiwi two', 'Kiwi three']) {
        const set = await publishedSet({ title, group, tags: ['pop'] });
        kiwis.push({ id: set.id, key: `set:${set.id}` });
        uses.set(`set:${set.id}`, 0);
      }
    });

    it('orders by use on the next search after GET sets/{id}/', async () => {
      await use(kiwis[0]!, 3);
      await use(kiwis[1]!, 1);
      await expectOrder({ tag: 'pop' }, 'after using one three times and two once');
      await use(kiwis[2]!, 5);
      await expectOrder({ tag: 'pop' }, 'after using three five times');
    });

    it('keeps a cached q search whole when popularity changes', async () => {
      for (const view of views) expectExactly(await list(view, { q: 'kiwi' }, adminToken), kiwis.map((k) => k.key), `${view}?q=kiwi warm`);
      await expectOrder({ q: 'kiwi' }, 'q=kiwi before');
      await use(kiwis[1]!, 7);
      for (const view of views) expectExactly(await list(view, { q: 'kiwi' }, adminToken), kiwis.map((k) => k.key), `${view}?q=kiwi after a use`);
      await expectOrder({ q: 'kiwi' }, 'q=kiwi after using two 7 times');
    });

    it('keeps q searches whole while uses, uploads and searches run at once', async () => {
      const all = kiwis.map((k) => k.key);
      for (let round = 0; round < 3; round++) {
        const work: Array<Promise<unknown>> = [];
        // An upload changes the catalog's text (the full-text cache is dropped) and holds the database while it moves the file.
        work.push(uploadDocument({ group: defaultGroup, title: `Interleave ${round}` }, `interleave-${round}.txt`));
        for (let n = 0; n < 15; n++) {
          const kiwi = kiwis[n % 3]!;
          work.push(
            call('GET', `sets/${kiwi.id}/`).then((res) => {
              assert.equal(res.status, 200, res.text);
              uses.set(kiwi.key, uses.get(kiwi.key)! + 1);
            }),
          );
          const view = views[n % 2]!;
          work.push(list(view, { q: 'kiwi' }, adminToken).then((got) => assert.ok(got.keys.every((k) => all.includes(k)), `round ${round}: ${view}?q=kiwi shows ${got.keys}`)));
        }
        await Promise.all(work);
        for (const view of views) expectExactly(await list(view, { q: 'kiwi' }, adminToken), all, `round ${round}: ${view}?q=kiwi after the round`);
        await expectOrder({ q: 'kiwi' }, `round ${round}`);
        await expectOrder({ tag: 'pop' }, `round ${round}`);
      }
    });

    it(
      'keeps every search whole when uses and q searches queue behind a slow write',
      async () => {
        const all = kiwis.map((k) => k.key);
        const failures: string[] = [];
        for (let round = 0; round < 3; round++) {
          // A text change, so that the q search below is not answered from the full-text cache.
          await saveSet(kiwis[0]!.id, { description: `round ${round}` });
          const release = await hold();
          const work: Array<Promise<unknown>> = [];
          for (let n = 0; n < 3; n++) {
            work.push(ok('GET', `sets/${kiwis[0]!.id}/`).then(() => uses.set(kiwis[0]!.key, uses.get(kiwis[0]!.key)! + 1)));
            work.push(
              list('data/', { q: 'kiwi' }, adminToken).then((got) => {
                if (got.keys.length !== 3) failures.push(`round ${round}: data/?q=kiwi, run while Kiwi one was used, shows ${got.range}: ${got.rows.map((r) => r.title)}`);
              }),
            );
          }
          await release();
          await Promise.all(work);
          // Settled: nothing changes any more, so every search must show all three.
          for (const view of views) {
            for (const params of [{ q: 'kiwi' }, { q: 'kiwi', type: 'set' }, { tag: 'pop' }] as Params[]) {
              const got = await list(view, params, adminToken);
              if (sorted(got.keys).join() !== sorted(all).join()) failures.push(`round ${round}: afterwards ${view}?${queryString(params)} shows ${got.range}: ${got.rows.map((r) => r.title)}`);
            }
          }
        }
        assert.deepEqual(failures, [], 'searches after (and during) uses of an unchanged, visible set must show it');
      },
    );
  });

  describe('searches racing a stream of writes', () => {
    it('never shows an outsider an item that was not public, and ends exactly right', async () => {
      const hidden = (await ok('POST', 'groups/', { name: 'Hidden' })).id as number;
      const outsider = await createUserWithToken(server, 'racer', scope);

      /** Items group.everyone held a permission on at some moment (added before the grant is sent). */
      const everPublic = new Set<string>();
      const state = new Map<string, { public: boolean; deleted: boolean; url: string }>();
      /** Sets with an unpublished draft titled "Classified …". */
      const drafted = new Set<string>();

      const probes: Array<[View, Params]> = [
        ['data/', { group: String(hidden) }],
        ['data/latest/', { group: String(hidden) }],
        ['data/', { q: 'stream' }],
        ['data/latest/', { q: 'stream' }],
        ['data/', { q: 'classified' }],
        ['data/latest/', { q: 'classified' }],
        ['data/', { tag: 'stream' }],
        ['data/latest/', { tag: 'classified' }],
        ['data/', { public: 'true', group: String(hidden) }],
        ['data/', { sort: '-popularity', group: String(hidden) }],
        ['data/latest/', { sort: 'title', tag: 'stream', page_size: '3' }],
      ];

      let searches = 0;
      const probe = async (n: number) => {
        const [view, params] = probes[n % probes.length]!;
        const token = n % 3 === 2 ? null : outsider.token;
        const what = `${token ? 'outsider' : 'anonymous'} GET ${view}?${queryString(params)}`;
        const got = await list(view, params, token);
        searches++;
        for (const row of got.rows) {
          assert.ok(everPublic.has(keyOf(row)), `${what}: shows ${keyOf(row)} "${row.title}", which was never public`);
          assert.ok(!/classified/i.test(row.title) && !row.tags.includes('classified'), `${what}: shows a draft's title or tags: ${JSON.stringify(row)}`);
        }
        const match = /^(\d+)-(\d+)\/(\d+)$/.exec(got.range ?? '');
        assert.ok(match, `${what}: X-Resource-Range ${got.range}`);
        const total = Number(match[3]);
        assert.equal(Number(match[2]) - Number(match[1]), got.rows.length, `${what}: X-Resource-Range ${got.range} for ${got.rows.length} rows`);
        assert.ok(total <= everPublic.size, `${what}: total ${total}, but only ${everPublic.size} items were ever public`);
        if (params.q === 'classified' || params.tag === 'classified') assert.equal(total, 0, `${what}: a draft's words are found`);
      };
      let writing = true;
      const bursts: Array<Promise<void>> = [];
      const burstErrors: unknown[] = [];
      /** 60 searches at once, awaited at the end (their first error is thrown then). */
      const burst = () => {
        const searching = Promise.all(Array.from({ length: 60 }, (_, n) => probe(n)));
        bursts.push(searching.then(() => undefined, (error: unknown) => void burstErrors.push(error)));
      };
      const writer = async () => {
        try {
          const sets: string[] = [];
          for (let k = 0; k < 12; k++) {
            if (k % 3 === 0) burst();
            const set = await publishedSet({ title: `Stream ${k}`, group: hidden, tags: ['stream'] });
            const key = `set:${set.id}`;
            sets.push(key);
            state.set(key, { public: false, deleted: false, url: `sets/${set.id}/` });
            if (k % 2 === 0) {
              everPublic.add(key);
              if (k % 4 === 2) {
                // The grant and a burst of searches queue behind a held connection, then run interleaved.
                const release = await hold();
                const grant = grantEveryone(`sets/${set.id}/`);
                burst();
                await release();
                await grant;
              } else await grantEveryone(`sets/${set.id}/`);
              state.get(key)!.public = true;
            }
            // A draft of a (maybe public) set: its title and tags are for editors only.
            if (k % 3 === 0) {
              await saveSet(set.id, { title: `Classified ${k}`, tags: ['stream', 'classified'] });
              drafted.add(key);
            }
            const earlier = k >= 2 ? state.get(sets[k - 2]!)! : undefined;
            if (k % 4 === 0 && earlier?.public && !earlier.deleted) {
              const release = k % 8 === 0 ? await hold() : undefined;
              const revoke = revokeAll(earlier.url);
              if (release) {
                burst();
                await release();
              }
              await revoke;
              earlier.public = false;
            }
            if (k % 5 === 1) {
              const previous = state.get(sets[k - 1]!)!;
              await ok('DELETE', previous.url);
              previous.deleted = true;
            }
            if (k % 3 === 1) {
              const doc = await uploadDocument({ group: hidden, title: `Stream doc ${k}`, tags: ['stream'] }, `stream-${k}.txt`);
              const docKey = `document:${doc.id}`;
              state.set(docKey, { public: false, deleted: false, url: `documents/${doc.id}/` });
              if (k % 2 === 0) {
                everPublic.add(docKey);
                await grantEveryone(`documents/${doc.id}/`, 'download');
                state.get(docKey)!.public = true;
              }
            }
          }
        } finally {
          writing = false;
        }
      };
      /** A few searches at a time, all the while. */
      const steady = async () => {
        while (writing) await Promise.all([probe(0), probe(2), probe(3), probe(5)]);
      };

      await Promise.all([writer(), steady(), steady()]);
      await Promise.all(bursts);
      if (burstErrors.length > 0) throw burstErrors[0];
      assert.ok(bursts.length >= 4 && searches >= 240, `ran ${searches} searches, ${bursts.length} bursts of 60`);

      // Settled: exactly the public, undeleted items, in every view and search.
      const visible = [...state.entries()].filter(([, s]) => s.public && !s.deleted).map(([key]) => key);
      assert.ok(visible.length >= 3, `expected some public items at the end, got ${JSON.stringify([...state])}`);
      for (const token of [outsider.token, null]) {
        for (const view of views) {
          const who = token ? 'outsider' : 'anonymous';
          expectExactly(await list(view, { group: String(hidden) }, token), visible, `final ${who} ${view}?group`);
          expectExactly(await list(view, { q: 'stream' }, token), visible, `final ${who} ${view}?q=stream`);
          expectExactly(await list(view, { tag: 'stream' }, token), visible, `final ${who} ${view}?tag=stream`);
          expectExactly(await list(view, { public: 'true', group: String(hidden) }, token), visible, `final ${who} ${view}?public=true`);
          expectExactly(await list(view, { q: 'classified' }, token), [], `final ${who} ${view}?q=classified`);
        }
      }
      // And the admin sees every undeleted item, the drafts' titles in /data/latest/.
      const undeleted = [...state.entries()].filter(([, s]) => !s.deleted).map(([key]) => key);
      for (const view of views) expectExactly(await list(view, { group: String(hidden) }, adminToken), undeleted, `final admin ${view}?group`);
      const drafts = [...drafted].filter((key) => !state.get(key)!.deleted);
      assert.ok(drafts.length > 0, 'some drafts are left');
      expectExactly(await list('data/latest/', { q: 'classified' }, adminToken), drafts, 'final admin data/latest/?q=classified');
      expectExactly(await list('data/', { q: 'classified' }, adminToken), [], 'final admin data/?q=classified');
    });
  });

  describe('a write landing while a search refreshes the copy', () => {
    it(
      'drops a document deleted while a search re-reads many changed items, for good',
      async () => {
        const group = (await ok('POST', 'groups/', { name: 'Busy' })).id as number;
        const sets: string[] = [];
        for (let n = 0; n < 30; n++) sets.push(`set:${(await publishedSet({ title: `Busy ${n}`, group, tags: ['busy'] })).id}`);
        const documents: string[] = [];
        for (let n = 0; n < 3; n++) documents.push(`document:${(await uploadDocument({ group, title: `Busy document ${n}` }, `busy-${n}.txt`)).id}`);
        const failures: string[] = [];
        for (const [round, doomed] of documents.entries()) {
          const url = `documents/${doomed.split(':')[1]}/`;
          // The document first, then thirty more items: the next search re-reads all of them, the document first.
          await ok('PUT', url, { description: `round ${round}` });
          for (const key of sets) await saveSet(Number(key.split(':')[1]), { description: `round ${round}` });
          const release = await hold();
          const search = list('data/', { group: String(group), page_size: '100' }, adminToken);
          const removal = ok('DELETE', url);
          await release();
          await Promise.all([search, removal]);
          const left = [...sets, ...documents.slice(round + 1)];
          for (const view of views) {
            for (let again = 0; again < 2; again++) {
              const got = await list(view, { group: String(group), page_size: '100' }, adminToken);
              if (sorted(got.keys).join() !== sorted(left).join() || got.range !== `0-${left.length}/${left.length}`) {
                failures.push(`round ${round}, after deleting ${doomed}: ${view}?group shows ${got.keys.length} items, X-Resource-Range ${got.range}; expected 0-${left.length}/${left.length}`);
              }
            }
          }
        }
        assert.deepEqual(failures, [], 'searches after a delete count only the items left');
      },
    );
  });

  describe('paging while the catalog grows', () => {
    let group: number;

    before(async () => {
      group = (await ok('POST', 'groups/', { name: 'Paging' })).id;
    });

    /**
     * Five items with `word` in title and tags, page 1 of two, then two new sets and a document
     * with the same word, then every page-next link: exactly the first five once each, with
     * the total unchanged, while a new search shows all eight.
     */
    const pageThrough = async (view: View, word: string, params: Params) => {
      const original: string[] = [];
      for (let k = 0; k < 5; k++) original.push(`set:${(await publishedSet({ title: `${word} item ${k}`, group, tags: [word] })).id}`);
      const what = `${view}?${queryString(params)}`;
      let page = await list(view, { ...params, page_size: '2' }, adminToken);
      assert.equal(page.range, '0-2/5', `${what}: page 1`);
      const seen = [...page.keys];

      const added: string[] = [];
      for (let n = 0; n < 2; n++) added.push(`set:${(await publishedSet({ title: `${word} late ${n}`, group, tags: [word] })).id}`);
      added.push(`document:${(await uploadDocument({ group, title: `${word} late document`, tags: [word] }, `${word}.txt`)).id}`);
      expectExactly(await list(view, { ...params, page_size: '100' }, adminToken), [...original, ...added], `${what}: a new search`);

      for (const expectedRange of ['2-4/5', '4-5/5']) {
        assert.ok(page.links['page-next'], `${what}: a page-next link before ${expectedRange}`);
        assert.match(page.links['page-next'], /[?&]snapshot=\d+/, `${what}: page-next carries a snapshot`);
        page = await list(page.links['page-next'], {}, adminToken);
        assert.equal(page.range, expectedRange, `${what}: the page after ${seen.length} items`);
        seen.push(...page.keys);
      }
      assert.equal(page.links['page-next'], undefined, `${what}: no page after the last`);
      assert.equal(new Set(seen).size, seen.length, `${what}: repeats in ${seen.join(' ')}`);
      assert.deepEqual(sorted(seen), sorted(original), `${what}: the items present when paging began`);
    };

    for (const [view, word, params] of [
      ['data/', 'lorikeet', { tag: 'lorikeet' }],
      ['data/latest/', 'kakapo', { tag: 'kakapo' }],
      ['data/', 'takahe', { q: 'takahe' }],
      ['data/latest/', 'pukeko', { q: 'pukeko', sort: 'title' }],
    ] as Array<[View, string, Params]>) {
      it(`${view}?${queryString(params)}: page-next keeps to the snapshot while items are added`, () => pageThrough(view, word, params));
    }
  });
});
