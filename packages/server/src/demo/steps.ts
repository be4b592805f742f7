/** How demo data is described: one step creates one resource, then walks it to a target state. */
import type { RequestContext } from '@operon/kernel';
import type { Tx } from '@operon/store';
import type { ComponentRuntime, Doc, ResourceService } from '@operon/tmf';

export interface DemoRef {
  id: string;
  href: string;
  name?: string;
  '@referredType': string;
}

export interface DemoRefs {
  ref(key: string): DemoRef;
  id(key: string): string;
}

export interface DemoStep {
  /** Symbolic name other steps refer to. */
  key: string;
  /** API name (e.g. `party`) and resource name (e.g. `individual`). */
  api: string;
  resource: string;
  body(refs: DemoRefs): Record<string, unknown>;
  /** State to reach through the resource's lifecycle after creation. */
  state?: string;
  /**
   * Creates the resource through the component's own operation when a plain
   * create is not what the API does (a pool writes its values, an order is
   * captured and checked, a quote is priced).
   */
  create?(runtime: ComponentRuntime, body: Record<string, unknown>, ctx: RequestContext, tx: Tx): Promise<{ doc: Doc }>;
  /** The service that serves the resource, when it is not among `runtime.services` (resource pools). */
  service?(runtime: ComponentRuntime): ResourceService;
}

/** A change applied once every resource exists (links that point forward). */
export interface DemoLink {
  key: string;
  patch(refs: DemoRefs): Record<string, unknown>;
}
