import type { Avp, AvpValueByType } from './avp.ts';
import { DICTIONARY, type AvpName } from './dictionary.ts';

/** The value type of a named AVP, e.g. ValueOf<'CC-Time'> = number. */
export type ValueOf<N extends AvpName> = AvpValueByType[(typeof DICTIONARY)[N]['type']];

/** An AVP by dictionary name, flagged as its definition says (V when vendor-specific, M when 'must'). */
export function avp<N extends AvpName>(name: N, value: ValueOf<N>): Avp {
  const def = DICTIONARY[name];
  return {
    code: def.code,
    vendorId: def.vendorId,
    mandatory: def.mandatory === 'must',
    protected: false,
    type: def.type,
    value,
  } as Avp;
}

/** True when this AVP is the named one (same code and vendor) and was decoded with its type. */
export function isAvp(item: Avp, name: AvpName): boolean {
  const def = DICTIONARY[name];
  return item.code === def.code && item.vendorId === def.vendorId && item.type === def.type;
}

/** Values of every AVP with this name among `avps` (one level, not inside groups), in order. */
export function allValues<N extends AvpName>(avps: readonly Avp[], name: N): ValueOf<N>[] {
  const out: ValueOf<N>[] = [];
  for (const item of avps) if (isAvp(item, name)) out.push(item.value as ValueOf<N>);
  return out;
}

/** The value of the first AVP with this name, or undefined. */
export function firstValue<N extends AvpName>(
  avps: readonly Avp[],
  name: N,
): ValueOf<N> | undefined {
  for (const item of avps) if (isAvp(item, name)) return item.value as ValueOf<N>;
  return undefined;
}

/** How many AVPs with this name (of any type, so a raw undecodable one counts too). */
export function countAvps(avps: readonly Avp[], name: AvpName): number {
  const def = DICTIONARY[name];
  return avps.filter((item) => item.code === def.code && item.vendorId === def.vendorId).length;
}
