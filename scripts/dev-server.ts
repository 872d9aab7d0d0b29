/** `npm run temporal`: a local Temporal dev server with the product's search attributes, until Ctrl-C. */
import { startDevServer } from '../harness/temporal-dev-server.js';

const server = await startDevServer({
  port: Number(process.env.TEMPORAL_DEV_PORT ?? 7233),
  ...(process.env.TEMPORAL_DEV_DB ? { dbFile: process.env.TEMPORAL_DEV_DB } : {}),
});
console.log(`Temporal dev server: ${server.address}  Web UI: ${server.uiUrl}  (Ctrl-C stops it)`);
const stop = () => void server.stop().then(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
