// Jest loads global setup outside its module system, so TypeScript ESM is loaded through tsx here.
import { tsImport } from 'tsx/esm/api';

export default async function globalSetup() {
  const { default: startTemporal } = await tsImport('./support/start-temporal.ts', import.meta.url);
  await startTemporal();
}
