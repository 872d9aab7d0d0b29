export * from './pbx-directory.js';
export * from './pbx-failure.js';
export type * from './pbx-phonebooks.js';
export { connectYeastar, YeastarDirectory, ERRCODE_FAILURE, type YeastarOptions } from './yeastar/index.js';
