/** Pure host knowledge: domcapabilities parsing and merging facts from several sources. */
export { parseDomainCapabilities, summariseDomainCapabilities } from './parse-domain-capabilities';
export type { DomainCapabilitiesSummary, HostFactsPatch } from './parse-domain-capabilities';
export { mergeHostFacts } from './merge-host-facts';
export { isLibvirtManagedPath, LIBVIRT_MANAGED_ADVICE } from './libvirt-paths';
export { domainTargetOf, type DomainTarget } from './domain-target';
