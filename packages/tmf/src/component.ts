import type { FastifyInstance } from 'fastify';
import type { RequestContext } from '@operon/kernel';
import type { Database, EventRelay, MigrationSource } from '@operon/store';
import type { ApiServices, TmfApiDefinition } from './api.ts';
import type { Ports } from './ports.ts';

/** What a running component receives from the server. */
export interface ComponentRuntime {
  db: Database;
  relay: EventRelay;
  /** Services of the APIs this component exposes, by API name then resource name. */
  services: ReadonlyMap<string, ApiServices>;
  /** Context for work the component starts on its own (not caused by a request). */
  systemContext: RequestContext;
  /** What components need from each other, provided by flows (see ports.ts). */
  ports: Ports;
}

/**
 * A component declares what it is, in ODA style: the TMF APIs it exposes and
 * depends on, the events it publishes and subscribes to, and the eTOM L3 tasks
 * it implements. The server mounts components from their manifests; the eTOM
 * coverage report is derived from them.
 */
export interface ComponentManifest {
  /** Folder-style name, e.g. `party`. */
  name: string;
  title: string;
  description: string;
  /** APIs served; their resources, routes and events come from these definitions. */
  exposes: readonly TmfApiDefinition[];
  /** TMF API ids this component needs from others (e.g. `TMF632`). */
  dependsOn: readonly string[];
  /** Event types consumed. */
  subscribes: readonly string[];
  /** Event types published beyond the resource events the kit derives from `exposes`. */
  publishesExtra?: readonly string[];
  /** eTOM L3 task ids (see `@operon/etom`) this component implements. */
  etomTasks: readonly string[];
  /** Folder of this component's `NNNN_name.sql` migrations. */
  migrations?: string;
  /** Extra, non-CRUD routes (task operations, reports). */
  routes?(app: FastifyInstance, runtime: ComponentRuntime): void;
  /** Registers subscribers and background work; called once the database is ready. */
  start?(runtime: ComponentRuntime): Promise<void>;
}

export function defineComponent(m: ComponentManifest): ComponentManifest {
  if (!/^[a-z][a-z0-9-]*$/.test(m.name)) throw new Error(`component name '${m.name}' must be lower-case kebab`);
  return m;
}

/** Every event type a component publishes: its resources' events plus the extras it declares. */
export function publishedEvents(m: ComponentManifest, eventTypesOf: (api: TmfApiDefinition) => string[]): string[] {
  return [...new Set([...m.exposes.flatMap(eventTypesOf), ...(m.publishesExtra ?? [])])];
}

/**
 * A flow composes components into an end-to-end process (Lead-to-Cash,
 * Trouble-to-Resolve, bill runs): it provides the ports components need,
 * subscribes to their events and drives their services. Flows are the only
 * code that may import more than one component.
 */
export interface FlowDefinition {
  name: string;
  title: string;
  description: string;
  /** eTOM L3 task ids the flow performs (beside those of the components it drives). */
  etomTasks: readonly string[];
  /** Folder of the flow's own `NNNN_name.sql` migrations (e.g. its workflow state). */
  migrations?: string;
  /** Migrations of libraries the flow runs on (e.g. the workflow engine's tables), applied with the rest. */
  migrationSources?: readonly MigrationSource[];
  /** Event types it consumes. */
  subscribes: readonly string[];
  routes?(app: FastifyInstance, runtime: ComponentRuntime): void;
  /** Provides ports and registers subscribers and workers; called before the server listens. */
  start(runtime: ComponentRuntime): Promise<void>;
  /** Stops its background work (before the event relay and the database are closed). */
  stop?(): Promise<void>;
}

export function defineFlow(f: FlowDefinition): FlowDefinition {
  if (!/^[a-z][a-z0-9-]*$/.test(f.name)) throw new Error(`flow name '${f.name}' must be lower-case kebab`);
  return f;
}
