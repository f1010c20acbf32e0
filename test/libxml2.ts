/** libxml2's own verdict on files, as libvirt's parser gives it (xmllint --noout: no schema, no DTD loading asked). */
import { spawnSync } from 'node:child_process';

/** The files xmllint reports a parser or namespace error for (libvirt's parser logs both as XML errors). */
export function rejectedByLibxml2(files: readonly string[]): Set<string> {
  const rejected = new Set<string>();
  for (let i = 0; i < files.length; i += 400) {
    const batch = files.slice(i, i + 400);
    const r = spawnSync('xmllint', ['--noout', '--nonet', ...batch], {
      encoding: 'latin1',
      maxBuffer: 256 * 1024 * 1024,
      timeout: 300_000,
    });
    if (r.error) throw r.error;
    for (const line of r.stderr.split('\n')) {
      const m = /^(\/\S+?\.xml):\d+: (?:parser|namespace) error : /.exec(line);
      if (m?.[1]) rejected.add(m[1]);
    }
  }
  return rejected;
}
