import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TObject } from 'typebox';
import { specFile } from '../testing/spec.ts';
import { partyRoleBlocks } from './schemas.ts';

interface SpecProperty { type?: string; format?: string; $ref?: string; items?: unknown }
interface SpecDefinition { properties?: Record<string, SpecProperty>; required?: string[] }

function definitions(apiId: string): Record<string, SpecDefinition> {
  return (JSON.parse(fs.readFileSync(specFile(apiId), 'utf8')) as { definitions: Record<string, SpecDefinition> }).definitions;
}

/** What a block says about each attribute: its JSON type and format where it is a plain value, whether it is required. */
function shape(schema: TObject) {
  const props = schema.properties as Record<string, { type?: string; format?: string }>;
  return {
    properties: Object.keys(props).sort(),
    required: [...(schema.required ?? [])].sort(),
    plain: Object.fromEntries(Object.entries(props).filter(([, p]) => p.type !== 'object' && p.type !== 'array' && p.type !== undefined).map(([k, p]) => [k, `${p.type}${p.format ? `:${p.format}` : ''}`])),
  };
}

function specShape(def: SpecDefinition) {
  const props = def.properties ?? {};
  return {
    properties: Object.keys(props).sort(),
    required: [...(def.required ?? [])].sort(),
    plain: Object.fromEntries(Object.entries(props).filter(([, p]) => !p.$ref && p.type !== 'array' && p.type !== 'object').map(([k, p]) => [k, `${p.type}${p.format ? `:${p.format}` : ''}`])),
  };
}

const flavours = {
  TMF629: partyRoleBlocks({ holder: 'the customer', extensibleBlocks: true, uriHrefs: false, characteristicRelationships: false }),
  TMF669: partyRoleBlocks({ holder: 'the party in this role', extensibleBlocks: false, uriHrefs: true, characteristicRelationships: true }),
};

describe('partyRoleBlocks', () => {
  for (const [apiId, blocks] of Object.entries(flavours)) {
    it(`renders the ${apiId} blocks as the official definitions spell them`, () => {
      const defs = definitions(apiId);
      for (const [name, schema] of Object.entries(blocks)) {
        const def = defs[name];
        expect(def, `${apiId} defines ${name}`).toBeDefined();
        expect(shape(schema), `${apiId} ${name}`).toEqual(specShape(def!));
      }
    });
  }

  it('describes the blocks as belonging to their holder', () => {
    expect(flavours.TMF629.ContactMedium).toMatchObject({ description: 'A way to reach the customer' });
    expect(flavours.TMF669.AgreementRef).toMatchObject({ description: expect.stringContaining('the party in this role') });
  });
});
