import type { TariffRecords } from './tariff-records.ts';
import type { PlanEntry, RatingPlan } from './types.ts';

/**
 * Checks what records refer to, once every record has been read (the order of lines is free):
 * plan entries name existing destinations, rates and timings, with one entry per (plan,
 * destination, timing) and distinct weights per (plan, destination) so one entry always wins;
 * activations name existing plans, one per service and moment. Returns the good plans.
 */
export function checkReferences(
  records: TariffRecords,
  reportAt: (line: number, field: string, reason: string) => void,
): RatingPlan[] {
  const plans = new Map<string, PlanEntry[]>();
  const weightsSeen = new Map<string, number>();
  const timingsSeen = new Map<string, number>();
  for (const { line, value } of records.entries) {
    let good = true;
    const exists = (kind: string, known: boolean, field: string, id: string): void => {
      if (known) return;
      good = false;
      if (!records.brokenIds.has(`${kind}:${id}`))
        reportAt(line, field, `no ${kind} ${id} in the file`);
    };
    exists(
      'destination',
      records.destinations.has(value.destinationId),
      'destination_id',
      value.destinationId,
    );
    exists('rate', records.rates.has(value.rateId), 'rate_id', value.rateId);
    exists('timing', records.timings.has(value.timingId), 'timing_id', value.timingId);

    const key = `${value.planId}\u0000${value.destinationId}`;
    const sameTiming = timingsSeen.get(`${key}\u0000${value.timingId}`);
    const sameWeight = weightsSeen.get(`${key}\u0000${value.weight}`);
    if (sameTiming !== undefined) {
      reportAt(
        line,
        'timing_id',
        `plan ${value.planId} already prices ${value.destinationId} at ${value.timingId} on line ${sameTiming}`,
      );
      good = false;
    } else if (sameWeight !== undefined) {
      reportAt(
        line,
        'weight',
        `plan ${value.planId} already has weight ${value.weight} for ${value.destinationId} on line ${sameWeight}; weights must differ so one entry wins`,
      );
      good = false;
    }
    if (!good) continue;
    timingsSeen.set(`${key}\u0000${value.timingId}`, line);
    weightsSeen.set(`${key}\u0000${value.weight}`, line);
    const list = plans.get(value.planId) ?? [];
    list.push({
      destinationId: value.destinationId,
      rateId: value.rateId,
      timingId: value.timingId,
      weight: value.weight,
    });
    plans.set(value.planId, list);
  }

  const activationsSeen = new Map<string, number>();
  for (const { line, value } of records.activations) {
    if (!records.namedPlans.has(value.planId)) {
      reportAt(line, 'plan_id', `no plan ${value.planId} in the file`);
      continue;
    }
    const key = `${value.service}\u0000${value.activatesAtMs}`;
    const earlier = activationsSeen.get(key);
    if (earlier !== undefined) {
      reportAt(
        line,
        'activates_at',
        `${value.service} already has a plan activating at that time on line ${earlier}`,
      );
      continue;
    }
    activationsSeen.set(key, line);
  }
  return [...plans].map(([id, entries]) => ({ id, entries }));
}
