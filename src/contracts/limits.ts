/**
 * The largest domain XML the app and the CLI take, from any way in (open by path, upload, the IPC contract):
 * real definitions are a few kilobytes, so 10 MB only stops a wrong file (an image, a log) early.
 */
export const MAX_DOMAIN_XML_BYTES = 10 * 1024 * 1024;
