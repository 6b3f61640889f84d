// Writes docs/openapi.json, the OpenAPI document generated from the HTTP route schemas
// (service/http/openapi.ts). Needs no running stack: nothing connects to a database,
// Redis or Kafka. Run after changing a route or schema: `npm run openapi`;
// service/http/openapi.test.ts fails while the committed file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateOpenApi, OPENAPI_FILE, renderOpenApi } from './openapi.ts';

const text = renderOpenApi(await generateOpenApi());
let before = '';
try {
  before = readFileSync(OPENAPI_FILE, 'utf8');
} catch {
  // first run: no file yet
}
const file = fileURLToPath(OPENAPI_FILE);
if (before === text) {
  console.log(`${file} is up to date.`);
} else {
  writeFileSync(OPENAPI_FILE, text);
  console.log(`wrote ${file}`);
}
