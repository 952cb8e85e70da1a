/** @mapshelf/server: the Mapshelf server, its configuration and its offline admin tasks. */
export { buildApp } from './app.js';
export { ConfigError, resolveConfig, resolveProcessConfig, resolveStoreConfig, type ConfigInput, type ProcessConfig, type ServerConfig } from './config.js';
export { closeOnSignals, startServer, type RunningProcess, type RunningServer } from './main.js';
export { startWorker, type RunningWorker } from './worker-main.js';
export { createTokenOffline, bootstrapAdminToken, createApplicationOffline, setPasswordOffline } from './domain/bootstrap.js';
export { allScopes, parseScopes, type Scope } from './domain/scopes.js';
export { errorCodes, type ErrorCode } from './domain/errors.js';
export { Store } from './store/store.js';
export { openStore, migrateStore, type StoreSettings } from './store/open-store.js';
export type { Store as CatalogStore } from './domain/ports/store.js';
export { gdalInfo } from './geo/gdal.js';
export { describeDataset, type LayerSummary } from './geo/datasets.js';
export { serverVersion } from './version.js';
