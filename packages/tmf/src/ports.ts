/**
 * Ports: what a component needs from the rest of Operon without importing
 * another component. A component declares the port (its name and shape, by
 * extending `OperonPorts` through declaration merging) and asks for it at the
 * moment it needs it; a flow, which may compose components, provides it when
 * the server starts. A port nobody provided is a clear error, not a silent no-op.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface -- extended by the components that declare ports
export interface OperonPorts {}

export type PortName = keyof OperonPorts;

export class Ports {
  private readonly provided = new Map<string, unknown>();

  provide<K extends PortName>(name: K, implementation: OperonPorts[K]): void {
    if (this.provided.has(name)) throw new Error(`port '${String(name)}' is provided twice`);
    this.provided.set(name, implementation);
  }

  get<K extends PortName>(name: K): OperonPorts[K] {
    if (!this.provided.has(name)) throw new Error(`port '${String(name)}' is needed but no flow provides it`);
    return this.provided.get(name) as OperonPorts[K];
  }

  has(name: PortName): boolean {
    return this.provided.has(name);
  }
}
