/** The renderer's only way to the services: one named function per IPC channel (src/contracts/ipc.ts). */
import type { IpcRequest } from '../../src/contracts/ipc';
import { invoke } from './transport';

export { ApiError } from './api-error';

export const appInfo = () => invoke('app.info', {});
export const listSamples = () => invoke('samples.list', {});
export const readFile = (r: IpcRequest<'file.read'>) => invoke('file.read', r);
export const pickFile = () => invoke('file.pick', {});
export const saveFile = (r: IpcRequest<'file.save'>) => invoke('file.save', r);
export const listFileBackups = (r: IpcRequest<'file.backups'>) => invoke('file.backups', r);
export const restoreFileBackup = (r: IpcRequest<'file.restore'>) => invoke('file.restore', r);
export const listDomains = (r: IpcRequest<'libvirt.list'>) => invoke('libvirt.list', r);
export const readDomain = (r: IpcRequest<'libvirt.read'>) => invoke('libvirt.read', r);
export const defineDomain = (r: IpcRequest<'libvirt.define'>) => invoke('libvirt.define', r);
export const restoreDomainBackup = (r: IpcRequest<'libvirt.restore'>) => invoke('libvirt.restore', r);
export const qemuArgv = (r: IpcRequest<'libvirt.qemuArgv'>) => invoke('libvirt.qemuArgv', r);
export const verifyDomain = (r: IpcRequest<'libvirt.verify'>) => invoke('libvirt.verify', r);
export const hostEvidence = () => invoke('host.evidence', {});
export const hostCaps = (r: IpcRequest<'host.caps'>) => invoke('host.caps', r);
export const searchOs = (r: IpcRequest<'osinfo.search'>) => invoke('osinfo.search', r);
export const guestFacts = (r: IpcRequest<'osinfo.guest'>) => invoke('osinfo.guest', r);
export const validateXml = (r: IpcRequest<'schema.validate'>) => invoke('schema.validate', r);
export const getRecent = () => invoke('recent.get', {});
export const addRecent = (r: IpcRequest<'recent.add'>) => invoke('recent.add', r);
