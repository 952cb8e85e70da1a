import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { escapeXml } from '../../domain/metadata/record.js';
import { recordContents } from '../../domain/record-contents.js';
import { recordText, type RecordView } from '../../domain/records.js';
import { sharedRecord, sharedRecords } from '../../domain/share-links.js';
import { contentsFor, presentRecord, recordIncludes } from '../metadata-api/resources/presenter.js';
import { handleErrors, siteErrorBody } from '../shared/errors.js';
import type { Face, FaceOptions } from '../shared/face.js';

const params = Type.Object({ share: Type.String({ pattern: '^[0-9a-f]{32}$' }), token: Type.String({ pattern: '^[0-9a-f]{32}$' }) });
const recordParams = Type.Object({ ...params.properties, md: Type.String({ pattern: '^[0-9a-f]{32}$' }) });
const query = Type.Object({ format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('html')])) }, { additionalProperties: true });

/** JSON when asked for it (`?format=json`, or an Accept that prefers it), else HTML. */
function wantsJson(request: FastifyRequest): boolean {
  const format = (request.query as { format?: string }).format;
  if (format) return format === 'json';
  const accept = request.headers.accept ?? '';
  return /application\/json/.test(accept) && !/text\/html/.test(accept);
}

const html = (value: string) => escapeXml(value);

function page(reply: FastifyReply, title: string, body: string): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'")
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'no-referrer')
    .send(`<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title>` +
      '<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.5}dt{font-weight:bold}</style></head>' +
      `<body>${body}</body></html>\n`);
}

const titleOf = (view: RecordView) => recordText(view).title ?? view.record.uid;

/**
 * A share's link pages, on the server root as the Isogeo SDK's OpenCatalog URLs name them:
 * `/s/{share}/{urlToken}` lists the records of the catalogs the share opens, `…/r/{md}` shows
 * one, as plain HTML (the web catalog will grow from these) or, asked for, as the Metadata API's
 * JSON. No token: the link is the key.
 */
async function shareLinksPlugin(base: FastifyInstance, { ctx }: FaceOptions): Promise<void> {
  handleErrors(base, siteErrorBody);
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const recordUrl = (request: FastifyRequest, share: string, token: string, md: string) => request.urlFor(`/s/${share}/${token}/r/${md}`);

  app.get('/:share/:token', { schema: { hide: true, params, querystring: query } }, async (request, reply) => {
    const { share, records } = await sharedRecords(ctx, request.params.share, request.params.token);
    if (wantsJson(request)) {
      const results = records.map((view) => ({ ...presentRecord(view, emptyContents, new Set(), undefined), url: recordUrl(request, share.uid, request.params.token, view.record.uid) }));
      return { share: { _id: share.uid, name: share.name }, total: results.length, results };
    }
    const items = records
      .map((view) => `<li><a href="${html(recordUrl(request, share.uid, request.params.token, view.record.uid))}">${html(titleOf(view))}</a> <small>(${html(view.record.type)})</small></li>`)
      .join('');
    return page(reply, share.name, `<h1>${html(share.name)}</h1><p>${records.length} record${records.length === 1 ? '' : 's'}</p><ul>${items}</ul>`);
  });

  app.get('/:share/:token/r/:md', { schema: { hide: true, params: recordParams, querystring: query } }, async (request, reply) => {
    const { share, view } = await sharedRecord(ctx, request.params.share, request.params.token, request.params.md);
    const include = new Set<string>(recordIncludes.filter((name) => name !== '_abilities' && name !== '_creator'));
    const contents = await recordContents(ctx.store, view, contentsFor(include));
    if (wantsJson(request)) return presentRecord(view, contents, include, undefined);
    const { abstract } = recordText(view);
    const facts = [
      ['Type', view.record.type],
      ['Workgroup', view.group.name],
      view.facts?.features == null ? null : ['Features', String(view.facts.features)],
      view.facts?.extent ? ['Extent (WGS 84)', view.facts.extent.map((n) => n.toFixed(4)).join(', ')] : null,
      contents.coordinateSystem ? ['Coordinate system', `EPSG:${contents.coordinateSystem.code} ${contents.coordinateSystem.name}`] : null,
      ...contents.contacts.map(({ part, contact }) => [String(part.body.role), contact.name ?? contact.organization ?? contact.email ?? '']),
      ...contents.conditions.map(({ license }) => ['Licence', license.title]),
    ].filter((row): row is string[] => row !== null);
    const links = contents.links.filter((part) => part.body.type !== 'hosted').map((part) => `<li><a href="${html(String(part.body.url))}" rel="nofollow noopener">${html(String(part.body.title))}</a></li>`);
    return page(
      reply,
      titleOf(view),
      `<p><a href="${html(request.urlFor(`/s/${share.uid}/${request.params.token}`))}">${html(share.name)}</a></p><h1>${html(titleOf(view))}</h1>` +
        (abstract ? `<p>${html(abstract)}</p>` : '') +
        `<dl>${facts.map(([term, value]) => `<dt>${html(term!)}</dt><dd>${html(value!)}</dd>`).join('')}</dl>` +
        (links.length > 0 ? `<h2>Links</h2><ul>${links.join('')}</ul>` : ''),
    );
  });
}

const emptyContents = { events: [], limitations: [], links: [], conditions: [], conformity: [], contacts: [], attributes: [], serviceLayers: [], operations: [], coordinateSystem: null };

export const shareLinks: Face = { name: 'share-links', prefix: '/s', plugin: shareLinksPlugin, root: null };
