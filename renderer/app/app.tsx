/** The frame: the masthead, what is running or went wrong, and the wizard or troubleshooting. */
import { Page, PageSection, SkipToContent } from '@patternfly/react-core';
import { useWizard } from '../store/context';
import { TroubleshootView } from '../troubleshoot/troubleshoot-view';
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
    >
      <PageSection className="vaw-status" aria-label="Status" padding={{ default: 'noPadding' }}>
        <FailureAlert />
        <BusyBanner />
      </PageSection>
      {mode === 'troubleshoot' ? (
        <PageSection>
          <TroubleshootView />
        </PageSection>
      ) : (
        <PageSection type="wizard" aria-label="Wizard">
          <WizardFrame />
        </PageSection>
      )}
    </Page>
  );
}
