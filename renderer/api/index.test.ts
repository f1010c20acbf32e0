/**
 * A channel added to the contract (src/contracts/ipc.ts) is reachable from the preload, the serve bridge and
 * main/ipc without further work, and tsc refuses an IPC table without its handler; renderer/api is the one place
 * that names channels by hand. This holds it to the contract: one function per channel, each calling its own.
 * `window.api` here records the channel each function called and answers with a failure, so no service runs.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { IPC_CHANNELS, type PreloadApi } from '../../src/contracts/ipc';
import * as api from './index';

afterEach(() => {
  Reflect.deleteProperty(window, 'api');
});

/** The channels the renderer's named functions call, by function name. */
async function channelsCalled(): Promise<Record<string, string[]>> {
  const called: Record<string, string[]> = {};
  let current = '';
  const recording = Object.fromEntries(
    IPC_CHANNELS.map((channel) => [
      channel,
      () => {
        (called[current] ??= []).push(channel);
        return Promise.resolve({ ok: false, error: { code: 'recorded', message: channel, hint: '' } });
      },
    ]),
  ) as unknown as PreloadApi;
  Object.defineProperty(window, 'api', { value: recording, configurable: true });
  for (const [name, fn] of Object.entries(api)) {
    if (name === 'ApiError') continue;
    current = name;
    await expect((fn as (r: unknown) => Promise<unknown>)({})).rejects.toBeInstanceOf(api.ApiError);
  }
  return called;
}

describe('renderer/api', () => {
  it('has one function per contract channel, each calling its own channel once', async () => {
    const called = await channelsCalled();
    expect(Object.values(called).every((channels) => channels.length === 1)).toBe(true);
    expect(
      Object.values(called)
        .map((c) => c[0])
        .sort(),
    ).toEqual([...IPC_CHANNELS].sort());
  });
});
