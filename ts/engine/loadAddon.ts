// Finds and loads rtcgate.node, built by cmake-js into build/Release at `npm install`.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { NativeAddon } from './types.js';

const packageRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function addonPath(): string {
  return join(packageRoot, 'build', 'Release', 'rtcgate.node');
}

let cached: NativeAddon | undefined;

export function loadAddon(): NativeAddon {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) {
    throw new Error(`rtcgate native addon not found at ${path}: run "npm install" (it builds it)`);
  }
  const require = createRequire(import.meta.url);
  cached = require(path) as NativeAddon;
  return cached;
}
