import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { DomainContext } from '../../../domain/context.js';
import {
  createGroup,
  deleteGroup,
  getGroup,
  getMember,
  groupDetail,
  listGroups,
  listMembers,
  putMember,
  removeMember,
  updateGroup,
} from '../../../domain/groups.js';
import { registerListView } from '../conventions/list-view.js';
import { presentContext, sendCreated } from '../conventions/present.js';
import { idParams } from '../conventions/ids.js';
import { presentGroup, presentGroupSummary, presentMember } from './presenter.js';
import { GroupCreateBody, GroupUpdateBody, MemberBody, MemberParams, MemberRoleBody, groupsListSpec, membersListSpec } from './schema.js';

const tags = ['groups'];

export function registerGroupRoutes(base: FastifyInstance, ctx: DomainContext): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  const list = '/groups/';
  const one = `${list}:id/`;
  const members = `${one}members/`;
  const member = `${members}:userId/`;

  registerListView(app, {
    url: list,
    spec: groupsListSpec,
    scope: 'users:read',
    tags,
    list: (actor, query) => listGroups(ctx, actor, query),
    summary: presentGroupSummary,
    full: async (group, pc) => presentGroup(await groupDetail(ctx, group), pc),
  });

  app.post(
    list,
    { config: { scope: 'users:write' }, schema: { summary: 'Create a group (site admins)', tags, body: GroupCreateBody } },
    async (request, reply) => sendCreated(reply, presentGroup(await createGroup(ctx, request.actor, request.body), presentContext(request))),
  );

  app.get(
    one,
    { config: { scope: 'users:read' }, schema: { summary: 'Get a group', tags, params: idParams } },
    async (request) => presentGroup(await getGroup(ctx, request.actor, request.params.id), presentContext(request)),
  );

  app.patch(
    one,
    { config: { scope: 'users:write' }, schema: { summary: 'Rename or describe a group (site or group admins)', tags, params: idParams, body: GroupUpdateBody } },
    async (request) => presentGroup(await updateGroup(ctx, request.actor, request.params.id, request.body), presentContext(request)),
  );

  app.delete(
    one,
    { config: { scope: 'users:write' }, schema: { summary: 'Delete a group (site admins)', tags, params: idParams } },
    async (request, reply) => {
      await deleteGroup(ctx, request.actor, request.params.id);
      return reply.code(204).send();
    },
  );

  registerListView(app, {
    url: members,
    spec: membersListSpec,
    scope: 'users:read',
    tags,
    params: idParams,
    list: (actor, query, request) => listMembers(ctx, actor, (request.params as { id: number }).id, query),
    summary: presentMember,
    full: presentMember,
  });

  app.post(
    members,
    {
      config: { scope: 'users:write' },
      schema: { summary: 'Add a member, or change their role (site or group admins)', tags, params: idParams, body: MemberBody },
    },
    async (request, reply) => {
      const { member: row, created } = await putMember(ctx, request.actor, request.params.id, request.body);
      const body = presentMember(row, presentContext(request));
      return created ? sendCreated(reply, body) : body;
    },
  );

  app.get(
    member,
    { config: { scope: 'users:read' }, schema: { summary: 'Get one membership', tags, params: MemberParams } },
    async (request) => presentMember(await getMember(ctx, request.actor, request.params.id, request.params.userId), presentContext(request)),
  );

  app.put(
    member,
    { config: { scope: 'users:write' }, schema: { summary: "Change a member's role", tags, params: MemberParams, body: MemberRoleBody } },
    async (request) => {
      await getMember(ctx, request.actor, request.params.id, request.params.userId);
      const { member: row } = await putMember(ctx, request.actor, request.params.id, { user: request.params.userId, role: request.body.role });
      return presentMember(row, presentContext(request));
    },
  );

  app.delete(
    member,
    { config: { scope: 'users:write' }, schema: { summary: 'Remove a member (site or group admins)', tags, params: MemberParams } },
    async (request, reply) => {
      await removeMember(ctx, request.actor, request.params.id, request.params.userId);
      return reply.code(204).send();
    },
  );
}
