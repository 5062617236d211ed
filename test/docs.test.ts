// Keeps docs/ in step with the code: the error catalog, the ledger's result codes and chart of
// accounts are listed in Markdown tables that must match the lists in src/ exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CATALOG } from '../src/kernel/index.ts';
import { ACCOUNT_RESULTS, CHART, TRANSFER_RESULTS } from '../src/ledger/index.ts';

const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));

/** A doc page shorter than this is a stub, not documentation. */
const DOC_CHARS_MIN = 2_000;
const DOC_PAGES = ['architecture.md', 'ledger.md', 'errors.md', 'cards.md', 'operations.md'];

function readDoc(name: string): string {
  const path = `${DOCS}${name}`;
  assert.ok(existsSync(path), `docs/${name} is missing`);
  return readFileSync(path, 'utf8');
}

interface Table {
  /** Header cells, lower-cased, backticks removed. */
  readonly header: readonly string[];
  /** Body rows (separator row excluded), cells trimmed. */
  readonly rows: readonly (readonly string[])[];
}

/** Splits `| a | b \| c |` into ['a', 'b | c']; an escaped pipe stays inside its cell. */
function cells(line: string): string[] {
  const inner = line.trim().replace(/^\|/, '').replace(/\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim().replace(/\\\|/g, '|'));
}

/** The `| --- | :---: |` line under a table's header. */
const SEPARATOR = /^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?$/;

