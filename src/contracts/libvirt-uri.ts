/**
 * Which libvirt connection URIs the product passes to virsh: an allow-list of drivers, transports and query
 * parameters from libvirt's own URI documentation (docs/uri.rst, "Remote URIs" and "Transport configuration").
 *
 * Some URIs make libvirt run a program of the URI's choosing: the `ext` transport and the `command` parameter
 * (the local program it runs), `netcat` (the program run on the remote host), and `name` (a URI the remote
 * daemon opens, e.g. `test:///path` to read any of its files). Every URI reaches virsh from a channel someone
 * else may drive (the renderer, a serve-mode token holder, `check --connect` in a script), so only forms that
 * connect to a libvirt daemon, and nothing else, are accepted. Values are also kept free of characters ssh or a
 * shell on the remote side could read as options (a host or user that starts with '-').
 */

export type UriCheck = { readonly ok: true } | { readonly ok: false; readonly reason: string };

type Transport = 'local' | 'unix' | 'ssh' | 'libssh' | 'libssh2' | 'tls' | 'tcp';

/** An absolute path of plain characters (no '%' escapes, no spaces, no '..' steps). */
const ABSOLUTE_PATH = /^\/(?!.*(?:^|\/)\.\.(?:\/|$))[A-Za-z0-9._+@/-]*$/;
const ZERO_OR_ONE = /^[01]$/;

/** What each parameter may hold; a parameter missing here is refused. */
const PARAMETER_VALUES: Readonly<Record<string, RegExp>> = {
  socket: ABSOLUTE_PATH,
  mode: /^(?:auto|direct|legacy)$/,
  proxy: /^(?:auto|netcat|native)$/,
  keyfile: ABSOLUTE_PATH,
  no_tty: ZERO_OR_ONE,
  // ssh: auto-accept *new* host keys; known keys are still verified (uri.rst).
  no_verify: ZERO_OR_ONE,
  known_hosts: ABSOLUTE_PATH,
  // 'ignore' turns host-key checking off entirely; only the two modes that still verify known keys.
  known_hosts_verify: /^(?:normal|auto)$/,
  sshauth: /^(?:agent|privkey|password|keyboard-interactive)(?:,(?:agent|privkey|password|keyboard-interactive))*$/,
  pkipath: ABSOLUTE_PATH,
  tls_priority: /^[A-Za-z0-9:+.!_-]+$/,
};

/** The parameters each transport documents, minus those that run or name a program. */
const PARAMETERS: Readonly<Record<Transport, readonly string[]>> = {
  local: ['socket', 'mode'],
  unix: ['socket', 'mode'],
  ssh: ['socket', 'mode', 'proxy', 'keyfile', 'no_tty', 'no_verify'],
  libssh: ['socket', 'mode', 'proxy', 'keyfile', 'known_hosts', 'known_hosts_verify', 'sshauth'],
  libssh2: ['socket', 'mode', 'proxy', 'keyfile', 'known_hosts', 'known_hosts_verify', 'sshauth'],
  // no_verify on TLS turns the server certificate check off: refused.
  tls: ['pkipath', 'tls_priority'],
  tcp: [],
};

/** Why a documented parameter is refused (the others are simply not libvirt's). */
const REFUSED_PARAMETERS: Readonly<Record<string, string>> = {
  command: 'it names a program for libvirt to run',
  netcat: 'it names a program to run on the remote host',
  name: 'it hands the remote daemon a URI of its own (which may open any of its files)',
};

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])$/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

export const ACCEPTED_URI_FORMS =
  'qemu:///system, qemu:///session, qemu+unix:///system?socket=PATH, qemu+ssh://[user@]host[:port]/system (also +libssh, +libssh2), qemu+tls://host/system, qemu+tcp://host/system, or test:///default';

function refuse(uri: string, why: string): UriCheck {
  return { ok: false, reason: `The connection URI "${uri}" is refused: ${why}. Accepted forms: ${ACCEPTED_URI_FORMS}.` };
}

