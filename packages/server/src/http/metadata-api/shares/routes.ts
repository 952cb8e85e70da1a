import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import { groupByUid } from '../../../domain/groups.js';
import type { ShareMember } from '../../../domain/model/shares.js';
import {
  addToShare,
  createShare,
  deleteShare,
  getShare,
  listShares,
  listWorkgroupShares,
  refreshShareToken,
  removeFromShare,
  sharesOfCatalog,
  updateShare,
  type ShareInput,
  type ShareView,
} from '../../../domain/shares.js';
import { presentApplication } from '../applications/presenter.js';
import { presentCatalog } from '../catalogs/routes.js';
import { commonQuery, includesOf, uidSchema } from '../conventions/params.js';
import { wireTimestamp } from '../conventions/wire.js';
import { workgroupRef } from '../workgroups/presenter.js';

const tags = ['shares'];
const write = { scope: 'resources:write' } as const;
const shareIncludes = ['_abilities', 'groups'] as const;

/**
 * Isogeo's Share, its keys only. `applications` is always filled (the SDK's `connect()` builds
 * an Application from the first share's first one), `catalogs` lists catalog objects, `groups`
 * comes with `_include=groups`; the link token is shown to the share's own workgroup only.
 */
function presentShare(request: FastifyRequest, view: ShareView) {
  const include = includesOf(request, shareIncludes);
  const own = request.actor.kind === 'user' && request.actor.memberships.some((m) => m.group_id === view.share.group_id);
  const none = { include: new Set<string>(), canEdit: false };
  return {
    _created: wireTimestamp(view.share.created_at),
    _creator: workgroupRef(view.group),
    _id: view.share.uid,
    _modified: wireTimestamp(view.share.updated_at),
    applications: view.applications.map((application) => presentApplication(application, [])),
    catalogs: view.catalogs.map((catalog) => presentCatalog(catalog, view.group, none)),
    ...(include.has('groups') && { groups: view.groups.map(workgroupRef) }),
    name: view.share.name,
    rights: view.share.rights,
    type: view.share.type,
    urlToken: own ? view.share.url_token : null,
  };
}

/** `share.create` sends `{name, rights, type}`; an update may send the Share back. */
const ShareBody = Type.Object(
  {
    name: Type.Optional(Type.String()),
    type: Type.Optional(Type.String()),
    rights: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
    ...Object.fromEntries(['_created', '_creator', '_id', '_modified', 'applications', 'catalogs', 'groups', 'urlToken', '_abilities'].map((key) => [key, Type.Optional(Type.Unknown())])),
  },
  { additionalProperties: false },
);

const inputOf = (body: { name?: string; type?: string; rights?: string[] | null }): ShareInput => ({
  ...(body.name !== undefined && { name: body.name }),
  ...(body.type !== undefined && { type: body.type }),
  ...(body.rights !== undefined && { rights: body.rights }),
});

/** Shares: what a workgroup opens to applications, other workgroups and links. */
export function registerShareRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const one = Type.Object({ id: uidSchema });

  app.get('/shares/', { schema: { summary: 'The shares you read (a group application: those it is in)', tags, querystring: commonQuery } }, async (request) =>
    (await listShares(ctx, request.actor)).map((view) => presentShare(request, view)),
  );
  app.get('/groups/:wg/shares/', { schema: { summary: "A workgroup's shares", tags, params: Type.Object({ wg: uidSchema }), querystring: commonQuery } }, async (request) =>
    (await listWorkgroupShares(ctx, request.actor, await groupByUid(ctx, request.params.wg))).map((view) => presentShare(request, view)),
  );
  app.post('/groups/:wg/shares/', { config: write, schema: { summary: 'Make a share (the workgroup’s admins and editors)', tags, params: Type.Object({ wg: uidSchema }), querystring: commonQuery, body: ShareBody } }, async (request, reply) => {
    const view = await createShare(ctx, request.actor, await groupByUid(ctx, request.params.wg), inputOf(request.body));
    reply.code(201);
    return presentShare(request, view);
  });
  app.get('/shares/:id/', { schema: { summary: 'A share', tags, params: one, querystring: commonQuery } }, async (request) => presentShare(request, await getShare(ctx, request.actor, request.params.id)));
  app.put('/shares/:id/', { config: write, schema: { summary: "Rename a share, or change its rights", tags, params: one, querystring: commonQuery, body: ShareBody } }, async (request) =>
    presentShare(request, await updateShare(ctx, request.actor, request.params.id, inputOf(request.body))),
  );
  app.delete('/shares/:id/', { config: write, schema: { summary: 'Delete a share', tags, params: one, querystring: commonQuery } }, async (request, reply) => {
    await deleteShare(ctx, request.actor, request.params.id);
    return reply.code(204).send();
  });
  app.post('/shares/:id/refresh-token/', { config: write, schema: { summary: 'A new link token; the old links stop working', tags, params: one, querystring: commonQuery } }, async (request) =>
    presentShare(request, await refreshShareToken(ctx, request.actor, request.params.id)),
  );
  for (const kind of ['applications', 'catalogs', 'groups'] as const satisfies readonly ShareMember[]) {
    const params = Type.Object({ id: uidSchema, member: uidSchema });
    app.put(`/shares/:id/${kind}/:member/`, { config: write, schema: { summary: `Add one of the share's ${kind}`, tags, params, querystring: commonQuery } }, async (request, reply) => {
      await addToShare(ctx, request.actor, request.params.id, kind, request.params.member);
      return reply.code(204).send();
    });
    app.delete(`/shares/:id/${kind}/:member/`, { config: write, schema: { summary: `Remove one of the share's ${kind}`, tags, params, querystring: commonQuery } }, async (request, reply) => {
      await removeFromShare(ctx, request.actor, request.params.id, kind, request.params.member);
      return reply.code(204).send();
    });
  }
  app.get('/catalogs/:id/shares/', { schema: { summary: 'The shares that open a catalog', tags, params: one, querystring: commonQuery } }, async (request) =>
    (await sharesOfCatalog(ctx, request.actor, request.params.id)).map((view) => presentShare(request, view)),
  );
}
