import { CompiledQuery, SqliteDialect, SqliteDriver, type DatabaseConnection, type Driver, type SqliteDialectConfig } from 'kysely';

/**
 * Kysely's SQLite dialect with transactions that take the write lock as they begin (`BEGIN
 * IMMEDIATE`), waiting for it under `busy_timeout`. Kysely's plain `BEGIN` takes it at the first
 * write instead, and that fails at once with SQLITE_BUSY, without waiting, when another process
 * (API and worker processes share the file) committed after the transaction's first read. One
 * process has one connection, so its own transactions run one at a time either way.
 */
export class ImmediateSqliteDialect extends SqliteDialect {
  private readonly settings: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.settings = config;
  }

  override createDriver(): Driver {
    return new ImmediateSqliteDriver(this.settings);
  }
}

class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}
