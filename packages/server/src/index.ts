/**
 * @operon/server — composes the components into one process: the HTTP app
 * with its docs, the event relay, migrations and start-up.
 */
export * from './app.ts';
export * from './config.ts';
export * from './components.ts';
export * from './operon.ts';
export { seedDemo, demoSteps, demoActivitySteps, type SeedResult } from './demo/seed.ts';
export { Credentials, type KeyRecord, type UserRecord } from './security/credentials.ts';
export { ROLES, ROLE_NAMES, type Role } from './security/roles.ts';
export { PERMISSIONS, ACTIONS, allows } from './security/permissions.ts';
