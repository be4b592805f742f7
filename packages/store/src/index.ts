/**
 * @operon/store — PostgreSQL access for every component: the pool and
 * transactions with a transactional outbox, the embedded server, migrations,
 * document tables with TMF630 filtering, the event relay, and backups.
 */
export * from './database.ts';
export * from './embedded.ts';
export * from './migrate.ts';
export * from './documents.ts';
export * from './cache.ts';
export * from './outbox.ts';
export * from './relay.ts';
export * from './backup.ts';
