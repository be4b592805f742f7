/**
 * Runs a TM Forum conformance test kit (a Postman collection) with newman
 * against a running Operon and reports every assertion, so a test can require
 * zero failures (newman's exit status alone is not enough).
 */
import fs from 'node:fs';
import path from 'node:path';
import newman from 'newman';
import { tmfDir } from './spec.ts';

export interface CtkResult {
  requests: number;
  assertions: number;
  failedAssertions: number;
  /** One line per failure: request, test name, message. */
  failures: string[];
}

/** The collection variable each kit expects to hold the API root. */
const VARIABLE: Record<string, string> = {
  TMF620: 'Product_Catalog', TMF622: 'Product_Ordering', TMF629: 'Customer', TMF632: 'Party', TMF635: 'Usage',
  TMF637: 'Product_Inventory', TMF639: 'Resource_Inventory', TMF640: 'Service_Activation', TMF642: 'Alarm',
  TMF666: 'Account', TMF676: 'Payment', TMF678: 'Customer_Bill',
};

export function ctkCollection(apiId: string): string {
  const dir = path.join(tmfDir(), 'ctk', apiId, 'ctk');
  const f = fs.readdirSync(dir).find((n) => n.endsWith('.postman_collection.json') || n.endsWith('.testkit.json'));
  if (!f) throw new Error(`no conformance kit collection for ${apiId} in ${dir}`);
  return path.join(dir, f);
}

/** `apiRoot` is e.g. http://127.0.0.1:PORT/tmf-api/party/v4 (a trailing slash is added). */
export function runCtk(apiId: string, apiRoot: string): Promise<CtkResult> {
  const variable = VARIABLE[apiId];
  if (!variable) throw new Error(`no conformance kit known for ${apiId}`);
  const collection = JSON.parse(fs.readFileSync(ctkCollection(apiId), 'utf8')) as unknown;
  const root = apiRoot.endsWith('/') ? apiRoot : `${apiRoot}/`;
  return new Promise((resolve, reject) => {
    newman.run(
      { collection, envVar: [{ key: variable, value: root }], reporters: [], timeoutRequest: 30_000 },
      (err, summary) => {
        if (err) return reject(err);
        const s = summary.run.stats;
        const failures = summary.run.failures.map((f) => {
          const req = f.source?.request;
          return `${f.source?.name ?? '?'} [${req?.method ?? ''} ${req?.url?.toString() ?? ''}] ${f.error.test ?? f.error.name ?? ''}: ${f.error.message}`;
        });
        resolve({
          requests: s.requests.total,
          assertions: s.assertions.total,
          failedAssertions: s.assertions.failed + s.testScripts.failed + s.requests.failed,
          failures,
        });
      },
    );
  });
}
