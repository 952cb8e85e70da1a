import type { Contact } from '../../../domain/model/contacts.js';
import type { Group } from '../../../domain/model/groups.js';
import type { PresentOptions } from '../conventions/workgroup-collection.js';
import { wireTimestamp } from '../conventions/wire.js';
import { workgroupRef } from '../workgroups/presenter.js';

/** Isogeo's Contact of type `custom`, its keys only (the SDK names them so in answers, not in what it sends). */
export function presentContact(contact: Contact, group: Group, options: PresentOptions) {
  return {
    ...(options.include.has('_abilities') && { _abilities: options.canEdit ? ['contact:update', 'contact:delete'] : [] }),
    ...(options.count !== undefined && { count: options.count }),
    _id: contact.uid,
    _tag: `contact:${group.uid}:${contact.uid}`,
    addressLine1: contact.address_line1,
    addressLine2: contact.address_line2,
    addressLine3: contact.address_line3,
    city: contact.city,
    countryCode: contact.country_code,
    created: wireTimestamp(contact.created_at),
    email: contact.email,
    fax: contact.fax,
    modified: wireTimestamp(contact.updated_at),
    name: contact.name,
    organization: contact.organization,
    owner: workgroupRef(group),
    phone: contact.phone,
    type: 'custom',
    zipCode: contact.zip_code,
  };
}

/** `count`: the workgroup's records that name it in a role. */
export const contactIncludes = ['_abilities', 'count'] as const;
