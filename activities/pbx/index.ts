export * from './directory.js';
export * from './errors.js';
export { YeastarDirectory, ERRCODE_FAILURE, type YeastarOptions } from './yeastar/index.js';
