/**
 * Every way a domain enters the wizard (sample, file, upload, libvirt, template) ends here. Nothing replaces the
 * work loaded now unless the new text is a domain: a file that does not parse, is not a <domain>, or is over the
 * size limit leaves the session as it was, and the alert names the user's file. An answer to a read that was
 * started before another domain was loaded is dropped (the user moved on).
 */
import { MAX_DOMAIN_XML_BYTES } from '../../src/contracts/limits';
import { parseDomainXml, XmlInputError } from '../../src/domain-xml';
import { ApiError } from '../api';
import type { Source, WizardState, WizardStore } from '../store/store';

type LoadExtra = Parameters<WizardState['load']>[2];

/** Loads `text` as the domain from `source` if it is one; otherwise says why, naming `name`, and keeps the session. */
export function loadChecked(store: WizardStore, source: Source, text: string, name: string, extra?: LoadExtra): boolean {
  try {
    parseDomainXml(text, name);
  } catch (e) {
    if (!(e instanceof XmlInputError)) throw e;
    store.getState().fail({
      title: `${name} is not a libvirt domain XML file`,
      error: new ApiError({ code: 'xml-invalid', message: e.message, hint: `${e.hint} Nothing that was loaded before changed.` }),
    });
    return false;
  }
  store.getState().load(source, text, extra);
  return true;
}

/** A marker of what is loaded now, to take before a slow read and check with `stillCurrent` when it answers. */
export function loadMark(store: WizardStore): number {
  return store.getState().generation;
}

/** Whether nothing was loaded, saved or reloaded since `mark` was taken. */
export function stillCurrent(store: WizardStore, mark: number): boolean {
  return store.getState().generation === mark;
}

/** An uploaded or dropped file: refused over the limit before it is read (the same limit as opening by path). */
export async function loadUpload(store: WizardStore, file: File): Promise<boolean> {
  if (file.size > MAX_DOMAIN_XML_BYTES) {
    store.getState().fail({
      title: `${file.name} is too large to be a domain XML file`,
      error: new ApiError({
        code: 'file-too-large',
        message: `${file.name} is ${file.size} bytes, over the ${MAX_DOMAIN_XML_BYTES / 1024 / 1024} MB limit for a domain XML file. Nothing that was loaded before changed.`,
        hint: "Choose the domain's XML (virsh dumpxml NAME > NAME.xml), not a disk image or a log.",
      }),
    });
    return false;
  }
  const mark = loadMark(store);
  const text = await file.text();
  if (!stillCurrent(store, mark)) return false;
  return loadChecked(store, { kind: 'upload', name: file.name }, text, file.name);
}
