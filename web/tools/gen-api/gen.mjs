// Generates the REST API's TypeScript types from an OpenAPI document with
// openapi-typescript. It lives in its own package (tools/gen-api) because
// openapi-typescript needs the TypeScript 5 compiler API and the app builds
// with TypeScript 7; its node_modules are installed here on first use.
//
//   node tools/gen-api/gen.mjs [openapi.json] [src/api-types.ts]   (paths relative to web/)
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const web = path.resolve(here, '../..');
const [input = 'openapi.json', output = 'src/api-types.ts'] = process.argv.slice(2);

const installed = path.join(here, 'node_modules/.package-lock.json');
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(path.join(here, 'package-lock.json')).mtimeMs) {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: ['ignore', 'ignore', 'inherit'] });
}
execFileSync(process.execPath, [path.join(here, 'node_modules/openapi-typescript/bin/cli.js'),
  path.resolve(web, input), '--output', path.resolve(web, output)], { stdio: ['ignore', 'ignore', 'inherit'] });
