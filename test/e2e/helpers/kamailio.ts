// Runs Debian's kamailio (5.6) as a registrar and proxy with digest authentication for end-to-end
// tests: writes a small kamailio.cfg of our own and a db_text subscriber table into a temporary
// directory, starts kamailio in the foreground (-DD -E) on 127.0.0.1, and stops it again.
//
// What the configuration does (written from the module READMEs in /usr/share/doc/kamailio):
//  - REGISTER: digest-challenged (auth + auth_db over db_text, realm = `realm`), then saved in
//    usrloc kept in memory (db_mode 0); Expires 0 removes the contact.
//  - INVITE whose From user is a subscriber (the gateway calling on a browser's behalf): proxy
//    digest challenge first. Other callers (SIPp) are trusted.
//  - Initial requests go by the Request-URI user only (the host part is not checked): users named
//    in `staticRoutes` are sent to a fixed address, everyone else is looked up in usrloc.
//  - record_route() on initial INVITEs, so ACK and BYE come back through kamailio; in-dialog
//    requests without a Route (SIPp ignores Record-Route) go to the Request-URI user's contact.
//  - Every request is logged to stderr as one "KAMTEST <method> ..." line that tests can wait for.
// The ctl module listens on a unix socket in the temporary directory for `kamcmd`.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const kKamailioPath = process.env['RTCGATE_KAMAILIO'] ?? '/usr/sbin/kamailio';
export const kKamcmdPath = '/usr/sbin/kamcmd';
const kModulePath = '/usr/lib/x86_64-linux-gnu/kamailio/modules';

export function haveKamailio(): boolean {
  return spawnSync(kKamailioPath, ['-v']).status === 0 && spawnSync(kKamcmdPath, ['-V']).status === 0;
}

export interface KamailioOptions {
  /** UDP port on 127.0.0.1. */
  port: number;
  /** Digest realm (also the domain of the subscribers); default "127.0.0.1". */
  realm?: string;
  /** username → password in the subscriber table. */
  subscribers: Record<string, string>;
  /** Request-URI user → "host:port" it is relayed to without a usrloc lookup. */
  staticRoutes?: Record<string, string>;
}

export interface Kamailio {
  readonly port: number;
  readonly dir: string;
  /** Everything kamailio wrote to stdout/stderr. */
  readonly output: string[];
  /** Parsed "KAMTEST" lines, in order. */
  readonly events: string[];
  /** Index of the next event, for waitFor(..., from). */
  mark(): number;
  /** Resolves when an event line matching `re` has been logged at index `from` or later (or rejects after `ms`). */
  waitFor(re: RegExp, ms: number, from?: number): Promise<string>;
  /** Runs kamcmd on the ctl socket; returns stdout + stderr and the exit status. */
  rpc(...args: string[]): { status: number | null; output: string };
  /** The contacts usrloc holds for `user` (empty when none). */
  contacts(user: string): string[];
  stop(): Promise<void>;
}

function config(o: Required<Pick<KamailioOptions, 'port' | 'realm' | 'staticRoutes'>>, dir: string): string {
  const statics = Object.entries(o.staticRoutes)
    .map(([user, hostPort]) => `    if ($rU == "${user}") {\n        $du = "sip:${hostPort}";\n        route(RELAY);\n        exit;\n    }`)
    .join('\n');
  return `#!KAMAILIO
# Written for rtcgate's end-to-end tests: a registrar/proxy with digest auth on loopback.
debug=2
log_stderror=yes
log_prefix="KAMLOG "
children=2
disable_tcp=yes
disable_sctp=yes
auto_aliases=no
listen=udp:127.0.0.1:${o.port}
alias="${o.realm}"
dns=no
rev_dns=no
use_dns_cache=no

mpath="${kModulePath}"
loadmodule "kex.so"
loadmodule "corex.so"
loadmodule "tm.so"
loadmodule "sl.so"
loadmodule "rr.so"
loadmodule "pv.so"
loadmodule "maxfwd.so"
loadmodule "textops.so"
loadmodule "siputils.so"
loadmodule "xlog.so"
loadmodule "ctl.so"
loadmodule "db_text.so"
loadmodule "usrloc.so"
loadmodule "registrar.so"
loadmodule "auth.so"
loadmodule "auth_db.so"

modparam("ctl", "binrpc", "unix:${dir}/ctl.sock")
modparam("usrloc", "db_mode", 0)
modparam("registrar", "max_expires", 3600)
modparam("auth_db", "db_url", "text://${dir}/db")
modparam("auth_db", "calculate_ha1", 1)
modparam("auth_db", "password_column", "password")
modparam("auth_db", "load_credentials", "")
modparam("auth_db", "use_domain", 0)
modparam("auth_db", "version_table", 0)
modparam("tm", "fr_timer", 10000)
modparam("tm", "fr_inv_timer", 30000)

request_route {
    xlog("L_NOTICE", "KAMTEST $rm ruri=$ru from=$fU src=$si:$sp auth=$(hdr(Authorization){s.len})/$(hdr(Proxy-Authorization){s.len}) expires=$hdr(Expires) contact=$ct\\n");
    if (!mf_process_maxfwd_header("10")) {
        sl_send_reply("483", "Too Many Hops");
        exit;
    }
    if (has_totag()) {
        if (loose_route()) {
            route(RELAY);
            exit;
        }
        if (is_method("ACK") && t_check_trans()) {
            t_relay();
            exit;
        }
        # SIPp's stock scenarios ignore Record-Route and send ACK/BYE to the proxy with the
        # callee's AoR as Request-URI: find the callee's contact again.
        if (lookup("location")) {
            route(RELAY);
            exit;
        }
        if (!is_method("ACK")) {
            sl_send_reply("404", "Not here");
        }
        exit;
    }
    if (is_method("CANCEL")) {
        if (t_check_trans()) {
            route(RELAY);
        }
        exit;
    }
    if (is_method("ACK")) {
        if (t_check_trans()) {
            t_relay();
        }
        exit;
    }
    if (is_method("REGISTER")) {
        if (!www_authorize("${o.realm}", "subscriber")) {
            xlog("L_NOTICE", "KAMTEST challenge REGISTER user=$tU\\n");
            www_challenge("${o.realm}", "0");
            exit;
        }
        consume_credentials();
        if (!save("location")) {
            sl_reply_error();
            exit;
        }
        xlog("L_NOTICE", "KAMTEST saved user=$tU expires=$hdr(Expires) contact=$ct\\n");
        exit;
    }
    if (is_method("OPTIONS")) {
        sl_send_reply("200", "OK");
        exit;
    }
    if (is_method("INVITE") && $fU =~ "^8[0-9]") {
        if (!proxy_authorize("${o.realm}", "subscriber")) {
            xlog("L_NOTICE", "KAMTEST challenge INVITE from=$fU\\n");
            proxy_challenge("${o.realm}", "0");
            exit;
        }
        consume_credentials();
        xlog("L_NOTICE", "KAMTEST authorized INVITE from=$fU to=$rU\\n");
    }
    if (is_method("INVITE")) {
        record_route();
    }
${statics}
    if (!lookup("location")) {
        xlog("L_NOTICE", "KAMTEST not-found user=$rU\\n");
        sl_send_reply("404", "Not Found");
        exit;
    }
    xlog("L_NOTICE", "KAMTEST lookup user=$oU target=$ru\\n");
    route(RELAY);
    exit;
}

route[RELAY] {
    if (!t_relay()) {
        sl_reply_error();
    }
    exit;
}

onreply_route {
    xlog("L_NOTICE", "KAMTEST reply $rs $rr cseq=$hdr(CSeq) src=$si:$sp\\n");
}
`;
}

