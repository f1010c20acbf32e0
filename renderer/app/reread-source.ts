/**
 * The file or libvirt domain the wizard works on, read again as it is now: after someone else changed it, after
 * an undo or a restore. The caller decides whether the user's choices stay (reloaded) or start over (saved).
 */
import * as api from '../api';
import type { Source } from '../store/store';

export type Rereadable =
  { readonly kind: 'file'; readonly path: string } | { readonly kind: 'libvirt'; readonly uri: string; readonly name: string };

export async function rereadSource(where: Rereadable, callId?: string): Promise<{ readonly source: Source; readonly text: string }> {
  if (where.kind === 'file') {
    const f = await api.readFile({ path: where.path });
    return { source: { kind: 'file', path: f.path, fingerprint: f.fingerprint }, text: f.text };
  }
  const d = await api.readDomain({ uri: where.uri, name: where.name }, callId);
  return { source: { kind: 'libvirt', uri: where.uri, name: where.name, loadedXml: d.xml }, text: d.xml };
}
