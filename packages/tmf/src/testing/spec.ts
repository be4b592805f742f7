/**
 * The official TM Forum specifications as a test oracle: load a v4 Swagger
 * file from the shared folder beside the project and validate response
 * bodies against its definitions. The specs are read, never copied.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (a: Ajv) => void;

/** `../shared/tmf` next to the repository (or OPERON_TMF_DIR). */
export function tmfDir(): string {
  if (process.env['OPERON_TMF_DIR']) return process.env['OPERON_TMF_DIR'];
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (dir !== path.dirname(dir)) {
    const candidate = path.join(dir, '..', 'shared', 'tmf');
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(candidate)) return path.resolve(candidate);
    dir = path.dirname(dir);
  }
  throw new Error('cannot find ../shared/tmf beside the repository; set OPERON_TMF_DIR');
}

export function specFile(apiId: string, major = 'v4'): string {
  const dir = path.join(tmfDir(), 'specs', major);
  const f = fs.readdirSync(dir).find((n) => n.startsWith(`${apiId}-`));
  if (!f) throw new Error(`no ${major} specification for ${apiId} in ${dir}`);
  return path.join(dir, f);
}

export interface SpecOracle {
  apiId: string;
  basePath: string;
  definitions: string[];
  paths: Record<string, Record<string, unknown>>;
  /**
   * Errors of `body` against `#/definitions/<name>`; empty when valid. With
   * `partial`, missing required attributes are not errors (a `fields=` projection).
   */
  errors(definition: string, body: unknown, options?: { partial?: boolean }): string[];
}

const cache = new Map<string, SpecOracle>();

export function loadSpec(apiId: string): SpecOracle {
  const hit = cache.get(apiId);
  if (hit) return hit;
  const spec = JSON.parse(fs.readFileSync(specFile(apiId), 'utf8')) as {
    basePath: string;
    definitions: Record<string, unknown>;
    paths: Record<string, Record<string, unknown>>;
  };
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(ajv);
  // used by some specifications for attachment content; not one of ajv-formats' formats
  ajv.addFormat('base64', /^[A-Za-z0-9+/]*={0,2}$/);
  ajv.addSchema({ definitions: spec.definitions }, 'spec');
  const compiled = new Map<string, ValidateFunction>();
  const oracle: SpecOracle = {
    apiId,
    basePath: spec.basePath.replace(/\/+$/, ''),
    definitions: Object.keys(spec.definitions),
    paths: spec.paths,
    errors(definition, body, options = {}) {
      if (!(definition in spec.definitions)) throw new Error(`${apiId} has no definition ${definition}`);
      let fn = compiled.get(definition);
      if (!fn) {
        fn = ajv.compile({ $ref: `spec#/definitions/${definition}` });
        compiled.set(definition, fn);
      }
      if (fn(body)) return [];
      return (fn.errors ?? [])
        .filter((e) => !(options.partial && e.keyword === 'required'))
        .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
    },
  };
  cache.set(apiId, oracle);
  return oracle;
}
