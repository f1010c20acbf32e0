/**
 * Whether a planned XML validates against this machine's libvirt schemas, asked once per text (Review and Apply
 * share the answer), and what to say when the only errors are an element newer than this machine's libvirt
 * (SEV-SNP or TDX planned on an older workstation for a newer host).
 */
import { useEffect, useState } from 'react';
import type { SecureType } from '../../src/contracts/facts';
import type { IpcResponse } from '../../src/contracts/ipc';
import { parseVersion } from '../../src/contracts/version';
import { newerThanSchema, type NewerElement } from '../../src/schema';
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

/**
 * When every schema error is inside `<launchSecurity>` of a technology that libvirt learned after this machine's
 * version, the XML is not wrong: this schema is too old for it (src/schema/newer-element.ts, shared with the CLI).
 */
export function newerThanThisLibvirt(verdict: SchemaVerdict, type: SecureType, localLibvirt: string | null): NewerElement | null {
  if (verdict.valid) return null;
  return newerThanSchema(verdict.errors, type, localLibvirt === null ? null : parseVersion(localLibvirt));
}
