export { healthCheck } from './health-check.js';