/** Every pipe table in a piece of Markdown, outside fenced code blocks. */
function tables(markdown: string): Table[] {
  const out: Table[] = [];
  let block: string[] = [];
  let fenced = false;
  const flush = (): void => {
    const [head, separator, ...body] = block;
    if (head !== undefined && separator !== undefined && SEPARATOR.test(separator.trim())) {
      out.push({
        header: cells(head).map((c) => c.replace(/`/g, '').toLowerCase()),
        rows: body.map(cells),
      });
    }
    block = [];
  };
  for (const line of markdown.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) {
      flush();
      fenced = !fenced;
      continue;
    }
    if (!fenced && line.trimStart().startsWith('|')) block.push(line);
    else flush();
  }
  flush();
  return out;
}

/** The text under a `## heading` up to the next heading of level 1 or 2. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split(/\r?\n/);
  const start = lines.findIndex((line) => line.trim() === heading);
  assert.notEqual(start, -1, `heading "${heading}" not found`);
  const rest = lines.slice(start + 1);
  const end = rest.findIndex((line) => /^#{1,2}\s/.test(line));
  return (end === -1 ? rest : rest.slice(0, end)).join('\n');
}

/** The code in a first cell written as `code`, or null for any other first cell. */
function codeCell(cell: string | undefined): string | null {
  const match = /^`([^`]+)`$/.exec(cell ?? '');
  return match?.[1] ?? null;
}

/** Codes of a table's rows, in order; rows whose first cell is not a backticked code are skipped. */
function codeColumn(table: Table): string[] {
  return table.rows.flatMap((row) => {
    const code = codeCell(row[0]);
    return code === null ? [] : [code];
  });
}

function onlyTable(markdown: string, where: string): Table {
  const found = tables(markdown);
  assert.equal(found.length, 1, `${where}: expected exactly one table, found ${found.length}`);
  const [table] = found;
  assert.ok(table !== undefined);
  return table;
}

function column(table: Table, name: string, where: string): number {
  const index = table.header.indexOf(name);
  assert.notEqual(index, -1, `${where}: no "${name}" column in [${table.header.join(', ')}]`);
  return index;
}

test('every doc page exists and is more than a stub', () => {
  for (const name of DOC_PAGES) {
    const text = readDoc(name);
    assert.ok(
      text.length >= DOC_CHARS_MIN,
      `docs/${name} has ${text.length} characters, fewer than ${DOC_CHARS_MIN}`,
    );
    assert.match(text, /^# \S/m, `docs/${name} has no title`);
    const sections = text.match(/^## \S/gm) ?? [];
    assert.ok(sections.length >= 3, `docs/${name} has ${sections.length} sections, fewer than 3`);
  }
});

test('docs/errors.md lists exactly the codes of ERROR_CATALOG, with their type and status', () => {
  const where = 'docs/errors.md "## Catalog"';
  const table = onlyTable(section(readDoc('errors.md'), '## Catalog'), where);
  const codeAt = column(table, 'code', where);
  const typeAt = column(table, 'type', where);
  const statusAt = column(table, 'status', where);
  assert.equal(codeAt, 0, `${where}: the code must be the first column`);

  const documented = new Map<string, { type: string; status: string }>();
  for (const row of table.rows) {
    const code = codeCell(row[codeAt]);
    assert.ok(code !== null, `${where}: first cell "${row[codeAt] ?? ''}" is not a \`code\``);
    assert.ok(!documented.has(code), `${where}: ${code} is listed twice`);
    documented.set(code, {
      type: (row[typeAt] ?? '').replace(/`/g, ''),
      status: (row[statusAt] ?? '').replace(/`/g, ''),
    });
  }

  const catalog = Object.entries(ERROR_CATALOG) as [string, { type: string; status: number }][];
  for (const [code, spec] of catalog) {
    const doc = documented.get(code);
    assert.ok(doc !== undefined, `${where}: ${code} is in ERROR_CATALOG but not documented`);
    assert.equal(doc.type, spec.type, `${where}: ${code} has the wrong type`);
    assert.equal(doc.status, String(spec.status), `${where}: ${code} has the wrong status`);
  }
  const known = new Set(catalog.map(([code]) => code));
  const extra = [...documented.keys()].filter((code) => !known.has(code));
  assert.deepEqual(extra, [], `${where}: documented codes that ERROR_CATALOG does not have`);
});

test('docs/ledger.md "## Result codes" lists TRANSFER_RESULTS in order', () => {
  const where = 'docs/ledger.md "## Result codes"';
  const table = onlyTable(section(readDoc('ledger.md'), '## Result codes'), where);
  assert.deepEqual(codeColumn(table), [...TRANSFER_RESULTS], `${where} differs from the code`);
  assert.equal(table.rows.length, TRANSFER_RESULTS.length, `${where}: rows without a \`code\``);
});

test('docs/ledger.md "## Account result codes" lists ACCOUNT_RESULTS in order', () => {
  const where = 'docs/ledger.md "## Account result codes"';
  const table = onlyTable(section(readDoc('ledger.md'), '## Account result codes'), where);
  assert.deepEqual(codeColumn(table), [...ACCOUNT_RESULTS], `${where} differs from the code`);
  assert.equal(table.rows.length, ACCOUNT_RESULTS.length, `${where}: rows without a \`code\``);
});

test('docs/ledger.md "## Chart of accounts" matches CHART (codes, normal side, system)', () => {
  const where = 'docs/ledger.md "## Chart of accounts"';
  const table = onlyTable(section(readDoc('ledger.md'), '## Chart of accounts'), where);
  const normalAt = column(table, 'normal', where);
  const systemAt = column(table, 'system', where);
  const documented = table.rows.map((row) => ({
    code: codeCell(row[0]),
    normal: row[normalAt] ?? '',
    system: row[systemAt] ?? '',
  }));
  const expected = Object.entries(CHART).map(([code, spec]) => ({
    code,
    normal: spec.normal,
    system: spec.system ? 'yes' : 'no',
  }));
  assert.deepEqual(documented, expected, `${where} differs from CHART`);
});

test('the table parser handles escaped pipes, fences and code cells', () => {
  const markdown = [
    '| code | meaning |',
    '| --- | --- |',
    '| `a` | one \\| two |',
    '| b | not a code |',
    '',
    '```',
    '| `ignored` | inside a fence |',
    '```',
  ].join('\n');
  const found = tables(markdown);
  assert.equal(found.length, 1);
  assert.deepEqual(found[0]?.rows[0], ['`a`', 'one | two']);
  assert.deepEqual(codeColumn(found[0]), ['a']);
});
