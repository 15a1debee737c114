#!/usr/bin/env node
// Builds the browser side: `tsc -p tsconfig.sdk.json` into dist/web/, then lays out what the
// gateway serves: dist/sdk/rtcgate.js (the SDK, at /sdk/rtcgate.js) and dist/demo/ (index.html +
// demo.js). Fails if the SDK file would need another module at run time.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.sdk.json')], { stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);

const sdk = readFileSync(join(root, 'dist/web/sdk/rtcgate.js'), 'utf8');
if (/^\s*(import|export)\s[^;]*\sfrom\s/m.test(sdk) || /\bimport\s*\(/.test(sdk)) {
  console.error('build-web: dist/web/sdk/rtcgate.js has a runtime import; the SDK must be self-contained');
  process.exit(1);
}

const copies = [
  ['dist/web/sdk/rtcgate.js', 'dist/sdk/rtcgate.js'],
  ['dist/web/demo/demo.js', 'dist/demo/demo.js'],
  ['ts/demo/index.html', 'dist/demo/index.html'],
];
for (const [from, to] of copies) {
  mkdirSync(dirname(join(root, to)), { recursive: true });
  copyFileSync(join(root, from), join(root, to));
}
console.log('build-web: dist/sdk/rtcgate.js, dist/demo/index.html, dist/demo/demo.js');
