import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SCHEMA_FILE, generateSchemaTypes } from '../../web/scripts/api-types.ts';

/**
 * The console's API types are generated from the OpenAPI document the api serves; a route schema that
 * changed without `npm run api:types` would let the console and the API drift apart.
 */
describe('web/src/api/schema.d.ts', () => {
  it('is up to date with the OpenAPI document the api serves (else run `npm run api:types`)', async () => {
    const expected = await generateSchemaTypes();
    const committed = readFileSync(SCHEMA_FILE, 'utf8');
    if (committed !== expected) {
      expect.fail('web/src/api/schema.d.ts is out of date with the API routes: run `npm run api:types` and commit the result.');
    }
  }, 60_000);
});
