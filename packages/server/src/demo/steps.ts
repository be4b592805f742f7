/** How demo data is described: one step creates one resource, then walks it to a target state. */
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
}

/** A change applied once every resource exists (links that point forward). */
export interface DemoLink {
  key: string;
  patch(refs: DemoRefs): Record<string, unknown>;
}
