/** What the services say about themselves, asked once per store and kept there (views read it, never re-ask). */
import { useEffect } from 'react';
import type { AppInfo } from '../../src/contracts/ipc';
import * as api from '../api';
import { useWizard, useWizardStore } from '../store/context';
import { NOT_RUN, serviceCall } from './service-call';

export function useAppInfo(): AppInfo | null {
  const info = useWizard((s) => s.info);
  const store = useWizardStore();
  useEffect(() => {
    if (store.getState().info) return;
    void serviceCall(store, 'Asking the services about this machine', () => api.appInfo(), { background: true }).then((i) => {
      if (i !== NOT_RUN) store.getState().setInfo(i);
    });
  }, [store]);
  return info;
}
