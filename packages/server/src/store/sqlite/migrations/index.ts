import type { Migration } from 'kysely';
import { migrationSeries } from '../../migration-series.js';
import * as initial from './0001-initial.js';
import * as data from './0002-data.js';
import * as licenses from './0003-licenses.js';
import * as permissions from './0004-permissions.js';
import * as catalog from './0005-catalog.js';
import * as setsDocuments from './0006-sets-documents.js';
import * as exportsMigration from './0007-exports.js';
import * as jobInterruptions from './0008-job-interruptions.js';
import * as catalogTextValues from './0009-catalog-text-values.js';
import * as jobLeases from './0010-job-leases.js';
import * as catalogSearch from './0011-catalog-search.js';
import * as uids from './0012-uids.js';
import * as oauth from './0013-oauth.js';
import * as contacts from './0014-contacts.js';
import * as specifications from './0015-specifications.js';
import * as invitations from './0016-invitations.js';
import * as coordinateSystemAliases from './0017-coordinate-system-aliases.js';
import * as records from './0018-records.js';
import * as recordCatalogs from './0019-record-catalogs.js';
import * as shares from './0020-shares.js';
import * as formats from './0021-formats.js';

/**
 * Every schema migration, in order. Migrations only add: they never drop or rewrite data, so
 * an upgrade can't lose anything and an older catalog always opens. Append, never edit.
 */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-data': data,
  '0003-licenses': licenses,
  '0004-permissions': permissions,
  '0005-catalog': catalog,
  '0006-sets-documents': setsDocuments,
  '0007-exports': exportsMigration,
  '0008-job-interruptions': jobInterruptions,
  '0009-catalog-text-values': catalogTextValues,
  '0010-job-leases': jobLeases,
  '0011-catalog-search': catalogSearch,
  '0012-uids': uids,
  '0013-oauth': oauth,
  '0014-contacts': contacts,
  '0015-specifications': specifications,
  '0016-invitations': invitations,
  '0017-coordinate-system-aliases': coordinateSystemAliases,
  '0018-records': records,
  '0019-record-catalogs': recordCatalogs,
  '0020-shares': shares,
  '0021-formats': formats,
};

export const { migrationProvider, latestMigration } = migrationSeries(migrations);
