import { assert } from '../kernel/index.ts';
import { buildPrefixIndex } from './prefix-index.ts';
import type {
  Destination,
  PlanActivation,
  PlanEntry,
  Rate,
  Service,
  Tariff,
  TariffDraft,
  Timing,
} from './types.ts';

function byId<T extends { readonly id: string }>(
  items: readonly T[],
  kind: string,
): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    assert(!map.has(item.id), `${kind} ${item.id} is unique`);
    map.set(item.id, item);
  }
  return map;
}

/**
 * Indexes a validated tariff for rating. Every cross-reference was checked by the import; here
 * a dangling one is a broken invariant.
 */
export function buildTariff(version: number, draft: TariffDraft): Tariff {
  const destinationById = byId<Destination>(draft.destinations, 'destination');
  const rateById = byId<Rate>(draft.rates, 'rate');
  const timingById = byId<Timing>(draft.timings, 'timing');
  const index = buildPrefixIndex(
    draft.destinations.flatMap((d) => d.prefixes.map((p) => [p, d.id] as const)),
  );

  const entriesByPlan = new Map<string, Map<string, PlanEntry[]>>();
  for (const plan of draft.plans) {
    assert(!entriesByPlan.has(plan.id), `plan ${plan.id} is unique`);
    const byDestination = new Map<string, PlanEntry[]>();
    for (const entry of plan.entries) {
      assert(destinationById.has(entry.destinationId), `plan ${plan.id}: destination exists`);
      assert(rateById.has(entry.rateId), `plan ${plan.id}: rate exists`);
      assert(timingById.has(entry.timingId), `plan ${plan.id}: timing exists`);
      const list = byDestination.get(entry.destinationId) ?? [];
      list.push(entry);
      byDestination.set(entry.destinationId, list);
    }
    for (const list of byDestination.values()) {
      list.sort((a, b) => b.weight - a.weight);
      for (let i = 1; i < list.length; i += 1) {
        assert(list[i - 1]?.weight !== list[i]?.weight, `plan ${plan.id}: weights differ`);
      }
    }
    entriesByPlan.set(plan.id, byDestination);
  }

  const activationsByService = new Map<Service, PlanActivation[]>();
  for (const activation of draft.activations) {
    assert(entriesByPlan.has(activation.planId), `activation names plan ${activation.planId}`);
    const list = activationsByService.get(activation.service) ?? [];
    list.push(activation);
    activationsByService.set(activation.service, list);
  }
  for (const list of activationsByService.values()) {
    list.sort((a, b) => (a.activatesAtMs < b.activatesAtMs ? -1 : 1));
    for (let i = 1; i < list.length; i += 1) {
      assert(list[i - 1]?.activatesAtMs !== list[i]?.activatesAtMs, 'activation times differ');
    }
  }

  return {
    ...draft,
    version,
    index,
    destinationById,
    rateById,
    timingById,
    entriesByPlan,
    activationsByService,
  };
}
