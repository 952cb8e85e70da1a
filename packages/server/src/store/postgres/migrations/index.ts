import type { Migration } from 'kysely';
import { migrationSeries } from '../../migration-series.js';
import * as initial from './0001-initial.js';
import * as searchByView from './0002-search-by-view.js';
import * as catalogGeneration from './0003-catalog-generation.js';
import * as generationOnRealChanges from './0004-generation-on-real-changes.js';
import * as authGeneration from './0005-auth-generation.js';
import * as oauth from './0006-oauth.js';
import * as contacts from './0007-contacts.js';
import * as specifications from './0008-specifications.js';
import * as invitations from './0009-invitations.js';
import * as coordinateSystemAliases from './0010-coordinate-system-aliases.js';
import * as records from './0011-records.js';
import * as recordCatalogs from './0012-record-catalogs.js';
import * as shares from './0013-shares.js';
import * as formats from './0014-formats.js';

/**
 * PostgreSQL's schema migrations, in order: its own series, additive like SQLite's. Append,
 * never edit.
 */
const migrations: Record<string, Migration> = {
  '0001-initial': initial,
  '0002-search-by-view': searchByView,
  '0003-catalog-generation': catalogGeneration,
  '0004-generation-on-real-changes': generationOnRealChanges,
  '0005-auth-generation': authGeneration,
  '0006-oauth': oauth,
  '0007-contacts': contacts,
  '0008-specifications': specifications,
  '0009-invitations': invitations,
  '0010-coordinate-system-aliases': coordinateSystemAliases,
  '0011-records': records,
  '0012-record-catalogs': recordCatalogs,
  '0013-shares': shares,
  '0014-formats': formats,
};

export const { migrationProvider, latestMigration } = migrationSeries(migrations);
