#!/usr/bin/env node
// rtcgate command line; the code lives in ts/cli.ts, compiled to dist/cli.js (npm run build).
import { run } from '../dist/cli.js';

await run();
