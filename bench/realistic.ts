/** Settings the benchmarks share: latencies of a real Graph and a real Yeastar PBX (one connection per request). */
export const GRAPH_LATENCY_MS = 150;
export const PBX_LATENCY_MS = 100;
export const PBX_CONCURRENCY = 4;
export const PROGRESS_EVERY_MS = 15_000;

/** The value after `--name` on the command line. */
export function flag(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}
