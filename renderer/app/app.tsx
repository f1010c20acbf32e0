/** The frame: the masthead, what is running or went wrong, and the wizard or troubleshooting. */
import { Page, PageSection, SkipToContent, Spinner } from '@patternfly/react-core';
import { Suspense } from 'react';
import { useWizard } from '../store/context';
import { TroubleshootView } from './deferred-views';
import { BusyBanner } from './busy-banner';
import { FailureAlert } from './failure-alert';
import { AppMasthead } from './masthead';
import { WizardFrame } from './wizard-frame';

export function App() {
  const mode = useWizard((s) => s.mode);
  return (
    <Page
      masthead={<AppMasthead />}
      skipToContent={<SkipToContent href="#vaw-main">Skip to content</SkipToContent>}
      mainContainerId="vaw-main"
      isContentFilled
    >
      <PageSection className="vaw-status" aria-label="Status" padding={{ default: 'noPadding' }}>
        <FailureAlert />
        <BusyBanner />
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
