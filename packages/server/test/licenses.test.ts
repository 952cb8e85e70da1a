import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createUserWithToken, startTestServer, type TestServer } from './helpers/server.js';

interface LicenseSummary {
  id: number;
  url: string;
  title: string;
  type: string;
  jurisdiction: string;
  version: string;
  url_html: string | null;
}

interface License extends LicenseSummary {
  url_fulltext: string | null;
  text: string;
  is_custom: boolean;
}

const ccTypes = ['cc-by', 'cc-by-sa', 'cc-by-nd', 'cc-by-nc', 'cc-by-nc-sa', 'cc-by-nc-nd'];

describe('licenses', () => {
  let server: TestServer;
  let reader: { id: number; token: string }; // layers:read only
  let editor: { id: number; token: string }; // layers:read layers:write, not a site admin
  let noScope: { id: number; token: string }; // signed in, without layers:read
  let ccBy: License;

  before(async () => {
    server = await startTestServer();
    reader = await createUserWithToken(server, 'reader', 'layers:read');
    editor = await createUserWithToken(server, 'editor', 'layers:read layers:write');
    noScope = await createUserWithToken(server, 'noscope', 'users:read');
  });
  after(() => server.close());

  it('lists the seeded Creative Commons 4.0 set, CC0 and the Public Domain Mark, sorted by title', async () => {
    const res = await server.request<LicenseSummary[]>('GET', 'licenses/', { token: reader.token });
    assert.equal(res.status, 200, res.text);
    assert.ok(res.body.length >= 8, `only ${res.body.length} licenses`);
    assert.equal(res.headers.get('x-resource-range'), `0-${res.body.length}/${res.body.length}`);
    const titles = res.body.map((l) => l.title);
    assert.deepEqual(titles, [...titles].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)), 'default order is title');

    for (const type of ccTypes) {
      const found = res.body.filter((l) => l.type === type && l.version === '4.0' && l.jurisdiction === '');
      assert.equal(found.length, 1, type);
      assert.equal(found[0]!.url_html, `https://creativecommons.org/licenses/${type.slice(3)}/4.0/`, type);
    }
    const publicDomain = res.body.filter((l) => l.type === 'public-domain').map((l) => l.url_html).sort();
    assert.deepEqual(publicDomain, [
      'https://creativecommons.org/publicdomain/mark/1.0/',
      'https://creativecommons.org/publicdomain/zero/1.0/',
    ]);

    const by = res.body.find((l) => l.type === 'cc-by')!;
    assert.equal(by.title, 'Creative Commons Attribution 4.0 International');
    assert.equal(by.url, `${server.api}licenses/${by.id}/`);
    assert.deepEqual(Object.keys(by).sort(), ['id', 'jurisdiction', 'title', 'type', 'url', 'url_html', 'version']);
  });

  it('filters by type, title, jurisdiction and is_custom, and sorts', async () => {
    const byType = await server.request<LicenseSummary[]>('GET', 'licenses/?type=cc-by-sa&type=cc-by-nd', { token: reader.token });
    assert.equal(byType.status, 200, byType.text);
    assert.deepEqual(byType.body.map((l) => l.type).sort(), ['cc-by-nd', 'cc-by-sa']);

    const byTitle = await server.request<LicenseSummary[]>('GET', 'licenses/?title.icontains=noncommercial', { token: reader.token });
    assert.deepEqual(byTitle.body.map((l) => l.type).sort(), ['cc-by-nc', 'cc-by-nc-nd', 'cc-by-nc-sa']);

    const international = await server.request<LicenseSummary[]>('GET', 'licenses/?jurisdiction=&is_custom=false', { token: reader.token });
    assert.equal(international.status, 200, international.text);
    assert.ok(international.body.length >= 8);
    const ported = await server.request<LicenseSummary[]>('GET', 'licenses/?jurisdiction=nz', { token: reader.token });
    assert.deepEqual(ported.body, []);

    const badType = await server.request('GET', 'licenses/?type=gpl', { token: reader.token });
    assert.equal(badType.status, 400);
    assert.equal(badType.body.code, 'invalid_parameter');

    const byId = await server.request<LicenseSummary[]>('GET', 'licenses/?sort=-id', { token: reader.token });
    const ids = byId.body.map((l) => l.id);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
    const byTypeSort = await server.request<LicenseSummary[]>('GET', 'licenses/?sort=type&page_size=2', { token: reader.token });
    assert.deepEqual(byTypeSort.body.map((l) => l.type), ['cc-by', 'cc-by-nc']);
    assert.match(byTypeSort.headers.get('link') ?? '', /rel="page-next"/);

    const badSort = await server.request('GET', 'licenses/?sort=url', { token: reader.token });
    assert.equal(badSort.status, 400);
    assert.equal(badSort.body.code, 'unknown_sort');

    const options = await server.request('OPTIONS', 'licenses/', { token: null });
    assert.equal(options.status, 200, options.text);
    assert.deepEqual(Object.keys(options.body.filters).sort(), ['is_custom', 'jurisdiction', 'title', 'type', 'version']);
    assert.deepEqual(options.body.ordering, ['id', 'title', 'type']);
  });

  it('returns full objects with Expand: list, and one license by id', async () => {
    const expanded = await server.request<License[]>('GET', 'licenses/?type=cc-by', { token: reader.token, headers: { expand: 'list' } });
    assert.equal(expanded.body.length, 1);
    ccBy = expanded.body[0]!;
    assert.equal(ccBy.is_custom, false);
    assert.equal(ccBy.url_fulltext, 'https://creativecommons.org/licenses/by/4.0/');
    assert.match(ccBy.text, /appropriate credit/);

    const one = await server.request<License>('GET', `licenses/${ccBy.id}/`, { token: reader.token });
    assert.equal(one.status, 200, one.text);
    assert.deepEqual(one.body, ccBy);
    assert.equal(one.headers.get('oauth-scopes'), 'layers:read');

    const missing = await server.request('GET', 'licenses/999999/', { token: reader.token });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'not_found');
  });

  it('finds a license by slug and jurisdiction: international, or empty as the Koordinates client sends it', async () => {
    const intl = await server.request<License>('GET', 'licenses/cc-by/international/', { token: reader.token });
    assert.equal(intl.status, 200, intl.text);
    assert.deepEqual(intl.body, ccBy);

    const empty = await server.request<License>('GET', 'licenses/cc-by//', { token: reader.token });
    assert.equal(empty.status, 200, empty.text);
    assert.equal(empty.body.id, ccBy.id);

    const cc0 = await server.request<License>('GET', 'licenses/cc0/international/', { token: reader.token });
    assert.equal(cc0.status, 200, cc0.text);
    assert.equal(cc0.body.type, 'public-domain');
    assert.equal(cc0.body.url_html, 'https://creativecommons.org/publicdomain/zero/1.0/');

    for (const path of ['licenses/cc-by-xx/international/', 'licenses/cc-by/nz/']) {
      const res = await server.request('GET', path, { token: reader.token });
      assert.equal(res.status, 404, path);
      assert.equal(res.body.code, 'not_found', path);
    }
  });

  it('lets anonymous callers read licenses, but a signed-in token still needs layers:read', async () => {
    const list = await server.request<LicenseSummary[]>('GET', 'licenses/', { token: null });
    assert.equal(list.status, 200, list.text);
    assert.ok(list.body.length >= 8);
    assert.equal(list.headers.get('oauth-scopes'), null);

    const head = await server.request('HEAD', 'licenses/', { token: null });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('x-resource-range'), `0-${list.body.length}/${list.body.length}`);

    assert.equal((await server.request('GET', `licenses/${ccBy.id}/`, { token: null })).status, 200);
    assert.equal((await server.request('GET', 'licenses/cc-by-sa/international/', { token: null })).status, 200);

    for (const path of ['licenses/', `licenses/${ccBy.id}/`, 'licenses/cc-by/international/']) {
      const res = await server.request('GET', path, { token: noScope.token });
      assert.equal(res.status, 403, path);
      assert.equal(res.body.code, 'invalid_token_scope', path);
      assert.equal(res.headers.get('accepted-oauth-scopes'), 'layers:read', path);
    }
  });

  it('lets a site admin add a custom license: 201 with Location, slug from the title', async () => {
    const body = { title: 'Ōtaki Open Data Licence', text: 'Use it, credit the council.', url: 'https://example.org/licence', version: '1.1' };
    const res = await server.request<License>('POST', 'licenses/', { body });
    assert.equal(res.status, 201, res.text);
    assert.equal(res.headers.get('location'), res.body.url);
    assert.equal(res.body.url, `${server.api}licenses/${res.body.id}/`);
    assert.deepEqual(
      { ...res.body, id: 0, url: '' },
      {
        id: 0,
        url: '',
        title: 'Ōtaki Open Data Licence',
        type: 'custom',
        jurisdiction: '',
        version: '1.1',
        url_html: 'https://example.org/licence',
        url_fulltext: 'https://example.org/licence',
        text: 'Use it, credit the council.',
        is_custom: true,
      },
    );

    const got = await server.request<License>('GET', res.headers.get('location')!, { token: null });
    assert.deepEqual(got.body, res.body);
    const bySlug = await server.request<License>('GET', 'licenses/otaki-open-data-licence/international/', { token: reader.token });
    assert.equal(bySlug.body.id, res.body.id);

    const minimal = await server.request<License>('POST', 'licenses/', { body: { title: 'Internal use only', text: 'Staff only.' } });
    assert.equal(minimal.status, 201, minimal.text);
    assert.equal(minimal.body.url_html, null);
    assert.equal(minimal.body.url_fulltext, null);
    assert.equal(minimal.body.version, '');

    const custom = await server.request<LicenseSummary[]>('GET', 'licenses/?is_custom=true', { token: reader.token });
    assert.deepEqual(custom.body.map((l) => l.title), ['Internal use only', 'Ōtaki Open Data Licence']);
    const customType = await server.request<LicenseSummary[]>('GET', 'licenses/?type=custom', { token: reader.token });
    assert.equal(customType.body.length, 2);
  });

  it('refuses a duplicate (same slug) with 409', async () => {
    for (const title of ['Otaki open-data licence', 'INTERNAL USE ONLY', 'CC BY']) {
      const res = await server.request('POST', 'licenses/', { body: { title, text: 'Again.' } });
      assert.equal(res.status, 409, `${title}: ${res.text}`);
      assert.equal(res.body.code, 'conflict');
    }
  });

  it('lets only site admins add licenses, and needs a token with layers:write', async () => {
    const editorPost = await server.request('POST', 'licenses/', { token: editor.token, body: { title: 'Mine', text: 'Mine.' } });
    assert.equal(editorPost.status, 403, editorPost.text);
    assert.equal(editorPost.body.code, 'forbidden');

    const readerPost = await server.request('POST', 'licenses/', { token: reader.token, body: { title: 'Mine', text: 'Mine.' } });
    assert.equal(readerPost.status, 403);
    assert.equal(readerPost.body.code, 'invalid_token_scope');

    const anonymous = await server.request('POST', 'licenses/', { token: null, body: { title: 'Mine', text: 'Mine.' } });
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.body.code, 'authentication_required');

    const list = await server.request<LicenseSummary[]>('GET', 'licenses/?title=Mine', { token: reader.token });
    assert.deepEqual(list.body, []);
  });

  it('refuses bad bodies with 400, naming the field', async () => {
    for (const [body, location, code] of [
      [{ title: 'X', text: 'Y', type: 'cc-by' }, 'body.type', 'invalid_body'],
      [{ text: 'Y' }, 'body.title', 'invalid_body'],
      [{ title: 'X' }, 'body.text', 'invalid_body'],
      [{ title: '  ', text: 'Y' }, 'body.title', 'invalid_body'],
      [{ title: 5, text: 'Y' }, 'body.title', 'invalid_body'],
      [{ title: 'X', text: 'Y', url: 'not a url' }, 'body.url', 'invalid_body'],
      [{ title: '!!!', text: 'Y' }, 'body.title', 'invalid_parameter'],
    ] as const) {
      const res = await server.request('POST', 'licenses/', { body });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      assert.equal(res.body.code, code, JSON.stringify(body));
      assert.ok(
        (res.body.errors as Array<{ location: string }>).some((e) => e.location === location),
        `${JSON.stringify(body)}: ${res.text}`,
      );
    }
  });

  it('answers 405 with Allow for methods a license route does not take', async () => {
    const res = await server.request('DELETE', `licenses/${ccBy.id}/`);
    assert.equal(res.status, 405);
    assert.match(res.headers.get('allow') ?? '', /GET/);
  });
});
