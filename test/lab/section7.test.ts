/**
 * Fact sheet §7 (the 2026-12-01 corrections) on real libvirt and QEMU, on every generation of the version lab:
 * each configuration is defined and started paused under TCG, and the engine's findings for it — evaluated with
 * that generation's own versions — must agree: an error quoting what was printed exactly when it was refused.
 * The device space the differential suite covers (the q35 root bus, transitional models on ccw) is not repeated
 * here; these are the items it does not reach: virtiofs against a real virtiofsd, vhost-user shared memory, s390
 * PV without <launchSecurity>, the split irqchip for interrupt remapping (left to libvirt or named otherwise), a SEV element without a policy,
 * <launchSecurity> types libvirt does not know, the AMD vIOMMU before libvirt 11.5 and its interrupt remapping beside the in-kernel I/O APIC, the intel vIOMMU's options on the smmuv3 and virtio models, the virtio-iommu without and with ACPI, and on/off or yes/no
 * attributes written with another value.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contradiction, type Observed } from '../../main/services/prediction-check';
import { DEFAULT_GOALS, NO_GUEST_FACTS } from '../../src/contracts/facts';
import type { Finding } from '../../src/contracts/findings';
import { parseDomainXml, readDomainFacts } from '../../src/domain-xml';
import { evaluate } from '../../src/engine';
import { labDomainName, readLabState, type Generation } from '../lab';
import { missingParts } from '../real-parts';
import { defineAndStart, hostFactsOf } from './run-on-generation';

const missing = missingParts('lab');
const generations: Generation[] = missing ? [] : readLabState();
const work = mkdtempSync(path.join(os.tmpdir(), 'vaw-sec7-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Case {
  readonly what: string;
  readonly arch: string;
  readonly machine: string;
  /** The domain's body after <os>: features, memory backing, launchSecurity and devices. */
  readonly body: (g: Generation) => string;
  /** Generations the case cannot run on here, with the reason (a lab limit, not a product behaviour). */
  readonly notOn?: Readonly<Record<string, string>>;
  /** What must have happened, besides the engine agreeing, so the case cannot pass by accident. */
  readonly expect: (g: Generation) => 'started' | RegExp;
}

/** A share directory inside the generation's root, which its virtiofsd sees as /var/lib/libvirt/vaw-sec7-share. */
function shareDir(g: Generation): string {
  const dir = path.join(g.root ?? '/', 'var/lib/libvirt/vaw-sec7-share');
  mkdirSync(dir, { recursive: true });
  return '/var/lib/libvirt/vaw-sec7-share';
}

/** virtiofsd is QEMU 7.2's own on Debian 12; the newer ones are the Rust virtiofsd in /usr/libexec. */
const virtiofsBinary = (g: Generation): string =>
  g.root === null ? '' : "<binary path='/usr/libexec/virtiofsd'><sandbox mode='chroot'/></binary>";

const SHARED = "<memoryBacking><source type='memfd'/><access mode='shared'/></memoryBacking>";
const Q35_PORT = "<controller type='pci' index='1' model='pcie-root-port'/>";
const virtiofs = (g: Generation, driver: string) =>
  `${SHARED}\n  <devices>\n    ${Q35_PORT}\n    <filesystem type='mount' accessmode='passthrough'>${virtiofsBinary(g)}<driver type='virtiofs'${driver}/><source dir='${shareDir(g)}'/><target dir='share'/></filesystem>\n    <memballoon model='none'/>\n  </devices>`;
const SID_VIRTIOFSD = {
  sid: "sid's virtiofsd 1.14 cannot start in the lab's chroot ('Failed to find mount root'), whatever the device",
};

