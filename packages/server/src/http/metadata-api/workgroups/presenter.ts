import type { Group } from '../../../domain/model/groups.js';
import type { WorkgroupLimits } from '../../../domain/workgroups.js';
import { wireTimestamp } from '../conventions/wire.js';

/** A workgroup's contact, as Isogeo's Contact of type `group`. */
export function workgroupContact(group: Group) {
  return { _id: group.uid, _tag: `contact:group:${group.uid}`, name: group.name, type: 'group' };
}

/** A workgroup as other resources name it (an application's `groups`). */
export function workgroupRef(group: Group) {
  return { _id: group.uid, _tag: `owner:${group.uid}`, code: group.name, contact: workgroupContact(group) };
}

/** What a role may do in a workgroup, as Isogeo's `_abilities` name it. */
function abilitiesOf(role: string | null): string[] {
  if (role === 'admin') return ['group:manage', 'resource:create', 'resource:update', 'resource:read'];
  if (role === 'editor') return ['resource:create', 'resource:update', 'resource:read'];
  return ['resource:read'];
}

/** Isogeo's Workgroup, its keys only; `_abilities` and `limits` when `_include` asks. */
export function presentWorkgroup(group: Group, options: { include: ReadonlySet<string>; role: string | null; limits?: WorkgroupLimits }) {
  return {
    ...(options.include.has('_abilities') && { _abilities: abilitiesOf(options.role) }),
    _created: wireTimestamp(group.created_at),
    _modified: wireTimestamp(group.updated_at),
    ...workgroupRef(group),
    canCreateMetadata: options.role === 'admin' || options.role === 'editor',
    ...(options.limits && { limits: options.limits }),
  };
}

export const workgroupIncludes = ['_abilities', 'limits'] as const;
