import type { TestProject } from 'vitest/node';
import { SERVER_ADMIN_URL } from './server-url.ts';

/** The machine's PostgreSQL server; the config only includes this project when it answers. */
export async function setup(project: TestProject) {
  project.provide('pgAdminUrl', SERVER_ADMIN_URL);
  project.provide('pgTarget', 'server');
}
