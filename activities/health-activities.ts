import type { ProbeResult } from '../contracts/index.js';

/** A named check of one dependency the worker talks to (Graph, the PBX); resolves to a short description. */
export type DependencyProbe = () => Promise<string>;

export interface HealthDeps {
  probes: Record<string, DependencyProbe>;
}

export const createHealthActivities = ({ probes }: HealthDeps) => ({
  async listDependencies(): Promise<string[]> {
    return Object.keys(probes);
  },

  /** Throws when the dependency is unreachable, so Temporal's retry policy applies. */
  async probeDependency(name: string): Promise<ProbeResult> {
    const probe = probes[name];
    if (!probe) throw new Error(`unknown dependency "${name}"`);
    return { name, detail: await probe() };
  },
});
