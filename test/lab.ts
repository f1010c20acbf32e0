/**
 * The version lab's generations as `scripts/lab.sh up` recorded them in its state file: Debian 12's own libvirtd
 * plus the trixie and sid chroots, each with its libvirt and QEMU versions, the URI the system's virsh reaches it
 * by, and its own libvirt schema directory.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as v from 'valibot';

/** Where `scripts/lab.sh` keeps its chroots and state (VAW_LAB_DIR overrides, as for the script). */
export const labDir = process.env.VAW_LAB_DIR ?? '/var/cache/vaw-lab';
export const labStateFile = path.join(labDir, 'lab.json');

const version = v.pipe(v.string(), v.regex(/^\d+\.\d+(?:\.\d+)?$/));
const GenerationSchema = v.strictObject({
  name: v.pipe(v.string(), v.regex(/^[a-z0-9-]+$/)),
  libvirt: version,
  qemu: version,
  uri: v.string(),
  schemaDir: v.string(),
  /** The chroot; null for the system's own libvirtd. */
  root: v.nullable(v.string()),
});
const StateSchema = v.strictObject({ generations: v.pipe(v.array(GenerationSchema), v.minLength(1)) });

export type Generation = v.InferOutput<typeof GenerationSchema>;

/** The generations of the state file; throws naming the file when it is missing or not what lab.sh writes. */
export function readLabState(file = labStateFile): Generation[] {
  if (!existsSync(file)) throw new Error(`${file} does not exist: start the version lab with "sudo scripts/lab.sh up"`);
  const parsed = v.safeParse(StateSchema, JSON.parse(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    throw new Error(`${file} is not a version-lab state file (${parsed.issues[0].message}); run "sudo scripts/lab.sh up" again`);
  }
  return parsed.output.generations;
}

/**
 * A domain name of the lab's own: prefix, the test process's pid (the lab's suites run in parallel processes, and
 * each removes only its own leftovers and those of dead runs), generation, and what it tests, in characters
 * libvirt and cgroups take.
 */
export function labDomainName(generation: Generation, what: string): string {
  return `vaw-lab-${process.pid}-${generation.name}-${what}`.replace(/[^A-Za-z0-9_.-]+/g, '-').slice(0, 100);
}

/** Whether a generation's libvirt or QEMU release (as lab.json records it, e.g. "11.3.0") is `major.minor` or later. */
export function releaseAtLeast(release: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = release.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/** Whether a lab domain name belongs to this process or to a run that is no longer alive (a leftover). */
export function isLeftoverOrOwn(name: string, generation: Generation): boolean {
  const m = /^vaw-lab-(\d+)-(.*)$/.exec(name);
  if (!m || !m[2]!.startsWith(`${generation.name}-`)) return false;
  const pid = Number(m[1]);
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Whether the connection's QEMU offers type='kvm' guests, as libvirt reports it (domcapabilities --virttype kvm):
 * tests of what verify says about KVM expect a start under KVM there and a TCG fallback elsewhere.
 */
export function runsKvmGuests(uri: string): boolean {
  try {
    execFileSync('virsh', ['-c', uri, 'domcapabilities', '--virttype', 'kvm'], { stdio: 'ignore', timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}
