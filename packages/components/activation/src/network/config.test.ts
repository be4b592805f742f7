/** Which network adapter runs, from the environment: defaults, the HTTP settings, and refusals naming the variable. */
import { describe, expect, it } from 'vitest';
import { readActivationConfig, TMF640_BASE_PATH, TMF702_BASE_PATH } from './config.ts';

describe('the activation settings', () => {
  it('default to the simulated network, answering in 100 to 300 ms and never failing', () => {
    expect(readActivationConfig({})).toEqual({ waitMs: 2000, network: { adapter: 'simulated', simulated: { latencyMs: 100, jitterMs: 200, failureRate: 0 } } });
  });

  it('tune the simulated network: latency, failure rate and the failure pattern', () => {
    const c = readActivationConfig({
      OPERON_NETWORK_ADAPTER: 'Simulated', OPERON_NETWORK_LATENCY_MS: '5000', OPERON_NETWORK_JITTER_MS: '0',
      OPERON_NETWORK_FAILURE_RATE: '0.2', OPERON_NETWORK_FAIL_PATTERN: '^FAIL', OPERON_ACTIVATION_WAIT_MS: '0',
    });
    expect(c.waitMs).toBe(0);
    expect(c.network).toEqual({ adapter: 'simulated', simulated: { latencyMs: 5000, jitterMs: 0, failureRate: 0.2, failPattern: /^FAIL/ } });
  });

  it('point the HTTP adapter at an external system, with its token and limits', () => {
    const c = readActivationConfig({ OPERON_NETWORK_ADAPTER: 'http', OPERON_NETWORK_URL: 'https://oss.example/', OPERON_NETWORK_TOKEN: 't0k', OPERON_NETWORK_POLL_MS: '250' });
    expect(c.network).toEqual({
      adapter: 'http',
      http: {
        serviceApiUrl: `https://oss.example${TMF640_BASE_PATH}`, resourceApiUrl: `https://oss.example${TMF702_BASE_PATH}`,
        headers: { authorization: 'Bearer t0k' }, timeoutMs: 300_000, pollMs: 250,
      },
    });
    const split = readActivationConfig({ OPERON_NETWORK_ADAPTER: 'http', OPERON_NETWORK_TMF640_URL: 'http://a.example/s', OPERON_NETWORK_TMF702_URL: 'http://b.example/r' });
    expect(split.network).toMatchObject({ http: { serviceApiUrl: 'http://a.example/s', resourceApiUrl: 'http://b.example/r' } });
  });

  it('refuse what cannot work, naming the variable', () => {
    expect(() => readActivationConfig({ OPERON_NETWORK_ADAPTER: 'snmp' })).toThrow(/OPERON_NETWORK_ADAPTER/);
    expect(() => readActivationConfig({ OPERON_NETWORK_ADAPTER: 'http' })).toThrow(/OPERON_NETWORK_URL/);
    expect(() => readActivationConfig({ OPERON_NETWORK_ADAPTER: 'http', OPERON_NETWORK_URL: 'ftp://x' })).toThrow(/http\(s\)/);
    expect(() => readActivationConfig({ OPERON_NETWORK_FAILURE_RATE: '1.5' })).toThrow(/OPERON_NETWORK_FAILURE_RATE/);
    expect(() => readActivationConfig({ OPERON_NETWORK_LATENCY_MS: 'slow' })).toThrow(/OPERON_NETWORK_LATENCY_MS/);
    expect(() => readActivationConfig({ OPERON_NETWORK_FAIL_PATTERN: '(' })).toThrow(/OPERON_NETWORK_FAIL_PATTERN/);
  });
});
