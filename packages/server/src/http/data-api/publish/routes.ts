import type { FastifyInstance } from 'fastify';
import { idParams, idSchema } from '../conventions/ids.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { hasScope, type Actor } from '../../../domain/actor.js';
import type { DomainContext } from '../../../domain/context.js';
import type { ListSpec } from '../conventions/list-spec.js';
import { cancelPublish, createPublish, getPublish, listPublish, publishDetail } from '../../../domain/publishing.js';
import type { PublishItemRef } from '../../../domain/model/publish.js';
import { missingScope } from '../conventions/auth.js';
import { registerListView } from '../conventions/list-view.js';
import { presentContext, sendCreated } from '../conventions/present.js';
import { idFromRef, localPath } from '../conventions/refs.js';
import type { UrlFor } from '../../shared/public-url.js';
import { presentPublish, presentPublishSummary } from './presenter.js';

const publishListSpec: ListSpec = {
  name: 'publish requests',
  description: 'Your publish requests (site admins: all), newest first.',
  filters: {
    state: { type: 'enum', values: ['pending', 'publishing', 'completed', 'error', 'cancelled'], description: 'State' },
    created_at: { type: 'datetime', lookups: ['gt', 'gte', 'lt', 'lte'], description: 'When it was made' },
  },
  orderings: ['id', 'created_at', 'publish_at'],
  defaultOrdering: ['-id'],
  expansions: ['list'],
};

const strategy = Type.Union([Type.Literal('together'), Type.Literal('individual')]);

const PublishBody = Type.Object(
  {
    items: Type.Array(Type.Union([Type.String({ minLength: 1 }), idSchema()]), { minItems: 1, maxItems: 1000 }),
    publish_strategy: Type.Optional(strategy),
    // The Python client sends the attribute under its own name, `strategy`.
    strategy: Type.Optional(strategy),
    error_strategy: Type.Optional(Type.Union([Type.Literal('abort'), Type.Literal('ignore')])),
    publish_at: Type.Optional(Type.Union([Type.String({ format: 'date-time' }), Type.Null()])),
  },
  { additionalProperties: false },
);

const tags = ['publishing'];
// Publish requests hold layer, table and set versions; `checkItemScopes` checks each item's own scope.
const readScopes = ['layers:read', 'sets:read'] as const;
const writeScopes = ['layers:write', 'sets:write'] as const;

/**
 * The route takes either kind of write scope; each item needs its own: `sets:write` for a set
 * version, `layers:write` for a layer or table version.
 */
function checkItemScopes(actor: Actor, items: PublishItemRef[]): void {
  for (const item of items) {
    const scope = item.kind === 'set-version' ? 'sets:write' : 'layers:write';
    const what = `${item.kind === 'set-version' ? 'set version' : 'version'} ${item.id}`;
    if (!hasScope(actor, scope)) throw missingScope([scope], `Publishing ${what} needs a token with the "${scope}" scope.`);
  }
}

/** A set version URL, or a layer or table version given by URL or id. */
function publishItemRef(ref: string | number, location: string, urlFor: UrlFor): PublishItemRef {
  const setVersion = typeof ref === 'string' ? /\/sets\/\d+\/versions\/(\d+)\/?$/.exec(localPath(ref, location, urlFor)) : null;
  return setVersion ? { kind: 'set-version', id: Number(setVersion[1]) } : { kind: 'version', id: idFromRef(ref, 'versions', location, urlFor) };
}

export function registerPublishRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const list = '/publish/';
  const one = `${list}:id/`;

  registerListView(app, {
    url: list,
    spec: publishListSpec,
    scope: readScopes,
    tags,
    list: (actor, query) => listPublish(ctx, actor, query),
    summary: presentPublishSummary,
    full: async (row, pc) => presentPublish(await publishDetail(ctx, row), pc),
  });

  app.post(
    list,
    { config: { scope: writeScopes }, schema: { summary: 'Publish versions together or individually, now or at publish_at', tags, body: PublishBody } },
    async (request, reply) => {
      const body = request.body;
      const items = body.items.map((item, i) => publishItemRef(item, `body.items[${i}]`, request.urlFor));
      checkItemScopes(request.actor, items);
      const detail = await createPublish(ctx, request.actor, {
        items,
        publish_strategy: body.publish_strategy ?? body.strategy ?? 'together',
        error_strategy: body.error_strategy ?? 'abort',
        publish_at: body.publish_at ?? null,
      });
      return sendCreated(reply, presentPublish(detail, presentContext(request)));
    },
  );

  app.get(one, { config: { scope: readScopes }, schema: { summary: 'Get a publish request', tags, params: idParams } }, async (request) =>
    presentPublish(await getPublish(ctx, request.actor, request.params.id), presentContext(request)),
  );

  app.delete(one, { config: { scope: writeScopes }, schema: { summary: 'Cancel a pending publish request', tags, params: idParams } }, async (request, reply) => {
    await cancelPublish(ctx, request.actor, request.params.id);
    return reply.code(204).send();
  });
}
