import type { DiameterLog } from '../../../../src/protocols/diameter/index.ts';

export interface LogEntry {
  readonly level: 'info' | 'warn' | 'error';
  readonly msg: string;
  readonly fields: object;
}

/** A DiameterLog that keeps every entry, so tests can read the log and search it for secrets. */
export function captureLog(): { log: DiameterLog; entries: LogEntry[]; text: () => string } {
  const entries: LogEntry[] = [];
  const at = (level: LogEntry['level']) => (fields: object, msg: string) => {
    entries.push({ level, msg, fields });
  };
  return {
    log: { info: at('info'), warn: at('warn'), error: at('error') },
    entries,
    text: () =>
      JSON.stringify(entries, (_key, value: unknown) =>
        typeof value === 'bigint' ? value.toString() : value,
      ),
  };
}
