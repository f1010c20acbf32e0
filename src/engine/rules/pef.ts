/**
 * IBM POWER PEF (R-PEF-*).
 */
import type { RuleRecord } from '../rule-types';
import { commandlineObject } from '../context';
import { src } from '../sources';
import { technology } from '../technologies';
import { is, technologyRecords } from './technology-records';

export const PEF_RULES: readonly RuleRecord<'domain'>[] = [
  ...technologyRecords(technology('pef')),
  {
    key: 'R-PEF-01/object',
    id: 'R-PEF-01',
    scope: 'domain',
    severity: 'info',
    when: [is('pef')],
    title: (c) => {
      const o = commandlineObject(c);
      return o
        ? `POWER PEF comes from <qemu:commandline> (-object pef-guest,id=${o.id}): libvirt has no <launchSecurity> type for it`
        : 'POWER PEF has no libvirt <launchSecurity> type';
    },
    explanation:
      "QEMU 6.0 added the pef-guest object (-object pef-guest,id=pef0 -machine confidential-guest-support=pef0), but no libvirt element creates it; <qemu:commandline> is the way to give it to QEMU, whose confidential-VM default then turns ACCESS_PLATFORM on. The guest decides at boot whether to become secure, so every virtio device must offer ACCESS_PLATFORM whatever the host does: the plan writes iommu='on' on each.",
    fix: { text: "Write iommu='on' on every virtio device (the plan does)." },
    sources: [src('QEMU-PEF', 'pef-guest object')],
  },
  {
    key: 'R-PEF-01/no-object',
    id: 'R-PEF-01',
    scope: 'domain',
    severity: 'error',
    when: [is('pef'), (c) => commandlineObject(c) === null],
    title: 'POWER PEF needs -object pef-guest in <qemu:commandline>, which the plan cannot write',
    explanation:
      "KVM lets a POWER guest switch to secure mode only when QEMU enabled the Secure VM capability for it (arch/powerpc/kvm/book3s_hv.c, book3s_hv_uvmem.c), and QEMU does so only for a machine linked to a pef-guest object (hw/ppc/pef.c). libvirt has no element that makes one, and plans edit libvirt elements, never <qemu:commandline> (R-QEMU-01): without the object the guest stays an ordinary VM whatever iommu says (read in QEMU's and Linux's source by QA helper-32; PEF cannot run here).",
    fix: {
      text: "Add to the domain, with xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0' on <domain>: <qemu:commandline><qemu:arg value='-object'/><qemu:arg value='pef-guest,id=pef0'/><qemu:arg value='-machine'/><qemu:arg value='confidential-guest-support=pef0'/></qemu:commandline>; then plan again.",
    },
    sources: [
      src('QEMU-PEF', 'hw/ppc/pef.c kvmppc_svm_init: KVM_CAP_PPC_SECURE_GUEST'),
      src('LV-DRVQEMU', 'pass-through of arbitrary qemu commands'),
    ],
  },
];
