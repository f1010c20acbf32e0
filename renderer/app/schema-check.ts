/**
 * Whether a planned XML validates against this machine's libvirt schemas, asked once per text (Review and Apply
 * share the answer), and what to say when the only errors are an element newer than this machine's libvirt
 * (SEV-SNP or TDX planned on an older workstation for a newer host).
 */
import { useEffect, useState } from 'react';
import type { SecureType } from '../../src/contracts/facts';
import type { IpcResponse } from '../../src/contracts/ipc';
import { compareVersions, formatVersion, parseVersion } from '../../src/contracts/version';
import { technology } from '../../src/engine';
import * as api from '../api';

export type SchemaVerdict = IpcResponse<'schema.validate'>;
export type SchemaState =
  | { readonly kind: 'checking' }
  | { readonly kind: 'failed'; readonly message: string }
  | { readonly kind: 'done'; readonly verdict: SchemaVerdict };

const answers = new Map<string, Promise<SchemaVerdict>>();

function validate(xml: string): Promise<SchemaVerdict> {
  let p = answers.get(xml);
  if (!p) {
    p = api.validateXml({ xml });
    answers.set(xml, p);
    // A failed check is asked again next time (xmllint may have been missing for a moment); keep a few answers only.
    p.catch(() => answers.delete(xml));
    if (answers.size > 8) answers.delete(answers.keys().next().value!);
  }
  return p;
}

const CHECKING: SchemaState = { kind: 'checking' };

/** The check of `xml` (an empty text is never sent): checking until the answer for this very text arrives. */
export function useSchemaCheck(xml: string): SchemaState {
  const [answer, setAnswer] = useState<{ xml: string; state: SchemaState } | null>(null);
  useEffect(() => {
    if (!xml) return;
    let live = true;
    validate(xml).then(
      (verdict) => live && setAnswer({ xml, state: { kind: 'done', verdict } }),
      (e: unknown) => live && setAnswer({ xml, state: { kind: 'failed', message: e instanceof Error ? e.message : String(e) } }),
    );
    return () => {
      live = false;
    };
  }, [xml]);
  return answer?.xml === xml ? answer.state : CHECKING;
}

export interface NewerElement {
  /** The element as written, e.g. `<launchSecurity type='sev-snp'>`. */
  readonly element: string;
  readonly technology: string;
  /** The libvirt release that introduced it, and this machine's. */
  readonly since: string;
  readonly here: string;
}

/**
 * When every schema error is inside `<launchSecurity>` of a technology that libvirt learned after this machine's
 * version (the engine's technology table says since when), the XML is not wrong: this schema is too old for it.
 */
export function newerThanThisLibvirt(verdict: SchemaVerdict, type: SecureType, localLibvirt: string | null): NewerElement | null {
  if (verdict.valid || verdict.errors.length === 0 || localLibvirt === null) return null;
  const t = technology(type);
  const here = parseVersion(localLibvirt);
  if (!t.element || !t.libvirt || !here) return null;
  if (compareVersions(here, t.libvirt) >= 0) return null;
  if (!verdict.errors.every((e) => e.target === '/domain/launchSecurity' || e.target.startsWith('/domain/launchSecurity/'))) return null;
  return {
    element: `<launchSecurity type='${t.element}'>`,
    technology: t.name,
    since: formatVersion(t.libvirt),
    here: formatVersion(here),
  };
}
