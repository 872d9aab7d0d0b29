import {
  condition,
  proxyActivities,
  setCurrentDetails,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  decideOffboardingUpdate,
  fullSyncProgressQuery,
  type FullSyncInput,
  type FullSyncProgress,
} from '../contracts/index.js';
import { fullSyncDetails } from '../model/index.js';

const { planFullSync, dispatchOffboarding } = proxyActivities<Activities>({
  startToCloseTimeout: '30 minutes',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});
const { awaitConvergence, syncGroups } = proxyActivities<Activities>({
  startToCloseTimeout: '2 hours',
  heartbeatTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/**
 * Brings every in-scope user to their desired PBX state. Planning reads Graph and the PBX inside activities
 * (pages never pass through history); changed users get a message to their own lifecycle workflow; an
 * unchanged tenant costs a handful of activities and no messages.
 */
export async function fullSync({ tenantId, dryRun = false }: FullSyncInput): Promise<FullSyncProgress> {
  const syncRunId = workflowInfo().workflowId;
  const progress: FullSyncProgress = { phase: 'planning', dryRun };
  const enter = (phase: FullSyncProgress['phase']) => {
    progress.phase = phase;
    setCurrentDetails(fullSyncDetails(progress));
  };
  setHandler(fullSyncProgressQuery, () => progress);
  setHandler(
    decideOffboardingUpdate,
    (decision) => {
      progress.decision = decision;
      setCurrentDetails(fullSyncDetails(progress));
      return progress;
    },
    {
      validator: (decision) => {
        if (progress.phase !== 'awaiting-approval')
          throw new Error(`this run is not waiting for approval (phase ${progress.phase})`);
        if (!decision.by) throw new Error('say who decides (by)');
      },
    },
  );

  enter('planning');
  const plan = await planFullSync({ tenantId, syncRunId, dryRun });
  progress.plan = plan.summary;
  progress.guard = plan.guard;
  progress.dispatched = plan.dispatched;
  if (dryRun) {
    enter('done');
    return progress;
  }

  let offboarding = plan.offboard;
  if (offboarding.length > 0 && !plan.guard.allowed) {
    enter('awaiting-approval');
    await condition(() => progress.decision !== undefined);
    if (!progress.decision!.approved) offboarding = [];
  }

  enter('applying');
  const offboarded =
    offboarding.length > 0 ? await dispatchOffboarding({ tenantId, syncRunId, users: offboarding }) : 0;
  progress.convergence = await awaitConvergence({
    tenantId,
    syncRunId,
    expected: plan.dispatched + offboarded,
  });

  enter('groups');
  progress.groups = await syncGroups({ tenantId });
  enter('done');
  return progress;
}
