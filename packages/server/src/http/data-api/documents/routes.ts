import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { countUse } from '../../../domain/catalog.js';
import type { DomainContext } from '../../../domain/context.js';
import { createDocument, deleteDocument, documentFile, getDocument, listDocuments, updateDocument, type DocumentInput } from '../../../domain/documents.js';
import { isFullDownload, sendDownload } from '../../shared/file-download.js';
import { registerListView } from '../conventions/list-view.js';
import { receiveUpload, type UploadShape } from '../../shared/multipart-upload.js';
import { registerPermissionRoutes } from '../permissions/routes.js';
import { presentContext, sendCreated } from '../conventions/present.js';
import { idParams } from '../conventions/ids.js';
import type { UrlFor } from '../../shared/public-url.js';
import { idFromRef } from '../conventions/refs.js';
import { apiPath } from '../conventions/urls.js';
import { validatePart } from '../../shared/validation.js';
import { presentDocument, presentDocumentSummary } from './presenter.js';
import { DocumentPart, DocumentUpdateBody, documentsListSpec } from './schema.js';

const tags = ['documents'];

const documentUpload: UploadShape = { jsonPart: 'document', example: '{"title": "Survey report"}', maxFiles: 1, extractZips: false };

function documentInput(body: DocumentUpdateBody, location: string, urlFor: UrlFor): DocumentInput {
  const title = body.title ?? body.name;
  return {
    ...(title !== undefined && { title }),
    ...(body.description !== undefined && { description: body.description }),
    ...(body.tags !== undefined && { tags: body.tags }),
    ...(body.categories !== undefined && { categories: body.categories }),
    ...(body.license !== undefined && { license: body.license === null ? null : idFromRef(body.license, 'licenses', `${location}.license`, urlFor) }),
  };
}

/** Documents (`/documents/`): uploaded PDFs, images and text, catalogued and permissioned like layers. */
export function registerDocumentRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const list = '/documents/';
  const one = `${list}:id/`;
  const read = { scope: 'documents:read' as const, auth: 'optional' as const };
  const write = { scope: 'documents:write' as const };

  registerListView(app, {
    url: list,
    spec: documentsListSpec,
    scope: 'documents:read',
    auth: 'optional',
    tags,
    list: (actor, query) => listDocuments(ctx, actor, query),
    summary: presentDocumentSummary,
    full: presentDocument,
  });

  app.post(
    list,
    {
      // The domain's input is the `document` part.
      config: { ...write, upload: true, input: 'document' },
      schema: {
        summary: 'Upload a document: multipart with a "document" JSON part (title, description, tags, categories, license, group) and one file part',
        description: 'PDF, PNG, JPEG, GIF, TIFF, WebP or UTF-8 text; the type is read from the content.',
        tags,
      },
    },
    async (request, reply) => {
      let upload;
      try {
        // Everything in the JSON part is checked here, so a bad part leaves no staged file behind.
        upload = await receiveUpload(request, ctx.dataDir, documentUpload, (part) => {
          const { group, ...fields } = validatePart(DocumentPart, part, 'document');
          return { ...documentInput(fields, 'document', request.urlFor), ...(group !== undefined && { group: typeof group === 'object' ? group.id : group }) };
        }, ctx.settings);
      } catch (error) {
        reply.header('Connection', 'close');
        throw error;
      }
      const row = await createDocument(ctx, request.actor, upload.fields, upload.staged, upload.files[0]!);
      return sendCreated(reply, presentDocument(row, presentContext(request)));
    },
  );

  app.get(one, { config: read, schema: { summary: 'Get a document', tags, params: idParams } }, async (request) => {
    const row = await getDocument(ctx, request.actor, request.params.id);
    await countUse(ctx, 'document', row.id);
    return presentDocument(row, presentContext(request));
  });

  app.put(
    one,
    { config: write, schema: { summary: "Edit a document's title, description, tags, categories or license", tags, params: idParams, body: DocumentUpdateBody } },
    async (request) => presentDocument(await updateDocument(ctx, request.actor, request.params.id, documentInput(request.body, 'body', request.urlFor)), presentContext(request)),
  );

  app.delete(one, { config: write, schema: { summary: 'Delete a document and its file', tags, params: idParams } }, async (request, reply) => {
    await deleteDocument(ctx, request.actor, request.params.id);
    return reply.code(204).send();
  });

  app.get(
    `${one}download/`,
    { config: read, schema: { summary: 'Download the file (needs download permission); supports Range', tags, params: idParams } },
    async (request, reply) => {
      const { document, path } = await documentFile(ctx, request.actor, request.params.id);
      // A resumed download (a Range request) or a revalidation is the same download; count it once.
      if (isFullDownload(request)) await countUse(ctx, 'document', document.id);
      return sendDownload(request, reply, { path, size: document.size, etag: document.sha256, filename: document.filename, mediaType: document.media_type });
    },
  );

  registerPermissionRoutes(app, ctx, {
    itemUrl: one,
    itemPath: (id) => apiPath('documents', id),
    type: 'document',
    scopes: { read: 'documents:read', write: 'documents:write' },
    tags,
  });
}
