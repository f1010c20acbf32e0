/** The frame: the masthead, what is running or went wrong, and the wizard or troubleshooting. */
import { Page, PageSection, SkipToContent, Spinner } from '@patternfly/react-core';
import { Suspense, useState } from 'react';
import { useWizard } from '../store/context';
import { BusyBanner, FailureAlert, TroubleshootView } from './deferred-views';
import { AppMasthead } from './masthead';
import { WizardFrame } from './wizard-frame';

/** Whether `now` has been true since the component mounted. */
function useEverTrue(now: boolean): boolean {
  const [ever, setEver] = useState(now);
  if (now && !ever) setEver(true);
  return ever || now;
}

export function App() {
  const mode = useWizard((s) => s.mode);
  // Asked for when there is first something to show, so the first screen never waits for their code; mounted from
  // then on, so their state (the failure's detail folded or not) lasts from one failure to the next as before.
  const failed = useEverTrue(useWizard((s) => s.failure !== null));
  const busy = useEverTrue(useWizard((s) => s.busy !== null));
  return (
    <Page
      masthead={<AppMasthead />}
      skipToContent={<SkipToContent href="#vaw-main">Skip to content</SkipToContent>}
      mainContainerId="vaw-main"
      isContentFilled
    >
      <PageSection className="vaw-status" aria-label="Status" padding={{ default: 'noPadding' }}>
        {failed && (
          <Suspense fallback={null}>
            <FailureAlert.View />
          </Suspense>
        )}
        {busy && (
          <Suspense fallback={null}>
            <BusyBanner.View />
          </Suspense>
        )}
      </PageSection>
      {mode === 'troubleshoot' ? (
        <PageSection>
          <Suspense fallback={<Spinner size="lg" aria-label="Loading troubleshooting" />}>
            <TroubleshootView.View />
          </Suspense>
        </PageSection>
      ) : (
        <PageSection type="wizard" aria-label="Wizard" isFilled>
          <WizardFrame />
        </PageSection>
      )}
    </Page>
  );
}
