/**
 * Files libvirt keeps for itself: the persistent (/etc/libvirt) and running (/run/libvirt) definitions. libvirt
 * does not read edits to them until it restarts and may overwrite them; changes go through `virsh define`.
 */
export function isLibvirtManagedPath(file: string): boolean {
  return /^\/(etc|run|var\/run)\/libvirt\//.test(file.trim());
}

export const LIBVIRT_MANAGED_ADVICE =
  "is libvirt's own copy of a domain definition: libvirt does not read changes to it until it restarts, and may overwrite them. Define the domain through libvirt instead (virsh define, or load it from its connection in the app).";
