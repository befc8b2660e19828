// Generates src/core/contract/*.generated.ts from schema/*.schema.json so the TypeScript types
// cannot drift from the JSON Schemas. Run `npm run gen:types`; a test fails when the output is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { compile } from 'json-schema-to-typescript';

const TARGETS = [
  ['schema/ping.schema.json', 'src/core/contract/ping.generated.ts', 'Ping'],
  ['schema/manifest-record.schema.json', 'src/core/contract/manifest.generated.ts', 'ManifestRecord'],
  ['schema/quarantine-record.schema.json', 'src/core/contract/quarantine.generated.ts', 'QuarantineRecord'],
];

export async function generate(schemaPath, name) {
  const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
  schema.title = name;
  return compile(schema, name, {
    bannerComment: `/* Generated from ${schemaPath} by scripts/gen-contract-types.mjs. Do not edit. */`,
    additionalProperties: false,
    strictIndexSignatures: false,
    format: true,
    ignoreMinAndMaxItems: true,
    style: { singleQuote: true, printWidth: 110 },
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [schemaPath, out, name] of TARGETS) {
    writeFileSync(out, await generate(schemaPath, name));
    console.log(`wrote ${out}`);
  }
}

export { TARGETS };
