/**
 * Which network adapter runs, from the environment (every setting has a
 * working default: the simulated network, answering in 100–300 ms, never failing).
 *
 * | variable | default | meaning |
 * |---|---|---|
 * | OPERON_NETWORK_ADAPTER | simulated | `simulated` or `http` |
 * | OPERON_NETWORK_LATENCY_MS | 100 | simulated: fixed part of each operation's duration |
 * | OPERON_NETWORK_JITTER_MS | 200 | simulated: random extra duration, up to this |
 * | OPERON_NETWORK_FAILURE_RATE | 0 | simulated: share (0..1) of operations that fail as unavailable |
 * | OPERON_NETWORK_FAIL_PATTERN | unset | simulated: activations of resources/services whose name or id matches this regular expression are refused |
 * | OPERON_NETWORK_URL | unset | http: root of the external system; the TMF640 and TMF702 base paths are appended |
 * | OPERON_NETWORK_TMF640_URL, OPERON_NETWORK_TMF702_URL | from OPERON_NETWORK_URL | http: the two API roots, when they differ |
 * | OPERON_NETWORK_TOKEN | unset | http: sent as `Authorization: Bearer …` |
 * | OPERON_NETWORK_TIMEOUT_MS | 300000 | http: how long one call may take, its monitor followed |
 * | OPERON_NETWORK_POLL_MS | 1000 | http: pause between two looks at a monitor |
 * | OPERON_ACTIVATION_WAIT_MS | 2000 | the TMF640/TMF702 APIs: how long a POST or PATCH waits for the network before answering 202 with a monitor |
 */
import type { Database } from '@operon/store';
import type { NetworkAdapter } from './adapter.ts';
import { HttpNetworkAdapter, type HttpNetworkOptions } from './http.ts';
import { SimulatedNetwork, type SimulatedNetworkOptions } from './simulated.ts';

export const TMF640_BASE_PATH = '/tmf-api/ServiceActivationAndConfiguration/v4';
export const TMF702_BASE_PATH = '/tmf-api/ResourceActivationAndConfiguration/v4';

export type NetworkConfig =
  | { adapter: 'simulated'; simulated: SimulatedNetworkOptions }
  | { adapter: 'http'; http: HttpNetworkOptions };

export interface ActivationConfig {
  network: NetworkConfig;
  /** How long the APIs wait for the network before answering 202. */
  waitMs: number;
}

function num(env: NodeJS.ProcessEnv, name: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > max) throw new Error(`${name} must be a number from 0 to ${max}, got '${v}'`);
  return n;
}

export function readActivationConfig(env: NodeJS.ProcessEnv = process.env): ActivationConfig {
  const adapter = (env['OPERON_NETWORK_ADAPTER'] ?? 'simulated').toLowerCase();
  const waitMs = num(env, 'OPERON_ACTIVATION_WAIT_MS', 2000);
  if (adapter === 'simulated') {
    const pattern = env['OPERON_NETWORK_FAIL_PATTERN'];
    let failPattern: RegExp | undefined;
    if (pattern) {
      try {
        failPattern = new RegExp(pattern);
      } catch {
        throw new Error(`OPERON_NETWORK_FAIL_PATTERN is not a regular expression: '${pattern}'`);
      }
    }
    return {
      waitMs,
      network: {
        adapter: 'simulated',
        simulated: {
          latencyMs: num(env, 'OPERON_NETWORK_LATENCY_MS', 100),
          jitterMs: num(env, 'OPERON_NETWORK_JITTER_MS', 200),
          failureRate: num(env, 'OPERON_NETWORK_FAILURE_RATE', 0, 1),
          ...(failPattern ? { failPattern } : {}),
        },
      },
    };
  }
  if (adapter === 'http') {
    const root = env['OPERON_NETWORK_URL']?.replace(/\/+$/, '');
    const serviceApiUrl = env['OPERON_NETWORK_TMF640_URL'] ?? (root ? `${root}${TMF640_BASE_PATH}` : undefined);
    const resourceApiUrl = env['OPERON_NETWORK_TMF702_URL'] ?? (root ? `${root}${TMF702_BASE_PATH}` : undefined);
    if (!serviceApiUrl || !resourceApiUrl) {
      throw new Error('OPERON_NETWORK_ADAPTER=http needs OPERON_NETWORK_URL (or both OPERON_NETWORK_TMF640_URL and OPERON_NETWORK_TMF702_URL)');
    }
    for (const [name, url] of [['TMF640', serviceApiUrl], ['TMF702', resourceApiUrl]] as const) {
      if (!/^https?:\/\//.test(url)) throw new Error(`the ${name} URL of the external network must be http(s), got '${url}'`);
    }
    const token = env['OPERON_NETWORK_TOKEN'];
    return {
      waitMs,
      network: {
        adapter: 'http',
        http: {
          serviceApiUrl,
          resourceApiUrl,
          ...(token ? { headers: { authorization: `Bearer ${token}` } } : {}),
          timeoutMs: num(env, 'OPERON_NETWORK_TIMEOUT_MS', 300_000),
          pollMs: num(env, 'OPERON_NETWORK_POLL_MS', 1000),
        },
      },
    };
  }
  throw new Error(`OPERON_NETWORK_ADAPTER must be 'simulated' or 'http', got '${adapter}'`);
}

export function createNetworkAdapter(db: Database, config: NetworkConfig): NetworkAdapter {
  return config.adapter === 'simulated' ? new SimulatedNetwork(db, config.simulated) : new HttpNetworkAdapter(db, config.http);
}
