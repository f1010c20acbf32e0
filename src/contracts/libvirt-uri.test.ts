import { describe, expect, it } from 'vitest';
import { checkLibvirtUri } from './libvirt-uri';

const reason = (uri: string): string => {
  const r = checkLibvirtUri(uri);
  return r.ok ? '' : r.reason;
};

describe('checkLibvirtUri accepts the connections libvirt documents for QEMU', () => {
  it.each([
    'qemu:///system',
    'qemu:///session',
    'test:///default',
    'qemu:///system?socket=/var/run/libvirt/libvirt-sock',
    'qemu+unix:///system?socket=/var/cache/vaw-lab/sid/run/libvirt/libvirt-sock',
    'qemu+unix:///system?mode=direct',
    'qemu+ssh://root@127.0.0.1:2222/system?keyfile=/tmp/vaw-ssh/client_key&no_verify=1&no_tty=1',
    'qemu+ssh://kvm1.example.com/system',
    'qemu+ssh://admin@[::1]:22/system?proxy=native&mode=legacy',
    'qemu+libssh2://user@host/system?known_hosts=/home/user/.ssh/known_hosts&known_hosts_verify=auto&sshauth=privkey,agent',
    'qemu+libssh://user@host/system?sshauth=agent',
    'qemu+tls://host.example/system?pkipath=/etc/pki/libvirt&tls_priority=NORMAL:-VERS-SSL3.0',
    'qemu://host.example/system',
    'qemu+tcp://10.0.0.5:16509/system',
  ])('%s', (uri) => {
    expect(checkLibvirtUri(uri)).toEqual({ ok: true });
  });
});

describe('checkLibvirtUri refuses URIs that run programs, read files or smuggle options', () => {
  it.each([
    ['qemu+ext:///system?command=/usr/bin/touch', /ext transport runs a program/],
    ['qemu+ext:///system', /ext transport runs a program/],
    ['qemu+ssh://host/system?command=/tmp/evil', /"command" parameter is not accepted: it names a program/],
    ['qemu+libssh2://host/system?command=/tmp/evil', /"command" parameter is not accepted/],
    ['qemu+ssh://host/system?netcat=/tmp/evil', /"netcat" parameter is not accepted: it names a program to run on the remote host/],
    ['qemu+ssh://host/system?name=test:///etc/shadow', /"name" parameter is not accepted/],
    ['qemu+ssh://-oProxyCommand=touch/system', /is not a host name/],
    ['qemu+ssh://-oProxyCommand=x@host/system', /user name .* is not a plain login name/],
    ['qemu+ssh://host/system?keyfile=relative/key', /value of "keyfile"/],
    ['qemu+ssh://host/system?socket=/a/../../etc/x', /value of "socket"/],
    ['qemu+ssh://host/system?socket=%2Ftmp', /"%"/],
    ['qemu+tls://host/system?no_verify=1', /turns the server certificate check off/],
    ['qemu+libssh://host/system?known_hosts_verify=ignore', /value of "known_hosts_verify"/],
    ['qemu+ssh://host/system?no_tty=1&no_tty=1', /given twice/],
    ['qemu+ssh://host/system?tls_priority=NORMAL', /not a parameter of the ssh transport/],
    ['qemu:///system?keyfile=/x', /not a parameter of the local transport/],
    ['qemu:///embed?root=/tmp/x', /path must be \/system or \/session/],
    ['qemu+foo:///x', /"foo" is not a libvirt transport/],
    ['lxc:///system', /not the QEMU driver/],
    ['test:///etc/passwd', /only test:\/\/\/default/],
    ['test+tcp://host/default', /only test:\/\/\/default/],
    ['qemu+unix://host/system', /unix transport takes no host/],
    ['qemu+ssh:///system', /ssh transport needs a host/],
    ['qemu+ssh://host:99999/system', /port 99999 is out of range/],
    ['qemu:///system#frag', /"#"/],
    ['qemu:///system ', /space/],
    ['qemu:///system\nx', /control character/],
    ['hail', /not of the form/],
    ['x'.repeat(1100), /longer than 1024/],
  ])('%s', (uri, why) => {
    const text = reason(uri);
    expect(text).toMatch(why);
    expect(text).toMatch(/Accepted forms: qemu:\/\/\/system/);
  });
});
