import { ApplicationFailure } from '@temporalio/common';
import {
  GraphFailure,
  SUBSCRIBED_RESOURCES,
  type EnsureSubscriptionsInput,
  type EnsureSubscriptionsResult,
  type SubscribedResource,
  type SubscriptionRef,
} from '../../contracts/index.js';
import type { GraphSource } from '../graph/index.js';

/** Where Graph delivers, and the secret it echoes. Worker settings: never in workflow inputs or history. */
export interface NotificationSettings {
  /** The public URL of the notification receiver (change and lifecycle notifications). */
  notificationUrl: string;
  clientState: { reveal(): string };
}

export interface SubscriptionDeps {
  graph: GraphSource;
  /** Unset: the worker has no notification receiver, the directory watcher only polls. */
  notifications?: NotificationSettings;
}

export const DEFAULT_SUBSCRIPTION_LIFETIME_SECONDS = 2 * 86_400;
/** Graph's limit for users and groups: 41,760 minutes. */
const MAX_LIFETIME_SECONDS = 41_760 * 60;
/** Renew up to this much early, so a timer firing a little before the halfway point still renews. */
const SLACK_MS = 1_000;

const normalizeUrl = (url: string): string => {
  try {
    return new URL(url).toString();
  } catch {
    return url;
  }
};

const isNotFound = (error: unknown): boolean =>
  error instanceof ApplicationFailure && error.type === GraphFailure.NotFound;

/**
 * Keeps the users and groups change-notification subscriptions alive for the directory watcher: creates
 * missing ones (deleting leftovers of earlier runs for the same URL), renews those past half their lifetime,
 * and recreates one Graph no longer knows (404: expired or subscriptionRemoved). The clientState comes from
 * the worker's settings and never leaves this activity.
 */
export const createSubscriptionActivities = ({ graph, notifications }: SubscriptionDeps) => ({
  async ensureSubscriptions(input: EnsureSubscriptionsInput): Promise<EnsureSubscriptionsResult> {
    const off: EnsureSubscriptionsResult = { enabled: false, subscriptions: [], created: 0, renewed: 0 };
    if (input.remove || !notifications) {
      for (const sub of input.current) {
        try {
          await graph.deleteSubscription(sub.id);
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      return notifications ? { ...off, enabled: true } : off;
    }
    const lifetimeMs =
      Math.min(
        MAX_LIFETIME_SECONDS,
        Math.max(1, input.lifetimeSeconds ?? DEFAULT_SUBSCRIPTION_LIFETIME_SECONDS),
      ) * 1000;
    const expiration = () => new Date(Date.now() + lifetimeMs).toISOString();
    const url = notifications.notificationUrl;
    const result: EnsureSubscriptionsResult = { enabled: true, subscriptions: [], created: 0, renewed: 0 };

    let leftovers: string[] | undefined;
    const create = async (resource: SubscribedResource): Promise<SubscriptionRef> => {
      // Subscriptions for our URL that the watcher does not hold (a crash after creating, a restarted
      // watcher): delete them, so duplicates neither double deliveries nor eat the 100-per-app quota.
      leftovers ??= (await graph.listSubscriptions())
        .filter(
          (s) =>
            normalizeUrl(s.notificationUrl) === normalizeUrl(url) &&
            !input.current.some((c) => c.id === s.id),
        )
        .map((s) => s.id);
      for (const id of leftovers.splice(0)) {
        try {
          await graph.deleteSubscription(id);
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      const sub = await graph.createSubscription({
        resource,
        notificationUrl: url,
        lifecycleNotificationUrl: url,
        clientState: notifications.clientState.reveal(),
        expirationDateTime: expiration(),
      });
      result.created++;
      return { resource, id: sub.id, expiresAt: sub.expirationDateTime };
    };

    for (const resource of SUBSCRIBED_RESOURCES) {
      const known = input.current.find((s) => s.resource === resource);
      if (!known) {
        result.subscriptions.push(await create(resource));
        continue;
      }
      const remaining = Date.parse(known.expiresAt) - Date.now();
      if (!input.force && remaining - lifetimeMs / 2 > SLACK_MS) {
        result.subscriptions.push(known);
        continue;
      }
      try {
        const renewed = await graph.renewSubscription(known.id, expiration());
        result.renewed++;
        result.subscriptions.push({ resource, id: known.id, expiresAt: renewed.expirationDateTime });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        result.subscriptions.push(await create(resource)); // expired or removed: subscribe again
      }
    }
    const checkAt = Math.min(...result.subscriptions.map((s) => Date.parse(s.expiresAt) - lifetimeMs / 2));
    // Graph may grant less than asked: never check again sooner than a moment from now.
    result.nextCheckAt = new Date(
      Math.max(checkAt, Date.now() + Math.min(60_000, lifetimeMs / 4)),
    ).toISOString();
    return result;
  },
});
