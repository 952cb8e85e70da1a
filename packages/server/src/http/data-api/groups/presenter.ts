import type { GroupDetail } from '../../../domain/groups.js';
import type { Group, Member } from '../../../domain/model/groups.js';
import type { PresentContext } from '../conventions/present.js';
import { apiPath } from '../conventions/urls.js';
import { presentUserSummary } from '../users/presenter.js';

export function presentGroupSummary(group: Group, ctx: PresentContext) {
  return { id: group.id, url: ctx.urlFor(apiPath('groups', group.id)), name: group.name };
}

export function presentGroup({ group, memberCount }: GroupDetail, ctx: PresentContext) {
  return {
    ...presentGroupSummary(group, ctx),
    description: group.description,
    created_at: group.created_at,
    updated_at: group.updated_at,
    member_count: memberCount,
    members: ctx.urlFor(apiPath('groups', group.id, 'members')),
  };
}

export function presentMember(member: Member, ctx: PresentContext) {
  return {
    url: ctx.urlFor(apiPath('groups', member.group_id, 'members', member.user_id)),
    user: presentUserSummary({ id: member.user_id, username: member.username, first_name: member.first_name, last_name: member.last_name }, ctx),
    role: member.role,
    joined_at: member.joined_at,
  };
}
