/**
 * Runs around every renderer test. Views call real services, whose answers can commit React work after a test's
 * last assertion; React then schedules passive effects on its own scheduler (a macrotask). Unmounting after each
 * test and letting that macrotask run keeps React from touching `window` after happy-dom is torn down at the end
 * of a file (which Vitest reports as an unhandled "window is not defined").
 */
import { cleanup } from '@testing-library/react';
import { afterEach, beforeAll } from 'vitest';
import { preloadViews } from '../renderer/app/deferred-views';

// The app loads its later steps after the first paint; tests render any step at once, so they load them first.
beforeAll(() => preloadViews());

afterEach(async () => {
  cleanup();
  await new Promise((resolve) => setTimeout(resolve, 0));
});
