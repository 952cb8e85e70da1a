import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseLinks, withoutSnapshot, startTestServer, type TestServer } from './helpers/server.js';

// The shared list machinery (paging, filters, sorting, HEAD, OPTIONS, Expand), exercised on /users/.
describe('list machinery on /users/', () => {
  let server: TestServer;
  const names = Array.from({ length: 25 }, (_, i) => `user${String(i).padStart(2, '0')}`);

  before(async () => {
    server = await startTestServer();
    for (const [i, username] of names.entries()) {
      const res = await server.request('POST', 'users/', { body: { username, email: i % 5 === 0 ? `${username}@example.org` : null } });
      assert.equal(res.status, 201, res.text);
    }
  });
  after(() => server.close());

  it('pages with Link, X-Resource-Range and X-Paginate-By', async () => {
    const first = await server.request('GET', 'users/?page_size=10');
    assert.equal(first.status, 200);
    assert.equal(first.body.length, 10);
    assert.equal(first.headers.get('x-resource-range'), '0-10/26');
    assert.equal(first.headers.get('x-paginate-by'), '10');
    const links = parseLinks(first.headers.get('link'));
    assert.equal(withoutSnapshot(links['page-next']), `${server.api}users/?page_size=10&page=2`);
    assert.equal(withoutSnapshot(links['page-last']), `${server.api}users/?page_size=10&page=3`);
    assert.equal(links['page-previous'], undefined);

    const last = await server.request('GET', links['page-last']!);
    assert.equal(last.headers.get('x-resource-range'), '20-26/26');
    assert.equal(last.body.length, 6);
    const lastLinks = parseLinks(last.headers.get('link'));
    assert.equal(lastLinks['page-next'], undefined);
    assert.equal(withoutSnapshot(lastLinks['page-previous']), `${server.api}users/?page_size=10&page=2`);
  });

  it('following page-next visits every item exactly once', async () => {
    const seen: number[] = [];
    let next: string | undefined = `${server.api}users/?page_size=7&sort=-username`;
    while (next) {
      const page: { status: number; body: Array<{ id: number }>; headers: Headers } = await server.request("GET", next);
      assert.equal(page.status, 200);
      seen.push(...page.body.map((u: { id: number }) => u.id));
      next = parseLinks(page.headers.get('link'))['page-next'];
    }
    assert.equal(seen.length, 26);
    assert.equal(new Set(seen).size, 26);
  });

  it('defaults to 100 per page', async () => {
    const res = await server.request('GET', 'users/');
    assert.equal(res.headers.get('x-paginate-by'), '100');
    assert.equal(res.headers.get('x-resource-range'), '0-26/26');
  });

  it('answers HEAD with the same headers and no body', async () => {
    const get = await server.request('GET', 'users/?page_size=10&page=2');
    const head = await server.request('HEAD', 'users/?page_size=10&page=2');
    assert.equal(head.status, 200);
    assert.equal(head.text, '');
    for (const name of ['x-resource-range', 'x-paginate-by', 'link']) assert.equal(head.headers.get(name), get.headers.get(name));
  });

  it('refuses bad page numbers with 400, and a page past the end with 404', async () => {
    for (const query of ['page=0', 'page=-1', 'page=abc', 'page=1.5', 'page_size=0', 'page_size=1001', 'page_size=x', 'page=1&page=2']) {
      const res = await server.request('GET', `users/?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.code, 'invalid_parameter', query);
      assert.match(res.body.errors[0].location, /^query\.page/, query);
    }
    const past = await server.request('GET', 'users/?page=4&page_size=10');
    assert.equal(past.status, 404);
    assert.equal(past.body.code, 'invalid_page');
  });

  it('filters with attr=v and attr.lookup=v; repeats are OR-ed, names AND-ed', async () => {
    const one = await server.request('GET', 'users/?username=user03');
    assert.deepEqual(one.body.map((u: { username: string }) => u.username), ['user03']);

    const either = await server.request('GET', 'users/?username=user03&username=user07');
    assert.deepEqual(either.body.map((u: { username: string }) => u.username), ['user03', 'user07']);

    const prefix = await server.request('GET', 'users/?username.startswith=user1');
    assert.equal(prefix.body.length, 10);
    assert.equal(prefix.headers.get('x-resource-range'), '0-10/26'.replace('26', '10'));

    const both = await server.request('GET', 'users/?username.startswith=user1&email.isnull=false');
    assert.deepEqual(both.body.map((u: { username: string }) => u.username), ['user10', 'user15']);

    const admins = await server.request('GET', 'users/?is_admin=true');
    assert.deepEqual(admins.body.map((u: { username: string }) => u.username), ['admin']);

    const none = await server.request('GET', 'users/?date_joined.lt=2000-01-01');
    assert.equal(none.body.length, 0);
    assert.equal(none.headers.get('x-resource-range'), '0-0/0');

    const like = await server.request('GET', `users/?username.icontains=${encodeURIComponent('%')}`);
    assert.equal(like.body.length, 0, 'LIKE wildcards in values are literal');
  });

  it('refuses unknown filters and lookups, and bad values, naming the parameter', async () => {
    for (const query of ['colour=red', 'username.gt=a', 'is_admin.icontains=x']) {
      const res = await server.request('GET', `users/?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.code, 'unknown_filter');
      assert.equal(res.body.errors[0].location, `query.${query.split('=')[0]}`);
      assert.match(res.body.detail, /Filters offered: id,/);
    }
    for (const query of ['id=abc', 'is_admin=maybe', 'date_joined.gte=yesterday', 'email.isnull=perhaps']) {
      const res = await server.request('GET', `users/?${query}`);
      assert.equal(res.status, 400, query);
      assert.equal(res.body.code, 'invalid_parameter');
      assert.equal(res.body.errors[0].location, `query.${query.split('=')[0]}`);
    }
  });

  it('sorts with sort=x and sort=-x, and refuses unknown keys', async () => {
    const asc = await server.request('GET', 'users/?sort=username&page_size=3');
    assert.deepEqual(asc.body.map((u: { username: string }) => u.username), ['admin', 'user00', 'user01']);
    const desc = await server.request('GET', 'users/?sort=-username&page_size=2');
    assert.deepEqual(desc.body.map((u: { username: string }) => u.username), ['user24', 'user23']);
    const byId = await server.request('GET', 'users/?sort=-id&page_size=1');
    assert.equal(byId.body[0].username, 'user24');
    const bad = await server.request('GET', 'users/?sort=password');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'unknown_sort');
    assert.match(bad.body.detail, /Orderings offered: id, username/);
  });

  it('returns summaries, or full objects with Expand: list', async () => {
    const summary = await server.request('GET', 'users/?username=user05');
    assert.deepEqual(Object.keys(summary.body[0]).sort(), ['first_name', 'id', 'last_name', 'url', 'username']);
    const full = await server.request('GET', 'users/?username=user05', { headers: { expand: 'list' } });
    assert.equal(full.body[0].email, 'user05@example.org');
    assert.equal(full.body[0].is_admin, false);
    assert.deepEqual(full.body[0].groups, []);
    // Unknown expansions are refused, naming what the view offers (issue 14); see lax-input.test.ts.
    const unknown = await server.request('GET', 'users/?username=user05', { headers: { expand: 'nonsense,l,i' } });
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.errors[0].location, 'header.expand');
  });

  it('describes filters, orderings and expansions on OPTIONS', async () => {
    const res = await server.request('OPTIONS', 'users/');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.ordering, ['id', 'username', 'first_name', 'last_name', 'date_joined']);
    assert.deepEqual(res.body.expansions, ['list']);
    assert.equal(res.body.filters.username.type, 'string');
    assert.ok('startswith' in res.body.filters.username.lookups);
    assert.equal(res.body.paging.page_size.max, 1000);
  });

  it('redirects to the slashed URL with 301, keeping the query', async () => {
    const res = await server.request('GET', `${server.api}users?page_size=5`);
    assert.equal(res.status, 301);
    assert.equal(res.headers.get('location'), `${server.api}users/?page_size=5`);
    const post = await server.request('POST', `${server.api}users`, { body: { username: 'x' } });
    assert.equal(post.status, 308, 'a POST keeps its method and body');
  });

  it('accepts /services/api/v1.x/ paths', async () => {
    const res = await server.request('GET', '/services/api/v1.0/users/?username=user01');
    assert.equal(res.status, 200);
    assert.equal(res.body[0].username, 'user01');
  });
  it('keeps paging exact while rows are added: later pages carry the first page\'s snapshot', async () => {
    const first = await server.request('GET', 'users/?page_size=5&sort=username');
    const next = parseLinks(first.headers.get('link'))['page-next']!;
    assert.match(next, /[?&]snapshot=\d+/);
    // Runs last: it adds a user. One that sorts before everything, added after page 1 was read.
    const added = await server.request('POST', 'users/', { body: { username: 'aaa-late' } });
    assert.equal(added.status, 201, added.text);
    const seen = first.body.map((u: { id: number }) => u.id);
    let url: string | undefined = next;
    while (url) {
      const page: { body: Array<{ id: number }>; headers: Headers } = await server.request('GET', url);
      seen.push(...page.body.map((u) => u.id));
      url = parseLinks(page.headers.get('link'))['page-next'];
    }
    assert.equal(new Set(seen).size, seen.length, 'no user is listed twice');
    assert.equal(seen.length, 26, 'none is skipped, and the late one waits for a fresh listing');
    assert.ok(!seen.includes(added.body.id));
    const bad = await server.request('GET', 'users/?snapshot=abc');
    assert.equal(bad.status, 400);
  });
});
