// Node 20's test runner takes no glob patterns: find the *.test.ts files under the given
// folders and hand them to `node --import tsx --test`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = process.argv.slice(2);
// --isolated-net: run inside a private network namespace that has only `lo` (needs root and
// unshare(1)), so browsers and peers can only pick 127.0.0.1 and no host traffic interferes.
const isolate = args.includes('--isolated-net');
const extra = args.filter((a) => a.startsWith('--') && a !== '--isolated-net');
const roots = args.filter((a) => !a.startsWith('--'));

function find(dir) {
  if (!statSync(dir).isDirectory()) return [dir];
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...find(path));
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

const files = roots.flatMap(find).sort();
if (files.length === 0) {
  console.error(`no *.test.ts files under ${roots.join(', ')}`);
  process.exit(1);
}
const nodeArgs = [process.execPath, '--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files];
let command = nodeArgs;
if (isolate && process.env.RTCGATE_NETNS === undefined) {
  const canIsolate = process.getuid?.() === 0 && spawnSync('unshare', ['-n', 'true']).status === 0;
  if (canIsolate) {
    const quoted = nodeArgs.map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
    command = ['unshare', '-n', 'sh', '-c', `ip link set lo up && exec ${quoted}`];
    process.env.RTCGATE_NETNS = '1';
  } else {
    console.log('run-tests: no private network namespace (needs root and unshare); running in the host namespace');
  }
}
const result = spawnSync(command[0], command.slice(1), { stdio: 'inherit' });
process.exit(result.status ?? 1);
