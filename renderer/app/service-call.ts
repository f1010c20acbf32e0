/** Runs a service call with a busy label, turning a failure into the error panel's content. */
import { ApiError } from '../api';
import { useWizard } from '../store/store';

export async function serviceCall<T>(label: string, fn: () => Promise<T>): Promise<T | undefined> {
  const { setBusy, fail } = useWizard.getState();
  setBusy(label);
  fail(null);
  try {
    return await fn();
  } catch (e) {
    fail(
      e instanceof ApiError
        ? e
        : new ApiError({ code: 'internal', message: e instanceof Error ? e.message : String(e), hint: 'This is a bug; please report it.' }),
    );
    return undefined;
  } finally {
    setBusy(null);
  }
}
