import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import { addHostedLink, createLink, deleteLink, getLink, hostedFile, listLinkKinds, listLinks, updateLink, type LinkInput } from '../../../domain/record-links.js';
import { mayEditRecord } from '../../../domain/records.js';
import { sendDownload } from '../../shared/file-download.js';
import { receiveUpload, type UploadShape } from '../../shared/multipart-upload.js';
import { validatePart } from '../../shared/validation.js';
import { commonQuery, uidSchema } from '../conventions/params.js';
import { assertNoNul } from '../conventions/plain-text.js';
import { presentLink } from './presenter.js';

const tags = ['resources'];
const write = { scope: 'resources:write' } as const;
const mdParams = Type.Object({ md: uidSchema });
const linkParams = Type.Object({ md: uidSchema, id: uidSchema });
const langOf = (request: FastifyRequest) => (request.query as { _lang?: string })._lang || undefined;

const linkKeys = ['_id', 'actions', 'fileName', 'kind', 'link', 'size', 'title', 'type', 'url', 'parent_resource'];
/** A link as the SDK sends it (its Link keys, and `parent_resource`); the domain checks the values. */
const LinkBody = Type.Object(Object.fromEntries(linkKeys.map((key) => [key, Type.Optional(Type.Unknown())])), { additionalProperties: false });

/** The SDK's hosted upload: form fields (`actions` repeated, `kind`, `title`, `type`…) and one `file` part. */
const hostedUpload: UploadShape = { jsonPart: 'link', example: 'title=Report&type=hosted&kind=data&actions=download', maxFiles: 1, extractZips: false, formFields: true };

/**
 * The Content-Disposition the Isogeo SDK reads: it takes everything after `filename=`, so no
 * `filename*` may follow. A name outside ASCII goes as RFC 2047 base64, which it decodes.
 */
function sdkDisposition(filename: string): string {
  if (/^[\x20-\x7e]*$/.test(filename) && !/["\\]/.test(filename)) return `attachment; filename="${filename}"`;
  return `attachment; filename="=?utf-8?B?${Buffer.from(filename, 'utf8').toString('base64')}?="`;
}

/** A record's links, hosted files (multipart in, `….bin` out), and the link kinds. */
export function registerRecordLinkRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const links = '/resources/:md/links/';

  app.get('/link-kinds/', { schema: { summary: 'The kinds of link, and the actions each allows', tags: ['links'], querystring: commonQuery } }, async (request) => listLinkKinds(langOf(request)));

  app.get(links, { schema: { summary: "A record's links", tags, params: mdParams, querystring: commonQuery } }, async (request) =>
    (await listLinks(ctx, request.actor, request.params.md)).parts.map(presentLink),
  );

  app.post(
    links,
    {
      config: { ...write, upload: true },
      schema: {
        summary: 'Add a link (JSON), or a hosted file (multipart/form-data: form fields and a "file" part), which answers a list holding the new link',
        tags,
        params: mdParams,
        querystring: commonQuery,
      },
    },
    async (request, reply) => {
      reply.code(201);
      if (!request.isMultipart()) {
        const { part } = await createLink(ctx, request.actor, request.params.md, validatePart(LinkBody, request.body ?? {}, 'body') as LinkInput);
        return presentLink(part);
      }
      const limits = { uploadLimit: ctx.settings.hostedFileLimit, extractLimit: ctx.settings.hostedFileLimit, uploadLimitName: '--hosted-file-limit, MAPSHELF_HOSTED_FILE_LIMIT' };
      let upload;
      try {
        // Who may not add it is told so before the file is read.
        await mayEditRecord(ctx, request.actor, request.params.md);
        upload = await receiveUpload(request, ctx.dataDir, hostedUpload, (form) => {
          assertNoNul(form, 'multipart');
          return validatePart(LinkBody, form, 'multipart') as LinkInput;
        }, limits);
      } catch (error) {
        reply.header('Connection', 'close');
        throw error;
      }
      const { part } = await addHostedLink(ctx, request.actor, request.params.md, upload.fields, upload.staged, upload.files[0]!);
      // `links.upload_hosted` reads the first element of a list.
      return [presentLink(part)];
    },
  );


  app.put(`${links}:id/`, { config: write, schema: { summary: 'Change a link (a hosted one: its title and actions)', tags, params: linkParams, querystring: commonQuery, body: LinkBody } }, async (request) =>
    presentLink((await updateLink(ctx, request.actor, request.params.md, request.params.id, request.body as LinkInput)).part),
  );

  app.delete(`${links}:id/`, { config: write, schema: { summary: 'Remove a link (and its hosted file)', tags, params: linkParams, querystring: commonQuery } }, async (request, reply) => {
    await deleteLink(ctx, request.actor, request.params.md, request.params.id);
    return reply.code(204).send();
  });

  // `…/links/{id}/` is the link, `…/links/{id}.bin/` its hosted file (the link's `url`).
  app.get(
    `${links}:id/`,
    {
      schema: {
        summary: "One link of a record; with `.bin` after its id, a hosted link's file",
        tags,
        params: Type.Object({ md: uidSchema, id: Type.String({ pattern: '^[0-9a-f]{32}(\\.bin)?$' }) }),
        querystring: commonQuery,
      },
    },
    async (request, reply) => {
      const { md, id } = request.params;
      if (!id.endsWith('.bin')) return presentLink((await getLink(ctx, request.actor, md, id)).part);
      const { part, file, path } = await hostedFile(ctx, request.actor, md, id.slice(0, 32));
      const filename = part.body.fileName as string;
      return sendDownload(request, reply, { path, size: part.body.size as number, etag: file.sha256, filename, mediaType: file.mediaType, disposition: sdkDisposition(filename) });
    },
  );
}
