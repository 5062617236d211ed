import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { TEST_CARDS, type CardBehaviour } from '../../src/acquirer/index.ts';

/** docs/sandbox-acquirer.md's test-card table must say what the acquirer does. */
const DOC = readFileSync(new URL('../../docs/sandbox-acquirer.md', import.meta.url), 'utf8');

function describeBehaviour(behaviour: CardBehaviour): string {
  switch (behaviour.kind) {
    case 'approve':
      return 'approve';
    case 'decline':
      return `decline ${behaviour.declineCode}`;
    case 'slow':
      return 'slow answer';
    case 'lost':
      return 'lost answer';
  }
}

test('the documented test cards are exactly the acquirer’s', () => {
  const lines = DOC.split('\n');
  const start = lines.indexOf('## Test cards');
  assert.notEqual(start, -1, 'a "## Test cards" section');
  const documented = new Map<string, string>();
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('## ')) break;
    const cells = line.split('|').map((cell) => cell.trim());
    const number = /^`([0-9 ]+)`$/.exec(cells[1] ?? '')?.[1];
    if (number === undefined) continue;
    documented.set(number.replace(/ /g, ''), (cells[2] ?? '').replace(/`/g, ''));
  }
  const actual = new Map([...TEST_CARDS].map(([number, b]) => [number, describeBehaviour(b)]));
  assert.deepEqual(documented, actual);
});
