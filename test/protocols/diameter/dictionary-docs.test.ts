import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DICTIONARY, diameterLimits } from '../../../src/protocols/diameter/index.ts';

/** docs/diameter.md lists the AVP dictionary and the limits exactly as the code has them. */
const DOC = readFileSync(
  fileURLToPath(new URL('../../../docs/diameter.md', import.meta.url)),
  'utf8',
);

/** Body rows of the first pipe table after `heading`, as trimmed cells. */
function tableAfter(heading: string): string[][] {
  const lines = DOC.split('\n');
  const start = lines.findIndex((line) => line.trim() === heading);
  assert.notEqual(start, -1, `docs/diameter.md has no "${heading}"`);
  const rows: string[][] = [];
  let inTable = false;
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('|')) {
      inTable = true;
      rows.push(
        line
          .replace(/^\||\|$/g, '')
          .split('|')
          .map((cell) => cell.trim()),
      );
    } else if (inTable) {
      break;
    }
  }
  return rows.slice(2); // header and separator
}

test('the "AVP dictionary" table matches DICTIONARY', () => {
  const documented = tableAfter('## AVP dictionary').map((row) => row.join(' | '));
  const expected = Object.entries(DICTIONARY).map(([name, def]) =>
    [
      `\`${name}\``,
      String(def.code),
      String(def.vendorId),
      def.type,
      def.mandatory,
      'values' in def ? def.values.join(', ') : '',
    ].join(' | '),
  );
  assert.deepEqual(documented, expected);
});

test('the "Limits" table matches diameterLimits', () => {
  const documented = tableAfter('### Limits').map((row) => [row[0], row[1]?.replace(/,/g, '')]);
  const expected = Object.entries(diameterLimits).map(([name, value]) => [
    `\`${name}\``,
    String(value),
  ]);
  assert.deepEqual(documented, expected);
});
