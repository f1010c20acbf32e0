import { describe, expect, it } from 'vitest';
import { NO_HOST_FACTS } from '../../src/contracts/facts';
import { ApiError } from '../api';
import { isBusy, isLoaded, sourceTitle } from './selectors';
import { createWizardStore } from './store';

const fresh = createWizardStore;

describe('wizard store', () => {
  it('starts on the start step with nothing loaded and nothing chosen', () => {
    const s = fresh().getState();
    expect([s.step, s.mode, s.text, s.source, s.secure, s.migration]).toEqual(['start', 'wizard', '', null, 'keep', 'unknown']);
  });

  it("loading a domain moves to Secure VM and forgets the previous domain's choices and failure", () => {
    const store = fresh();
    const s = store.getState();
    s.setSecure('sev');
    s.setBackend('/domain/devices/interface[1]', 'vhost-kernel');
    s.fail({ title: 't', error: new ApiError({ code: 'x', message: 'm', hint: 'h' }) });
    s.setMode('troubleshoot');
    s.load({ kind: 'sample', id: 'a', title: 'A' }, '<domain/>');
    const after = store.getState();
    expect([after.step, after.mode, after.secure, after.backends, after.failure, after.host]).toEqual([
      'secure',
      'wizard',
      'keep',
      {},
      null,
      NO_HOST_FACTS,
    ]);
  });

  it('sets and clears a per-device backend without touching the others', () => {
    const store = fresh();
    store.getState().setBackend('/domain/devices/disk[1]', 'vhost-user');
    store.getState().setBackend('/domain/devices/interface[1]', 'vhost-kernel');
    store.getState().setBackend('/domain/devices/disk[1]', null);
    expect(store.getState().backends).toEqual({ '/domain/devices/interface[1]': 'vhost-kernel' });
  });

  it('after a save the saved text is the new starting point and the goal is reached (keep)', () => {
    const store = fresh();
    store.getState().load({ kind: 'sample', id: 'a', title: 'A' }, '<domain>old</domain>');
    store.getState().setSecure('sev');
    store.getState().saved('<domain>new</domain>', { kind: 'file', path: '/x.xml', fingerprint: 'f' });
    expect([store.getState().text, store.getState().secure, store.getState().source]).toEqual([
      '<domain>new</domain>',
      'keep',
      { kind: 'file', path: '/x.xml', fingerprint: 'f' },
    ]);
  });

  it('a symptom chosen in troubleshooting survives loading a domain, and the load leads back to it', () => {
    const store = fresh();
    store.getState().setMode('troubleshoot');
    store.getState().chooseSymptom('T-09');
    store.getState().loadForTroubleshooting();
    expect([store.getState().mode, store.getState().step]).toEqual(['wizard', 'start']);
    store.getState().load({ kind: 'sample', id: 'a', title: 'A' }, '<domain/>');
    expect([store.getState().mode, store.getState().symptom]).toEqual(['troubleshoot', 'T-09']);
    // An ordinary load (not from troubleshooting) goes on in the wizard.
    store.getState().go('start');
    store.getState().load({ kind: 'sample', id: 'b', title: 'B' }, '<domain/>');
    expect(store.getState().mode).toBe('wizard');
  });

  it('counts loads, saves and reloads, so an answer to an older read can tell it is stale', () => {
    const store = fresh();
    const g0 = store.getState().generation;
    store.getState().load({ kind: 'sample', id: 'a', title: 'A' }, '<domain/>');
    store.getState().reloaded({ kind: 'sample', id: 'a', title: 'A' }, '<domain/>');
    store.getState().saved('<domain/>', { kind: 'file', path: '/x.xml', fingerprint: 'f' });
    expect(store.getState().generation).toBe(g0 + 3);
  });

  it('two stores made for two tests share nothing', () => {
    const a = fresh();
    const b = fresh();
    a.getState().setSecure('tdx');
    expect(b.getState().secure).toBe('keep');
  });

  it('going to a step leaves troubleshooting', () => {
    const store = fresh();
    store.getState().setMode('troubleshoot');
    store.getState().go('review');
    expect([store.getState().step, store.getState().mode]).toEqual(['review', 'wizard']);
  });
});

describe('selectors', () => {
  it("name what is being worked on, in the user's words", () => {
    const store = fresh();
    expect(sourceTitle(store.getState())).toBeNull();
    expect(isLoaded(store.getState())).toBe(false);
    store.getState().load({ kind: 'libvirt', uri: 'qemu:///system', name: 'web1', loadedXml: '<domain/>' }, '<domain/>');
    expect(sourceTitle(store.getState())).toBe('web1 on qemu:///system');
    expect(isLoaded(store.getState())).toBe(true);
    store.getState().load({ kind: 'upload', name: 'a.xml' }, '<domain/>');
    expect(sourceTitle(store.getState())).toBe('a.xml (uploaded copy)');
    store.getState().setBusy({ label: 'Saving', startedAt: 0, cancel: null });
    expect(isBusy(store.getState())).toBe(true);
  });

  it("keeps each step's choices in its own slice and returns them all to the start on a new domain", () => {
    const store = fresh();
    const s = store.getState();
    s.setModel('/domain/devices/disk[1]', 'virtio-non-transitional');
    s.setMigration(true);
    s.setGuest({ ...s.guest, family: 'linux' });
    s.load({ kind: 'sample', id: 'b', title: 'B' }, '<domain/>');
    const after = store.getState();
    expect([after.models, after.migration, after.guest.family]).toEqual([{}, 'unknown', 'unknown']);
  });
});