const CASES: readonly Case[] = [
  {
    what: 'virtiofs-iommu',
    arch: 'x86_64',
    machine: 'q35',
    body: (g) => virtiofs(g, " iommu='on'"),
    notOn: SID_VIRTIOFSD,
    expect: () => /iommu_platform=true is not supported by the device/,
  },
  {
    what: 'virtiofs-plain',
    arch: 'x86_64',
    machine: 'q35',
    body: (g) => virtiofs(g, ''),
    notOn: SID_VIRTIOFSD,
    expect: () => 'started',
  },
  {
    what: 'vhostuser-disk-private',
    arch: 'x86_64',
    machine: 'q35',
    body: () =>
      "<devices>\n    <disk type='vhostuser' device='disk'><driver name='qemu' type='raw'/><source type='unix' path='/tmp/vaw-sec7-vhu.sock'><reconnect enabled='yes' timeout='10'/></source><target dev='vda' bus='virtio'/></disk>\n    <memballoon model='none'/>\n  </devices>",
    expect: () => /'vhostuser' requires shared memory/,
  },
  {
    what: 's390-pv-without-launchsecurity',
    arch: 's390x',
    machine: 's390-ccw-virtio',
    body: () =>
      "<devices>\n    <interface type='user'><model type='virtio'/><driver iommu='on'/></interface>\n    <console type='pty'><target type='sclp'/></console>\n    <memballoon model='none'/>\n  </devices>",
    expect: () => 'started',
  },
  {
    what: 'intremap-without-split-irqchip',
    arch: 'x86_64',
    machine: 'q35',
    body: () =>
      "<features><acpi/><apic/></features>\n  <devices>\n    <iommu model='intel'><driver intremap='on'/></iommu>\n    <memballoon model='none'/>\n  </devices>",
    expect: (g) => (g.libvirt.startsWith('9.') ? /IOMMU interrupt remapping requires split I\/O APIC/ : 'started'),
  },
  {
    // An <ioapic> that names the in-kernel driver is kept as written: every generation refuses it, 11.3 and 12.8 too.
    what: 'intremap-with-kvm-ioapic',
    arch: 'x86_64',
    machine: 'q35',
    body: () =>
      "<features><acpi/><apic/><ioapic driver='kvm'/></features>\n  <devices>\n    <iommu model='intel'><driver intremap='on'/></iommu>\n    <memballoon model='none'/>\n  </devices>",
    expect: () => /IOMMU interrupt remapping requires split I\/O APIC/,
  },
  {
    what: 'sev-without-policy',
    arch: 'x86_64',
    machine: 'q35',
    body: () =>
      "<devices>\n    <memballoon model='none'/>\n  </devices>\n  <launchSecurity type='sev'><cbitpos>47</cbitpos><reducedPhysBits>1</reducedPhysBits></launchSecurity>",
    expect: () => /failed to get launch security policy/,
  },
  {
    // libvirt 11.5.0 added the AMD vIOMMU (NEWS; §7.3 item 15): older ones refuse the model at define.
    what: 'viommu-amd',
    arch: 'x86_64',
    machine: 'q35',
    body: () => "<devices>\n    <iommu model='amd'/>\n    <memballoon model='none'/>\n  </devices>",
    expect: (g) => (/^(?:9|10|11\.[0-4])\./.test(g.libvirt) ? /Invalid value for attribute 'model' in element 'iommu': 'amd'/ : 'started'),
  },
  {
    // The amd vIOMMU shares intel's interrupt remapping check: an <ioapic> naming the in-kernel driver is refused.
    what: 'viommu-amd-intremap-kvm-ioapic',
    arch: 'x86_64',
    machine: 'q35',
    body: () =>
      "<features><acpi/><ioapic driver='kvm'/></features>\n  <devices>\n    <iommu model='amd'><driver intremap='on'/></iommu>\n    <memballoon model='none'/>\n  </devices>",
    expect: (g) =>
      /^(?:9|10|11\.[0-4])\./.test(g.libvirt)
        ? /Invalid value for attribute 'model' in element 'iommu': 'amd'/
        : /IOMMU interrupt remapping requires split I\/O APIC/,
  },
  // The intel vIOMMU's <driver> options on the models that take none: refused at define, in two wordings.
  {
    what: 'viommu-virtio-iotlb',
    arch: 'x86_64',
    machine: 'q35',
    body: () =>
      "<features><acpi/></features>\n  <devices>\n    <interface type='user'><model type='virtio'/><driver iommu='on'/></interface>\n    <iommu model='virtio'><driver iotlb='on'/></iommu>\n    <memballoon model='none'/>\n  </devices>",
    expect: () => /iommu model 'virtio' doesn't support (?:some )?additional attributes/,
  },
  // The virtio-iommu is found through ACPI: libvirt refuses it without <acpi/> and starts it with.
  ...[
    ['viommu-virtio-without-acpi', '', /IOMMU device: 'virtio' requires ACPI/],
    ['viommu-virtio-with-acpi', '<features><acpi/></features>\n  ', 'started'],
  ].map(([what, features, expected]): Case => ({
    what: what as string,
    arch: 'x86_64',
    machine: 'q35',
    body: () =>
      `${features as string}<devices>\n    ${Q35_PORT}\n    <interface type='user'><model type='virtio'/><driver iommu='on'/></interface>\n    <iommu model='virtio'/>\n    <memballoon model='none'/>\n  </devices>`,
    expect: () => expected as 'started' | RegExp,
  })),
  {
    what: 'viommu-virtio-aw-bits',
    arch: 'x86_64',
    machine: 'q35',
    body: () =>
      "<features><acpi/></features>\n  <devices>\n    <iommu model='virtio'><driver aw_bits='48'/></iommu>\n    <memballoon model='none'/>\n  </devices>",
    // libvirt 12.8 takes aw_bits on the virtio model (and starts it); 9.0 and 11.3 refuse it.
    expect: (g) => (/^(?:9|10|11)\./.test(g.libvirt) ? /iommu model 'virtio' doesn't support additional attributes/ : 'started'),
  },
  {
    what: 'viommu-smmuv3-caching-mode',
    arch: 'aarch64',
    machine: 'virt',
    body: () =>
      "<features><gic version='3'/></features>\n  <devices>\n    <interface type='user'><model type='virtio'/><driver iommu='on'/></interface>\n    <iommu model='smmuv3'><driver caching_mode='on'/></iommu>\n    <memballoon model='none'/>\n  </devices>",
    expect: () => /iommu model 'smmuv3' doesn't support (?:some )?additional attributes/,
  },
  {
    // intremap='on' makes libvirt 11.3 and later add <ioapic driver='qemu'/> first, which aarch64 refuses.
    what: 'viommu-smmuv3-intremap',
    arch: 'aarch64',
    machine: 'virt',
    body: () =>
      "<features><gic version='3'/></features>\n  <devices>\n    <iommu model='smmuv3'><driver intremap='on'/></iommu>\n    <memballoon model='none'/>\n  </devices>",
    expect: (g) =>
      g.libvirt.startsWith('9.')
        ? /iommu model 'smmuv3' doesn't support additional attributes/
        : /The 'ioapic' feature is not supported for architecture 'aarch64'/,
  },
  {
    // libvirt refuses virtio <driver> options on a non-virtio disk, interface, video or vsock only: here they stay.
    what: 'driver-options-on-emulated-controller-and-input',
    arch: 'x86_64',
    machine: 'q35',
    body: () =>
      "<devices>\n    <controller type='scsi' index='0' model='lsilogic'><driver iommu='on'/></controller>\n    <input type='tablet' bus='usb'><driver iommu='on'/></input>\n    <memballoon model='none'/>\n  </devices>",
    expect: () => 'started',
  },
  {
    what: 'driver-options-on-emulated-disk',
    arch: 'x86_64',
    machine: 'q35',
    body: () =>
      "<devices>\n    <disk type='file' device='cdrom'><driver name='qemu' type='raw' iommu='on'/><target dev='sda' bus='sata'/><readonly/></disk>\n    <memballoon model='none'/>\n  </devices>",
    expect: () => /iommu driver option is only supported for virtio devices/,
  },
  {
    // libvirt 9.8.0 added vDPA block devices; later ones refuse them without shared memory, like vhost-user disks.
    what: 'vhostvdpa-disk-private',
    arch: 'x86_64',
    machine: 'q35',
    body: () =>
      "<devices>\n    <disk type='vhostvdpa' device='disk'><driver name='qemu' type='raw' cache='none' io='threads'/><source dev='/dev/vhost-vdpa-0'/><target dev='vda' bus='virtio'/></disk>\n    <memballoon model='none'/>\n  </devices>",
    expect: (g) =>
      g.libvirt.startsWith('9.')
        ? /Invalid value for attribute 'type' in element 'disk': 'vhostvdpa'/
        : /'vhostvdpa' requires shared memory/,
  },
  // Two-word attributes written with the other pair's word or another value: libvirt refuses each at define.
  ...[
    [
      'iommu-yes',
      "<devices>\n    <interface type='user'><model type='virtio'/><driver iommu='yes'/></interface>\n    <memballoon model='none'/>\n  </devices>",
      /Invalid value for attribute 'iommu' in element 'driver': 'yes'/,
    ],
    [
      'ats-true',
      "<devices>\n    <interface type='user'><model type='virtio'/><driver iommu='on' ats='true'/></interface>\n    <memballoon model='none'/>\n  </devices>",
      /Invalid value for attribute 'ats' in element 'driver': 'true'/,
    ],
    [
      'rom-off',
      "<devices>\n    <interface type='user'><model type='virtio'/><rom enabled='off'/></interface>\n    <memballoon model='none'/>\n  </devices>",
      /Invalid value for attribute 'enabled' in element 'rom': 'off'/,
    ],
  ].map(([what, body, refusal]): Case => ({
    what: what as string,
    arch: 'x86_64',
    machine: 'q35',
    body: () => body as string,
    expect: () => refusal as RegExp,
  })),
  // A <launchSecurity> type libvirt does not know: one it never had (POWER PEF), the SEV-ES users write for
  // type='sev' with the ES policy bit, and none at all.
  ...[
    ['pef', "<launchSecurity type='pef'/>", /Invalid value for attribute 'type' in element 'launchSecurity': 'pef'/],
    ['sev-es', "<launchSecurity type='sev-es'><policy>0x0007</policy></launchSecurity>", /'launchSecurity': 'sev-es'/],
    ['no-type', '<launchSecurity/>', /Missing required attribute 'type' in element 'launchSecurity'/],
  ].map(([type, element, refusal]): Case => ({
    what: `launch-security-${type as string}`,
    arch: 'x86_64',
    machine: 'q35',
    body: () => `<devices>\n    <memballoon model='none'/>\n  </devices>\n  ${element as string}`,
    expect: () => refusal as RegExp,
  })),
];

function domainXml(name: string, c: Case, g: Generation): string {
  return `<domain type='qemu'>\n  <name>${name}</name>\n  <memory unit='MiB'>256</memory>\n  <vcpu>1</vcpu>\n  <os><type arch='${c.arch}' machine='${c.machine}'>hvm</type></os>\n  ${c.body(g)}\n</domain>\n`;
}

function describeObserved(o: Observed): string {
  return o.started ? 'started' : `refused at ${o.stage}: ${o.text}`;
}

describe.skipIf(missing)(`fact sheet §7 on real libvirt and QEMU ${missing ? `(skipped: ${missing})` : ''}`, () => {
  for (const g of generations) {
    for (const c of CASES) {
      const why = c.notOn?.[g.name];
      it.skipIf(why !== undefined)(
        `${g.name} (libvirt ${g.libvirt}, QEMU ${g.qemu}): ${c.what}${why ? ` (not here: ${why})` : ''}`,
        async () => {
          const name = labDomainName(g, `sec7-${c.what}`);
          const xml = domainXml(name, c, g);
          const host = await hostFactsOf(g)(c.arch, c.machine);
          const findings: Finding[] = evaluate({
            domain: readDomainFacts(parseDomainXml(xml)),
            host,
            guest: NO_GUEST_FACTS,
            goals: DEFAULT_GOALS,
          });
          const seen = await defineAndStart(g.uri, name, xml, work);
          const wanted = c.expect(g);
          if (wanted === 'started') expect(describeObserved(seen)).toBe('started');
          else expect(describeObserved(seen)).toMatch(wanted);
          expect(contradiction(findings, seen)).toBeNull();
        },
      );
    }
  }
});