/** db_text: the first line names the columns; an empty column reads as NULL and the table fails to load. */
function subscriberTable(realm: string, subscribers: Record<string, string>): string {
  let id = 1;
  const rows = Object.entries(subscribers).map(([user, password]) => {
    if (user.length === 0 || password.length === 0 || /[:\\\n]/.test(user + password)) throw new Error(`unusable subscriber ${user}`);
    return `${id++}:${user}:${realm}:${password}`;
  });
  return `id(int,auto) username(string) domain(string) password(string)\n${rows.join('\n')}\n`;
}

export async function startKamailio(opts: KamailioOptions): Promise<Kamailio> {
  const realm = opts.realm ?? '127.0.0.1';
  const dir = mkdtempSync(join(tmpdir(), 'rtcgate-kamailio-'));
  mkdirSync(join(dir, 'db'));
  mkdirSync(join(dir, 'run'));
  writeFileSync(join(dir, 'db', 'subscriber'), subscriberTable(realm, opts.subscribers));
  const cfgPath = join(dir, 'kamailio.cfg');
  writeFileSync(cfgPath, config({ port: opts.port, realm, staticRoutes: opts.staticRoutes ?? {} }, dir));

  const child: ChildProcess = spawn(
    kKamailioPath,
    ['-f', cfgPath, '-DD', '-E', '-Y', join(dir, 'run'), '-P', join(dir, 'kamailio.pid'), '-w', dir, '-m', '64', '-M', '8'],
    { stdio: ['ignore', 'pipe', 'pipe'], cwd: dir },
  );
  const output: string[] = [];
  const events: string[] = [];
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  let partial = '';
  const onData = (d: Buffer): void => {
    const text = d.toString();
    output.push(text);
    partial += text;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const at = line.indexOf('KAMTEST ');
      if (at < 0) continue;
      const event = line.slice(at + 'KAMTEST '.length);
      events.push(event);
      for (const w of [...waiters]) {
        if (w.re.test(event)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event);
        }
      }
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => {
    running = false;
  });

  const rpc = (...args: string[]): { status: number | null; output: string } => {
    const r = spawnSync(kKamcmdPath, ['-s', `unixs:${join(dir, 'ctl.sock')}`, ...args], { encoding: 'utf8', timeout: 5000 });
    return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}` };
  };

  const handle: Kamailio = {
    port: opts.port,
    dir,
    output,
    events,
    mark() {
      return events.length;
    },
    waitFor(re, ms, from = 0) {
      const seen = events.slice(from).find((e) => re.test(e));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const w = { re, resolve: (line: string) => (clearTimeout(timer), resolve(line)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(w), 1);
          reject(new Error(`kamailio logged nothing matching ${String(re)} within ${ms} ms; events:\n${events.join('\n')}`));
        }, ms);
        waiters.push(w);
      });
    },
    rpc,
    contacts(user) {
      const r = rpc('ul.lookup', 'location', `s:${user}`);
      if (r.status !== 0) return [];
      return [...r.output.matchAll(/Address:\s*(\S+)/g)].map((m) => m[1] as string);
    },
    async stop() {
      if (running) {
        child.kill('SIGTERM');
        const done = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
        if (!done) {
          child.kill('SIGKILL');
          await exited;
        }
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };

  // Ready when the ctl socket answers (kamailio has parsed its config and forked its workers).
  const deadline = Date.now() + 10000;
  for (;;) {
    if (!running) {
      const text = output.join('');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`kamailio exited at start-up:\n${text.slice(-3000)}`);
    }
    if (rpc('core.version').status === 0) break;
    if (Date.now() > deadline) {
      await handle.stop();
      throw new Error(`kamailio did not answer on its ctl socket within 10 s:\n${output.join('').slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return handle;
}
