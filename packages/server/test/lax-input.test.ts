/**
 * Input that used to cause 500s or be quietly accepted (issue 14): every case is a 4xx with
 * the standard error body, naming the field where there is one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { adminToken, createUserWithToken, startTestServer, type ApiResponse, type TestServer } from './helpers/server.js';

function assertRefused(res: ApiResponse, status: number, location?: string, what = '') {
  assert.equal(res.status, status, `${what}: ${res.status} ${res.text}`);
  assert.equal(typeof res.body?.detail, 'string', `${what}: error body`);
  if (location !== undefined) {
    const locations = (res.body.errors ?? []).map((e: { location: string }) => e.location);
    assert.ok(locations.includes(location), `${what}: expected location ${location}, got ${JSON.stringify(locations)}`);
  }
}

describe('lax input', () => {
  let server: TestServer;
  let group: number;
  let userId: number;

  before(async () => {
    server = await startTestServer();
    const g = await server.request('POST', 'groups/', { body: { name: 'Lax' } });
    assert.equal(g.status, 201, g.text);
    group = g.body.id;
    userId = (await createUserWithToken(server, 'lax-user', 'users:read')).id;
  });
  after(() => server.close());

  describe('filter names that are Object.prototype members', () => {
    for (const query of ['toString=1', '__proto__=1', 'constructor=1', 'hasOwnProperty.exact=1', 'valueOf.gt=1', '__defineGetter__=x', 'constructor.prototype=1']) {
      it(`?${query} is a 400 unknown_filter on every kind of list`, async () => {
        for (const list of ['groups/', 'users/', 'licenses/', 'layers/', 'sets/', 'exports/', 'exports/croplayers/', 'data/', `groups/${group}/members/`]) {
          const res = await server.request('GET', `${list}?${query}`);
          assertRefused(res, 400, undefined, `${list}?${query}`);
          assert.equal(res.body.code, 'unknown_filter', `${list}?${query}`);
        }
      });
    }
    it('?sort=constructor is a 400 unknown_sort', async () => {
      const res = await server.request('GET', 'groups/?sort=constructor');
      assertRefused(res, 400, 'query.sort', 'sort');
    });
  });

  describe('deeply nested JSON', () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    it('refuses 20,000 levels in a set\'s settings with 400 invalid_json naming the limit', async () => {
      const raw = `{"title":"Deep","settings":{"x":${deep(20_000)}}}`;
      const res = await server.request('POST', 'sets/', { raw, headers: { 'content-type': 'application/json' } });
      assertRefused(res, 400, 'body', 'deep settings');
      assert.equal(res.body.code, 'invalid_json');
      assert.match(res.body.detail, /64 levels/);
    });
    it('refuses deep objects in any body, and takes 64 levels', async () => {
      const objects = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
      const res = await server.request('PATCH', `groups/${group}/`, { raw: objects, headers: { 'content-type': 'application/json' } });
      assertRefused(res, 400, 'body', 'deep objects');
      assert.equal(res.body.code, 'invalid_json');
      // Brackets inside strings don't count.
      const inString = await server.request('PATCH', `groups/${group}/`, { body: { description: '['.repeat(3000) } });
      assert.equal(inString.status, 200, inString.text);
      // 64 levels is allowed (the schema then judges the content).
      const ok = await server.request('POST', 'sets/', { raw: `{"title":"Ok","settings":{"x":${deep(62)}}}`, headers: { 'content-type': 'application/json' } });
      assert.equal(ok.status, 201, ok.text);
      const tooDeep = await server.request('POST', 'sets/', { raw: `{"title":"No","settings":{"x":${deep(63)}}}`, headers: { 'content-type': 'application/json' } });
      assertRefused(tooDeep, 400, 'body', '65 levels');
    });
  });

  describe('path ids', () => {
    for (const id of ['0x1', '1.0', '%201', '1%20', '+1', '01', '1e0', '-1', '0']) {
      it(`refuses "${decodeURIComponent(id)}" as an id with 400 invalid_parameter at path.id`, async () => {
        for (const path of [`groups/${id}/`, `users/${id}/`, `licenses/${id}/`, `layers/${id}/`, `sets/${id}/`, `exports/croplayers/${id}/`]) {
          const res = await server.request('GET', path);
          assertRefused(res, 400, 'path.id', path);
          assert.equal(res.body.code, 'invalid_parameter', path);
        }
        const member = await server.request('GET', `groups/${group}/members/${id}/`);
        assertRefused(member, 400, 'path.userId', 'member');
      });
    }
    it('still takes plain ids', async () => {
      assert.equal((await server.request('GET', `groups/${group}/`)).status, 200);
      assert.equal((await server.request('GET', `users/${userId}/`)).status, 200);
    });
  });

  describe('URLs users give', () => {
    for (const url of ['javascript:alert(1)', 'data:text/html,<b>x</b>', 'file:///etc/passwd', 'ftp://example.org/x', 'http://', 'not a url']) {
      it(`refuses a license url of ${url}`, async () => {
        const res = await server.request('POST', 'licenses/', { body: { title: `Bad ${url}`, text: 'Terms.', url } });
        assertRefused(res, 400, 'body.url', url);
      });
    }
    it('takes http and https URLs', async () => {
      for (const url of ['https://example.org/licence', 'http://example.org/terms?v=2']) {
        const res = await server.request('POST', 'licenses/', { body: { title: `Good ${url}`, text: 'Terms.', url } });
        assert.equal(res.status, 201, res.text);
      }
    });
  });

  describe('control and bidirectional characters in names', () => {
    const bad = ['a\u0000b', 'evil\u202egnp.exe', 'x\u2066y', 'bell\u0007', 'line\nbreak', 'tab\there', 'del\u007f'];
    for (const text of bad) {
      it(`refuses ${JSON.stringify(text)} in names and titles`, async () => {
        const cases: Array<[string, string, unknown, string]> = [
          ['POST', 'groups/', { name: text }, 'body.name'],
          ['PATCH', `groups/${group}/`, { name: text }, 'body.name'],
          ['POST', 'licenses/', { title: text, text: 'Terms.' }, 'body.title'],
          ['POST', 'sets/', { title: text }, 'body.title'],
          ['POST', 'sets/', { title: 'Fine', tags: [text] }, 'body.tags[0]'],
          ['POST', 'tokens/', { name: text, scope: 'users:read' }, 'body.name'],
          ['POST', 'users/', { username: 'ctl', first_name: text }, 'body.first_name'],
          ['PATCH', `users/${userId}/`, { last_name: text }, 'body.last_name'],
          ['POST', 'layers/', { title: text, data: { datasources: [1] } }, 'body.title'],
        ];
        for (const [method, path, body, location] of cases) {
          assertRefused(await server.request(method, path, { body }), 400, location, `${method} ${path}`);
        }
      });
    }
    it('lets descriptions hold tabs and line breaks, but not NUL or overrides', async () => {
      const ok = await server.request('PATCH', `groups/${group}/`, { body: { description: 'One\tTwo\r\nThree\nFour' } });
      assert.equal(ok.status, 200, ok.text);
      for (const text of ['a\u0000', 'b\u202d', 'c\u0008']) {
        assertRefused(await server.request('PATCH', `groups/${group}/`, { body: { description: text } }), 400, 'body.description', JSON.stringify(text));
      }
      const unicode = await server.request('PATCH', `groups/${group}/`, { body: { name: 'Ōtaki – Māori 测试 🌏' } });
      assert.equal(unicode.status, 200, unicode.text);
    });
  });

  describe('references to another server', () => {
    const evil = 'http://evil.example/services/api/v1';
    it('refuses another host’s URL for a datasource, licence, set item, crop layer source and permission', async () => {
      const cases: Array<[string, string, unknown, string]> = [
        ['POST', 'layers/', { title: 'X', data: { datasources: [`${evil}/sources/1/datasources/1/`] } }, 'body.data.datasources[0]'],
        ['POST', 'sets/', { title: 'X', license: `${evil}/licenses/1/` }, 'body.license'],
        ['POST', 'sets/', { title: 'X', items: [`${evil}/layers/1/`] }, 'body.items[0]'],
        ['POST', 'sets/', { title: 'X', items: [{ url: '//evil.example/services/api/v1/layers/1/' }] }, 'body.items[0]'],
        ['POST', 'exports/croplayers/', { name: 'X', source_layer: `${evil}/layers/1/` }, 'body.source_layer'],
        ['POST', 'publish/', { items: [`${evil}/layers/1/versions/1/`] }, 'body.items[0]'],
        ['POST', 'exports/validate/', { formats: {}, items: [{ item: `${evil}/layers/1/` }] }, 'body.items[0].item'],
        ['POST', 'exports/validate/', { formats: {}, items: [], extent: `${evil}/exports/croplayers/1/cropfeatures/1/` }, 'body.extent'],
      ];
      for (const [method, path, body, location] of cases) {
        const res = await server.request(method, path, { body });
        assertRefused(res, 400, location, `${method} ${path}`);
        assert.match(res.body.detail, /not a URL of this server/, `${method} ${path}`);
      }
    });
    it('refuses another host’s group or user URL in a permission, and takes this server’s', async () => {
      const set = await server.request('POST', 'sets/', { body: { title: 'Perms', group } });
      assert.equal(set.status, 201, set.text);
      const perms = `sets/${set.body.id}/permissions/`;
      assertRefused(await server.request('POST', perms, { body: { group: `${evil}/groups/${group}/`, permission: 'view' } }), 400, 'body.group', 'evil group');
      assertRefused(await server.request('POST', perms, { body: { user: `${evil}/users/${userId}/`, permission: 'view' } }), 400, 'body.user', 'evil user');
      assertRefused(await server.request('PUT', perms, { body: [{ user: `https://evil.example/services/api/v1/users/${userId}/`, permission: 'view' }] }), 400, 'body[0].user', 'evil user in PUT');
      const local = await server.request('POST', perms, { body: { user: `${server.api}users/${userId}/`, permission: 'view' } });
      assert.equal(local.status, 201, local.text);
      const versioned = await server.request('POST', perms, { body: { group: `${server.url}/services/api/v1.2/groups/${group}/`, permission: 'view' } });
      assert.equal(versioned.status, 201, versioned.text);
      const path = await server.request('POST', perms, { body: { group: `/services/api/v1/groups/${group}/`, permission: 'download' } });
      assert.equal(path.status, 201, path.text);
    });
  });

  describe('permissions naming two principals', () => {
    it('refuses user and group together, naming the field', async () => {
      const set = await server.request('POST', 'sets/', { body: { title: 'Both', group } });
      const perms = `sets/${set.body.id}/permissions/`;
      const both = await server.request('POST', perms, { body: { user: userId, group, permission: 'view' } });
      assertRefused(both, 400, 'body.user', 'user and group');
      assert.match(both.body.detail, /only one of id, group and user/);
      assertRefused(await server.request('POST', perms, { body: { id: `user.${userId}`, group, permission: 'view' } }), 400, 'body.group', 'id and group');
      assertRefused(await server.request('PUT', perms, { body: [{ group, permission: 'view' }, { user: userId, group, permission: 'edit' }] }), 400, 'body[1].user', 'PUT');
      const listed = await server.request('GET', perms);
      assert.deepEqual(listed.body, [], 'nothing was granted');
      assertRefused(await server.request('POST', perms, { body: { id: 'user.007', permission: 'view' } }), 400, 'body.id', 'leading zeros');
    });
  });

  describe('the Expand header', () => {
    it('refuses an unknown expansion with 400 listing what the view offers', async () => {
      const list = await server.request('GET', 'groups/', { headers: { expand: 'members' } });
      assertRefused(list, 400, 'header.expand', 'list');
      assert.deepEqual(list.body.expansions, ['list']);
      assert.match(list.body.detail, /offers: list/);
      const detail = await server.request('GET', `groups/${group}/`, { headers: { expand: 'list' } });
      assertRefused(detail, 400, 'header.expand', 'detail');
      assert.deepEqual(detail.body.expansions, []);
      const set = await server.request('POST', 'sets/', { body: { title: 'Expanding' } });
      const setDetail = await server.request('GET', `sets/${set.body.id}/`, { headers: { expand: 'items,nonsense' } });
      assertRefused(setDetail, 400, 'header.expand', 'set detail');
      assert.deepEqual(setDetail.body.expansions, ['items']);
      const letters = await server.request('GET', `sets/${set.body.id}/`, { headers: { expand: 'l,i,s,t' } });
      assertRefused(letters, 400, 'header.expand', 'letters of a name the view lacks');
    });
    it('keeps what real clients send working', async () => {
      for (const list of ['groups/', 'users/', 'licenses/', 'sets/', 'layers/', 'data/', 'tokens/', 'exports/', 'exports/croplayers/']) {
        const res = await server.request('GET', list, { headers: { expand: 'list' } });
        assert.equal(res.status, 200, `${list}: ${res.text}`);
        const head = await server.request('HEAD', list, { headers: { expand: 'list' } });
        assert.equal(head.status, 200, `HEAD ${list}`);
        assert.equal((await server.request('OPTIONS', list, { headers: { expand: 'list' } })).status, 200, `OPTIONS ${list}`);
      }
      const set = await server.request('POST', 'sets/', { body: { title: 'Client' } });
      for (const expand of ['items', 'i,t,e,m,s', 'Items', ' items ']) {
        const res = await server.request('GET', `sets/${set.body.id}/`, { headers: { expand } });
        assert.equal(res.status, 200, `${expand}: ${res.text}`);
        assert.ok(Array.isArray(res.body.items), expand);
      }
      assert.equal((await server.request('GET', `sets/${set.body.id}/`, { headers: { expand: '' } })).status, 200, 'an empty header');
    });
  });

  describe('the JSON part of an upload', () => {
    /** POSTs an upload whose `source` part is `json`, typed as the Koordinates client types it. */
    const upload = (json: string, type = 'application/json') => {
      const form = new FormData();
      form.append('source', new Blob([json], { type }));
      form.append('file0', new Blob(['lon,lat\n1,2\n']), 'points.csv');
      return fetch(`${server.api}sources/`, { method: 'POST', headers: { authorization: `key ${adminToken}` }, body: form });
    };

    it('refuses deep nesting, whether the part is typed application/json or plain text', async () => {
      const deep = `{"title": "deep", "options": ${'['.repeat(20_000)}${']'.repeat(20_000)}}`;
      for (const type of ['application/json', 'text/plain', '']) {
        const res = await upload(deep, type);
        const body = (await res.json()) as any;
        assert.equal(res.status, 400, `${type}: ${JSON.stringify(body)}`);
        assert.equal(body.code, 'invalid_json');
        assert.deepEqual(body.errors.map((e: any) => e.location), ['multipart.source']);
      }
    });

    it('refuses control and bidirectional characters in a source title', async () => {
      for (const title of ['a\u0000b', 'evil\u202Etxt.csv']) {
        const res = await upload(JSON.stringify({ title }));
        const body = (await res.json()) as any;
        assert.equal(res.status, 400, JSON.stringify(body));
        assert.ok(body.errors.some((e: any) => String(e.location).includes('title')), JSON.stringify(body));
      }
    });
  });
});
