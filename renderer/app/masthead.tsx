/** The top bar: the app's name, what is being worked on, wizard or troubleshooting, and the colour theme. */
import {
  Masthead,
  MastheadBrand,
  MastheadContent,
  MastheadLogo,
  MastheadMain,
  Title,
  ToggleGroup,
  ToggleGroupItem,
  Toolbar,
  ToolbarContent,
  ToolbarItem,
} from '@patternfly/react-core';
import { useWizard, useWizardStore } from '../store/context';
import { sourceTitle } from '../store/selectors';
import { THEME_CHOICES, useTheme, type ThemeChoice } from './theme';

const THEME_LABELS: Readonly<Record<ThemeChoice, string>> = { light: 'Light', dark: 'Dark', system: 'System' };

export function AppMasthead() {
  const mode = useWizard((s) => s.mode);
  const title = useWizard(sourceTitle);
  const store = useWizardStore();
  const [theme, setTheme] = useTheme();
  return (
    <Masthead display={{ default: 'stack', md: 'inline' }}>
      <MastheadMain>
        <MastheadBrand>
          <MastheadLogo component="span">
            <Title headingLevel="h1" size="lg" className="vaw-brand">
              Virtio Access Wizard
            </Title>
          </MastheadLogo>
        </MastheadBrand>
      </MastheadMain>
      <MastheadContent>
        <Toolbar isFullHeight isStatic>
          <ToolbarContent>
            <ToolbarItem>
              <ToggleGroup aria-label="View">
                <ToggleGroupItem text="Wizard" isSelected={mode === 'wizard'} onChange={() => store.getState().setMode('wizard')} />
                <ToggleGroupItem
                  text="Troubleshoot"
                  isSelected={mode === 'troubleshoot'}
                  onChange={() => store.getState().setMode('troubleshoot')}
                />
              </ToggleGroup>
            </ToolbarItem>
            {title && (
              <ToolbarItem className="vaw-working-on" data-testid="working-on" visibility={{ default: 'hidden', lg: 'visible' }}>
                Working on: <strong>{title}</strong>
              </ToolbarItem>
            )}
            <ToolbarItem align={{ default: 'alignEnd' }}>
              <ToggleGroup aria-label="Colour theme">
                {THEME_CHOICES.map((c) => (
                  <ToggleGroupItem key={c} text={THEME_LABELS[c]} isSelected={theme === c} onChange={() => setTheme(c)} />
                ))}
              </ToggleGroup>
            </ToolbarItem>
          </ToolbarContent>
        </Toolbar>
      </MastheadContent>
    </Masthead>
  );
}
