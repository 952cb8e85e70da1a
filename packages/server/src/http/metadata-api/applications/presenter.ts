import type { Application } from '../../../domain/model/applications.js';
import type { Group } from '../../../domain/model/groups.js';
import { wireTimestamp } from '../conventions/wire.js';
import { workgroupRef } from '../workgroups/presenter.js';

/** Isogeo's Application, its keys only. `client_secret` appears once, in the answer that creates it. */
export function presentApplication(application: Application, groups: readonly Group[], secret?: string) {
  return {
    _created: wireTimestamp(application.created_at),
    _id: application.uid,
    _modified: wireTimestamp(application.updated_at),
    canHaveManyGroups: application.can_have_many_groups,
    client_id: application.client_id,
    ...(secret !== undefined && { client_secret: secret }),
    groups: groups.map(workgroupRef),
    kind: application.kind,
    name: application.name,
    redirect_uris: application.redirect_uris,
    scopes: application.scopes,
    staff: application.staff,
    type: application.type,
    url: application.url,
  };
}
