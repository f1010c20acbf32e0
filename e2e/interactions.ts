/**
 * Counts what a user does, so flows can assert how many steps a task takes (issue 16: a saved SEV definition in
 * at most 6 interactions for who knows the way, 10 walking every step, 20 key presses with the keyboard alone).
 * An interaction is a click, a value typed into a field, or choosing a file (the click that opens the chooser and
 * the pick in it are one act: "choose a file"); a key press is a key press (in the chooser, Enter picks the file).
 */
import type { Locator, Page } from 'playwright-core';

export class Interactions {
  clicks = 0;
  keys = 0;
  constructor(private readonly page: Page) {}

  get count(): number {
    return this.clicks;
  }

  async click(target: Locator): Promise<void> {
    this.clicks++;
    await target.click();
  }

  async fill(target: Locator, value: string): Promise<void> {
    this.clicks++;
    await target.fill(value);
  }

  /** Clicks what opens the file chooser and picks `file` in it: one interaction, "choose a file". */
  async chooseFile(opener: Locator, file: string): Promise<void> {
    const chooser = this.page.waitForEvent('filechooser');
    await this.click(opener);
    await (await chooser).setFiles(file);
  }

  async press(key: string): Promise<void> {
    this.keys++;
    await this.page.keyboard.press(key);
  }

  /** Presses `key` on the focused control that opens the file chooser, then Enter picks `file`: two key presses. */
  async pressToChooseFile(key: string, file: string): Promise<void> {
    const chooser = this.page.waitForEvent('filechooser');
    await this.press(key);
    this.keys++;
    await (await chooser).setFiles(file);
  }
}
