/** Runs axe-core (the npm package, injected as a script) in the page and returns rule violations as ids. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export class AxeCheck {
  constructor(private readonly page: Page) {}

  async violations(): Promise<string[]> {
    // Colours are judged at rest: a theme switch fades buttons over a transition, which a busy machine can catch
    // half-way (a contrast violation no one sees once it ends). Endless ones (a spinner) never come to rest.
    await this.page.waitForFunction(() =>
      document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity),
    );
    // Evaluated over the DevTools protocol, so the page's CSP (no inline scripts) stays as it ships.
    await this.page.evaluate(axeSource);
    return this.page.evaluate(async () => {
      const axe = (
        window as unknown as { axe: { run(ctx: Document): Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }
      ).axe;
      const r = await axe.run(document);
      return r.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    });
  }
}
