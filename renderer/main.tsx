import '@patternfly/react-core/dist/styles/base.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/app';
import { preloadViews } from './app/deferred-views';
import { applyStoredTheme } from './app/theme';
import { WizardProvider } from './store/context';
import { createWizardStore } from './store/store';
import './styles.css';

// Before the first render, so a dark page never flashes light.
applyStoredTheme();
const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
createRoot(container).render(
  <StrictMode>
    <WizardProvider store={createWizardStore()}>
      <App />
    </WizardProvider>
  </StrictMode>,
);
// The other steps arrive while the user looks at Start: once it is painted and the page is idle, so their download,
// compile and stylesheets never compete with the first render (bench: ui.navigation-to-first-step).
requestIdleCallback(() => void preloadViews(), { timeout: 2000 });
