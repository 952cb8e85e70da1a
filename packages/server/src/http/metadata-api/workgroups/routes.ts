import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { DomainContext } from '../../../domain/context.js';
import { createGroup, deleteGroup, listMembers, updateGroup } from '../../../domain/groups.js';
import { invalidInput } from '../../../domain/errors.js';
import { getWorkgroup, listWorkgroups, workgroupLimits, workgroupRole, workgroupStatistics } from '../../../domain/workgroups.js';
import { commonQuery, includesOf, uidSchema } from '../conventions/params.js';
import { wireRole } from '../conventions/wire.js';
import { userContact } from '../users/presenter.js';
import { presentWorkgroup, workgroupIncludes } from './presenter.js';

/** Workgroup keys a client may send back as it got them; the name is the only one that changes here. */
const readOnly = [
  '_abilities', '_created', '_id', '_modified', '_tag', 'areKeywordsRestricted', 'canCreateLegacyServiceLinks', 'canCreateMetadata', 'hasCswClient', 'hasScanFme',
  'hasFlashScan', 'hasNewScriptScan', 'hasAGSScan', 'baseMapUrl', 'isMultilingual', 'availableLanguages', 'keywordsCasing', 'limits', 'metadataLanguage', 'themeColor',
];

/** A workgroup as created or renamed: its name as `contact.name` (a form field, or the JSON object), `name` or `code`. */
const WorkgroupBody = Type.Object(
  {
    code: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    'contact.name': Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    contact: Type.Optional(Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, { additionalProperties: true })),
    ...Object.fromEntries(readOnly.map((key) => [key, Type.Optional(Type.Unknown())])),
  },
  { additionalProperties: false },
);

function nameOf(body: { code?: string; name?: string; 'contact.name'?: string; contact?: { name?: string } }): string | undefined {
  return body.contact?.name ?? body['contact.name'] ?? body.name ?? body.code;
}

const tags = ['workgroups'];
const wgParams = Type.Object({ wg: uidSchema });

/** Workgroups: Mapshelf's groups, for their members, their applications and site admins. */
export function registerWorkgroupRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/groups/', { schema: { summary: 'The workgroups you see (site admins: all)', tags, querystring: commonQuery } }, async (request) => {
    const include = includesOf(request, workgroupIncludes);
    return Promise.all(
      (await listWorkgroups(ctx, request.actor)).map(async (group) =>
        presentWorkgroup(group, { include, role: workgroupRole(request.actor, group), ...(include.has('limits') && { limits: await workgroupLimits(ctx, group) }) }),
      ),
    );
  });

  app.get('/groups/:wg/', { schema: { summary: 'A workgroup', tags, params: wgParams, querystring: commonQuery } }, async (request) => {
    const group = await getWorkgroup(ctx, request.actor, request.params.wg);
    const include = includesOf(request, workgroupIncludes);
    return presentWorkgroup(group, { include, role: workgroupRole(request.actor, group), ...(include.has('limits') && { limits: await workgroupLimits(ctx, group) }) });
  });

  const write = { scope: 'resources:write' } as const;
  const answer = async (request: Parameters<typeof includesOf>[0], group: Parameters<typeof workgroupRole>[1]) => {
    const include = includesOf(request, workgroupIncludes);
    return presentWorkgroup(group, { include, role: workgroupRole(request.actor, group), ...(include.has('limits') && { limits: await workgroupLimits(ctx, group) }) });
  };

  app.post('/groups/', { config: write, schema: { summary: 'Create a workgroup (site admins), from a form or JSON', tags, querystring: commonQuery, body: WorkgroupBody } }, async (request, reply) => {
    const name = nameOf(request.body);
    if (name === undefined) throw invalidInput('contact.name', 'is required: the name of the workgroup');
    const { group } = await createGroup(ctx, request.actor, { name });
    reply.code(201);
    return answer(request, group);
  });

  app.put('/groups/:wg/', { config: write, schema: { summary: 'Rename a workgroup (its admins)', tags, params: wgParams, querystring: commonQuery, body: WorkgroupBody } }, async (request) => {
    const current = await getWorkgroup(ctx, request.actor, request.params.wg);
    const name = nameOf(request.body);
    const { group } = name === undefined || name === current.name ? { group: current } : await updateGroup(ctx, request.actor, current.id, { name });
    return answer(request, group);
  });

  app.delete('/groups/:wg/', { config: write, schema: { summary: 'Delete a workgroup (site admins), with everything it holds', tags, params: wgParams, querystring: commonQuery } }, async (request, reply) => {
    await deleteGroup(ctx, request.actor, (await getWorkgroup(ctx, request.actor, request.params.wg)).id);
    return reply.code(204).send();
  });

  app.get('/groups/:wg/memberships/', { schema: { summary: "A workgroup's members and their roles", tags, params: wgParams, querystring: commonQuery } }, async (request) => {
    const group = await getWorkgroup(ctx, request.actor, request.params.wg);
    const members = await listMembers(ctx, request.actor, group.id, { offset: 0, limit: 10_000, filters: [], sort: [{ field: 'username', descending: false }] });
    const users = await Promise.all(members.items.map((member) => ctx.store.users.findById(member.user_id)));
    return members.items.flatMap((member, i) => {
      const user = users[i];
      return user ? [{ role: wireRole(member.role), user: { _id: user.uid, contact: userContact(user) }, group: { _id: group.uid, contact: { name: group.name } } }] : [];
    });
  });

  app.get('/groups/:wg/statistics/', { schema: { summary: 'What a workgroup holds, counted: records by type, members, contacts, licences, specifications', tags, params: wgParams, querystring: commonQuery } }, async (request) =>
    workgroupStatistics(ctx, request.actor, await getWorkgroup(ctx, request.actor, request.params.wg)),
  );

  app.get('/groups/:wg/limits/', { schema: { summary: "A workgroup's records and members, counted", tags, params: wgParams, querystring: commonQuery } }, async (request) =>
    workgroupLimits(ctx, await getWorkgroup(ctx, request.actor, request.params.wg)),
  );
}