/** Whether `uri` is a libvirt connection URI the product may hand to virsh, and if not, why. */
export function checkLibvirtUri(uri: string): UriCheck {
  if (uri.length > 1024) return refuse(uri.slice(0, 60) + '…', 'it is longer than 1024 characters');
  // Control characters, spaces, quotes and escapes have no place in any accepted form.
  if (!/^[\x21-\x7e]+$/.test(uri) || /[%#"'`\\]/.test(uri)) {
    return refuse(uri, 'it contains a space, a control character, a quote, a backslash, "%" or "#"');
  }
  const m = /^([a-z0-9]+)(?:\+([a-z0-9]+))?:\/\/([^/?]*)(\/[^?]*)?(?:\?(.*))?$/.exec(uri);
  if (!m) return refuse(uri, 'it is not of the form driver[+transport]://[user@][host][:port]/path[?parameters]');
  const [, driver, transportText, authority = '', uriPath = '', query] = m;
  if (driver === 'test') {
    return uri === 'test:///default'
      ? { ok: true }
      : refuse(uri, 'of the test driver only test:///default is accepted (other forms read a file)');
  }
  if (driver !== 'qemu') return refuse(uri, `"${driver}" is not the QEMU driver this product works with`);

  const remote = authority !== '';
  let transport: Transport;
  if (transportText === undefined) transport = remote ? 'tls' : 'local';
  else if (['unix', 'ssh', 'libssh', 'libssh2', 'tls', 'tcp'].includes(transportText)) transport = transportText as Transport;
  else if (transportText === 'ext') return refuse(uri, "the ext transport runs a program of the URI's choosing");
  else return refuse(uri, `"${transportText}" is not a libvirt transport`);

  if (transport === 'unix' && remote) return refuse(uri, 'the unix transport takes no host');
  if (['ssh', 'libssh', 'libssh2', 'tls', 'tcp'].includes(transport) && !remote)
    return refuse(uri, `the ${transport} transport needs a host`);
  if (remote) {
    const at = authority.lastIndexOf('@');
    const user = at === -1 ? undefined : authority.slice(0, at);
    const hostPort = at === -1 ? authority : authority.slice(at + 1);
    const hp = /^(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(hostPort);
    if (user !== undefined && !USER.test(user)) return refuse(uri, `the user name "${user}" is not a plain login name`);
    if (!hp || !HOST.test(hp[1] ?? '')) return refuse(uri, `"${hostPort}" is not a host name or address`);
    if (hp[2] !== undefined && (Number(hp[2]) < 1 || Number(hp[2]) > 65535)) return refuse(uri, `port ${hp[2]} is out of range`);
  }
  if (uriPath !== '/system' && uriPath !== '/session') return refuse(uri, `the path must be /system or /session, not "${uriPath}"`);

  const seen = new Set<string>();
  for (const pair of query === undefined || query === '' ? [] : query.split('&')) {
    const eq = pair.indexOf('=');
    const key = eq === -1 ? pair : pair.slice(0, eq);
    const value = eq === -1 ? '' : pair.slice(eq + 1);
    if (seen.has(key)) return refuse(uri, `the parameter "${key}" is given twice`);
    seen.add(key);
    if (!PARAMETERS[transport].includes(key)) {
      const why =
        REFUSED_PARAMETERS[key] ??
        (key === 'no_verify' && transport === 'tls' ? 'on TLS it turns the server certificate check off' : undefined);
      return refuse(
        uri,
        why
          ? `the "${key}" parameter is not accepted: ${why}`
          : `"${key}" is not a parameter of the ${transport === 'local' ? 'local' : transport} transport`,
      );
    }
    if (!PARAMETER_VALUES[key]!.test(value)) return refuse(uri, `the value of "${key}" is not accepted ("${value}")`);
  }
  return { ok: true };
}
