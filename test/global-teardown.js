import { tsImport } from 'tsx/esm/api';

export default async function globalTeardown() {
  const { default: stopTemporal } = await tsImport('./support/stop-temporal.ts', import.meta.url);
  await stopTemporal();
}
