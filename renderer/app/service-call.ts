/**
 * Every service call from the views goes through here. A foreground call shows in the busy banner (what it does,
 * for how long, Cancel when the call can be stopped) and refuses to start while another one runs, so no button
 * submits twice; a background call (samples, host evidence, the schema check) runs beside it silently. Either
 * way a failure becomes the alert, titled by what went wrong.
 */
import { CANCELLABLE_CHANNELS, type IpcChannel } from '../../src/contracts/ipc';
import * as api from '../api';
import { ApiError } from '../api';
import type { WizardStore } from '../store/store';
import { failureTitle } from './failure-titles';

export interface CallOptions {
  /** The channel whose call `fn` makes: cancellable channels get an id and a Cancel button. */
  readonly channel?: IpcChannel;
  /** Runs without the busy banner and beside other calls. */
  readonly background?: boolean;
}

/** The call did not finish because the user cancelled it or another call was running. */
export const NOT_RUN = Symbol('not run');

function asApiError(e: unknown): ApiError {
  return e instanceof ApiError
    ? e
    : new ApiError({
        code: 'internal',
        message: e instanceof Error ? e.message : String(e),
        hint: 'This is a bug in Virtio Access Wizard; please report it with this message.',
      });
}

/**
 * Runs `fn` (given the call id to pass to a cancellable channel) labelled `label` ("Reading guest.xml").
 * Resolves with its result, or NOT_RUN when it failed (the alert says why), was cancelled, or could not start.
 */
export async function serviceCall<T>(
  store: WizardStore,
  label: string,
  fn: (callId: string | undefined) => Promise<T>,
  options: CallOptions = {},
): Promise<T | typeof NOT_RUN> {
  const { setBusy, fail } = store.getState();
  if (!options.background && store.getState().busy) return NOT_RUN;
  const callId = options.channel && CANCELLABLE_CHANNELS.has(options.channel) ? crypto.randomUUID() : undefined;
  let cancelled = false;
  const busy = {
    label,
    startedAt: Date.now(),
    cancel:
      callId === undefined
        ? null
        : () => {
            cancelled = true;
            setBusy(null);
            void api.cancelCall(callId).catch(() => undefined);
          },
  };
  if (!options.background) {
    setBusy(busy);
    fail(null);
  }
  try {
    const result = await fn(callId);
    return cancelled ? NOT_RUN : result;
  } catch (e) {
    const error = asApiError(e);
    if (!cancelled && error.code !== 'cancelled') fail({ title: failureTitle(error.code, label), error });
    return NOT_RUN;
  } finally {
    if (store.getState().busy === busy) setBusy(null);
  }
}
