/**
 * Activation component (TMF640 Service Activation and Configuration, TMF702
 * Resource Activation and Configuration): asks the network to configure,
 * activate, reconfigure and deactivate services and resources, and follows
 * long operations with monitors. The network is reached through a network
 * adapter, chosen by configuration: the built-in simulated network or an
 * external TMF640/TMF702 system over HTTP (see network/config.ts).
 *
 * The lead-to-cash flow asks the running component for `activator(runtime)`
 * and calls it from its workflow tasks, with the task's idempotency key and
 * abort signal (see activator.ts); `networkAdapter(runtime)` is the adapter
 * underneath, for callers that follow operations themselves.
 */
import { fileURLToPath } from 'node:url';
import { defineComponent, type ComponentManifest, type ComponentRuntime } from '@operon/tmf';
import { ActivationRequests } from './activation.ts';
import { createActivator, type Activator } from './activator.ts';
import type { NetworkAdapter } from './network/adapter.ts';
import { createNetworkAdapter, readActivationConfig, type ActivationConfig } from './network/config.ts';
import { SimulatedNetwork } from './network/simulated.ts';
import { resourceActivationApi, serviceActivationApi } from './resources.ts';
import { activationRoutes } from './routes.ts';

export * from './network/adapter.ts';
export { createActivator, type Activator, type ActivationCallOptions, type DeactivationCallOptions } from './activator.ts';
export { readActivationConfig, createNetworkAdapter, TMF640_BASE_PATH, TMF702_BASE_PATH, type ActivationConfig, type NetworkConfig } from './network/config.ts';
export { SimulatedNetwork, type SimulatedNetworkOptions } from './network/simulated.ts';
export { HttpNetworkAdapter, type HttpNetworkOptions } from './network/http.ts';
export { CONTROL_CHARACTERISTICS } from './network/elements.ts';
export {
  serviceActivationApi, resourceActivationApi, service, resource, serviceMonitor, resourceMonitor,
  serviceLifecycle, resourceLifecycle, monitorLifecycle, TMF640_NAME, TMF702_NAME,
} from './resources.ts';
export { SERVICE_STATES, ADMINISTRATIVE_STATES, MONITOR_STATES, type ServiceState, type AdministrativeState } from './schemas.ts';

const running = new WeakMap<ComponentRuntime, { adapter: NetworkAdapter; activator: Activator; requests: ActivationRequests }>();

function runningIn(runtime: ComponentRuntime) {
  const r = running.get(runtime);
  if (!r) throw new Error('the activation component is not running in this Operon: add it to the components (its start builds the network adapter)');
  return r;
}

/**
 * What the flow calls to activate, modify and deactivate resources and
 * services, waiting for the network's answer. Throws when the component is
 * not part of this Operon (or not started yet: flows start after components).
 */
export function activator(runtime: ComponentRuntime): Activator {
  return runningIn(runtime).activator;
}

/** The network adapter of the running activation component (simulated or http). */
export function networkAdapter(runtime: ComponentRuntime): NetworkAdapter {
  return runningIn(runtime).adapter;
}

export interface ActivationComponentOptions {
  /** Settings to use instead of reading the environment (tests, embedding). */
  config?: ActivationConfig;
  /** The environment to read the settings from (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /** Builds the adapter instead of the configured one (e.g. a test double). */
  adapter?: (runtime: ComponentRuntime) => NetworkAdapter;
}

export function createActivationComponent(options: ActivationComponentOptions = {}): ComponentManifest {
  return defineComponent({
    name: 'activation',
    title: 'Service and Resource Activation',
    description:
      'Configures, activates, reconfigures and deactivates services (TMF640) and resources (TMF702) on the network, through the simulated network or an external activation system, following long operations with monitors.',
    exposes: [serviceActivationApi, resourceActivationApi],
    dependsOn: [],
    subscribes: [],
    etomTasks: ['implement-configure-and-activate-service', 'configure-and-activate-resource'],
    migrations: fileURLToPath(new URL('../migrations', import.meta.url)),
    routes(app, runtime) {
      activationRoutes(app, () => {
        const r = running.get(runtime);
        if (!r) throw new Error('the activation component has not started');
        return r.requests;
      });
      // the server closes before the database: background waits must end first
      app.addHook('onClose', async () => running.get(runtime)?.requests.stop());
    },
    async start(runtime) {
      // configuration errors stop Operon at start, with the variable named
      const config = options.config ?? readActivationConfig(options.env ?? process.env);
      const adapter = options.adapter?.(runtime) ?? createNetworkAdapter(runtime.db, config.network);
      const requests = new ActivationRequests(runtime, adapter, config.waitMs, (message, detail) => console.error(`activation: ${message}`, detail));
      running.set(runtime, { adapter, activator: createActivator(adapter), requests });
      // operations whose caller went away while the network worked (e.g. a restart) are finished now
      if (adapter instanceof SimulatedNetwork) await adapter.completeDue();
      await requests.recover();
    },
  });
}

/** The component as Operon ships it: its settings come from the environment. */
export const activationComponent = createActivationComponent();
