export { YeastarDirectory } from './directory.js';
export { ERRCODE_FAILURE } from './errors.js';
export type { YeastarOptions } from './options.js';
