/**
 * A JSON file in the app's cache folder that holds what was worked out for one key (what it depends on, as one
 * string): read back only while the key is the same, rewritten atomically. Used for osinfo-db's index and this
 * machine's libvirt version. Losing the file only costs the work again.
 *
 * Read synchronously: the CLI's check parses and judges in synchronous passes, during which a read on the event
 * loop does not progress; a check of the corpus waited 18–38 ms for osinfo-db's index after its first pass. The
 * files are small (osinfo-db's index: 125 kB) and read once per process.
 */
import { promises as fs, readFileSync } from 'node:fs';
import path from 'node:path';
import { writeFileAtomically } from './atomic-write';

/** The fields stored beside `key` in `dir/file`; null when there is no such file, it is damaged, or its key differs. */
export function readKeyedCacheSync(dir: string, file: string, key: string): Record<string, unknown> | null {
  try {
    const j = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as unknown;
    return typeof j === 'object' && j !== null && (j as { key?: unknown }).key === key ? (j as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Writes `{ key, ...fields }` to `dir/file`, making the folder; throws the file system's error. */
export async function writeKeyedCache(dir: string, file: string, key: string, fields: Record<string, unknown>): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomically(path.join(dir, file), JSON.stringify({ key, ...fields }));
}
