// Some PatternFly components import the stylesheet of a component they render only under props this app never
// passes: Page draws a Drawer only for `notificationDrawer`, Button a Badge only for `countOptions`, SearchInput
// a Badge only for `resultsCount`, Wizard an ActionList only in its default footer (the app brings its own), and
// ToolbarItem a Divider only for `variant="separator"`.
// Their 70 KB of CSS was loaded, parsed and indexed before the first step showed (bench:
// ui.navigation-to-first-step). This Vite plugin resolves the stylesheet import inside such a component's class
// map (@patternfly/react-styles/css/components/<Name>/<file>.mjs -> './<file>.css') to an empty module; the class
// map itself stays. scripts/pf-unrendered-css.test.ts fails when the app starts using one of these components or props.

const EMPTY = '\0vaw-unrendered-patternfly-css';
const CLASS_MAP = /[\\/]@patternfly[\\/]react-styles[\\/]css[\\/]components[\\/]([A-Za-z]+)[\\/][a-z-]+\.mjs$/;

/** The plugin; `components` names the folders under react-styles/css/components whose CSS is left out. */
export function dropUnrenderedPatternflyCss(components) {
  return {
    name: 'drop-unrendered-patternfly-css',
    enforce: 'pre',
    resolveId(source, importer) {
      if (!importer || !source.endsWith('.css')) return null;
      const m = CLASS_MAP.exec(importer);
      return m && components.includes(m[1]) ? EMPTY : null;
    },
    load(id) {
      return id === EMPTY ? '' : null;
    },
  };
}
