// Runs before the native build (`npm install`): stops with one line naming the apt-get command
// when a system library or tool the build needs is missing, instead of a page of CMake errors.
import { execFileSync } from 'node:child_process';

const APT = 'apt-get install -y --no-install-recommends build-essential cmake ninja-build pkg-config libsrtp2-dev libopus-dev libvpx-dev libssl-dev libspeexdsp-dev libspandsp-dev libopenh264-dev libbcg729-dev';
const libraries = ['libsrtp2', 'opus', 'speexdsp', 'spandsp', 'libbcg729', 'openssl'];
const tools = ['cmake', 'pkg-config', 'c++'];

function has(cmd, args) {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const missing = [
  ...tools.filter((t) => !has('sh', ['-c', `command -v ${t}`])),
  ...(has('sh', ['-c', 'command -v pkg-config']) ? libraries.filter((l) => !has('pkg-config', ['--exists', l])) : libraries),
];
if (missing.length > 0) {
  console.error(`rtcgate: missing ${missing.join(', ')}; install them with: sudo ${APT}`);
  process.exit(1);
}
