// Repo hygiene checks over src/ and test/ (.ts files). Each finding is reported as file:line.
//
// Rules
//   only-in-tests    `.only(` (or node:test `only: true`) in test files
//   fix-me           the fix-me marker anywhere (raw text, comments included)
//   impure-time      `Date.now()` / argument-less `new Date()` in src/ledger/**, src/kernel/money.ts,
//                    *-rules.ts, *-pure.ts (pure code takes time as an argument)
//   float-money      `parseFloat(` / `Number(` applied to amount/balance/Minor identifiers, and
//                    float literals on lines that mention `Minor` (src/ only: money is bigint minor units)
//   console-log      `console.log(` in src/ outside src/main/
//
// Apart from the fix-me rule, matching runs on a "code mask" of the file: comments, string literal
// contents and regex literal bodies are blanked, so prose and error messages do not trip the rules.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import type { Dirent } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Violation {
  file: string;
  line: number;
  rule: string;
  text: string;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SCAN_DIRS = ['src', 'test'];

// Built from pieces so that this file does not flag itself.
const FIX_ME = ['FIX', 'ME'].join('');

const REGEX_PRECEDERS = new Set('(,=:[!&|?{};+-*%<>~^'.split(''));
const REGEX_KEYWORDS =
  /\b(?:return|typeof|case|do|else|in|of|void|yield|await|delete|throw|new|instanceof)\s*$/;

/**
 * Same-length copy of `source` with comments, string/template literal text and regex literal bodies
 * replaced by spaces (newlines kept, so line numbers line up). `${...}` inside templates stays code.
 */
export function codeMask(source: string): string {
  const out: string[] = [];
  // Mode stack: 'code' frames carry a brace depth so we know when `}` closes a `${`.
  type Frame = { mode: 'code'; depth: number } | { mode: 'template' };
  const stack: Frame[] = [{ mode: 'code', depth: 0 }];
  const blank = (c: string): string => (c === '\n' ? '\n' : ' ');
  let lastSignificant = ''; // last non-space code char emitted (for regex-vs-division)
  let i = 0;
  const n = source.length;

  while (i < n) {
    const c = source.charAt(i);
    const next = source.charAt(i + 1);
    const top = stack[stack.length - 1] ?? { mode: 'code', depth: 0 };

    if (top.mode === 'template') {
      if (c === '\\') {
        out.push(' ', blank(next));
        i += 2;
      } else if (c === '`') {
        out.push('`');
        stack.pop();
        lastSignificant = '`';
        i += 1;
      } else if (c === '$' && next === '{') {
        out.push('${');
        stack.push({ mode: 'code', depth: 0 });
        lastSignificant = '{';
        i += 2;
      } else {
        out.push(blank(c));
        i += 1;
      }
      continue;
    }

    // code mode
    if (c === '/' && next === '/') {
      while (i < n && source.charAt(i) !== '\n') {
        out.push(' ');
        i += 1;
      }
      continue;
    }
    if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      for (; i < stop; i++) out.push(blank(source.charAt(i)));
      continue;
    }
    if (c === "'" || c === '"') {
      out.push(c);
      i += 1;
      while (i < n && source.charAt(i) !== c && source.charAt(i) !== '\n') {
        if (source.charAt(i) === '\\') {
          out.push(' ');
          i += 1;
        }
        if (i < n) out.push(blank(source.charAt(i)));
        i += 1;
      }
      if (i < n && source.charAt(i) === c) {
        out.push(c);
        i += 1;
      }
      lastSignificant = c;
      continue;
    }
    if (c === '`') {
      out.push('`');
      stack.push({ mode: 'template' });
      i += 1;
      continue;
    }
    if (c === '/') {
      const before = out.slice(-40).join('');
      const isRegex =
        lastSignificant === '' ||
        REGEX_PRECEDERS.has(lastSignificant) ||
        REGEX_KEYWORDS.test(before);
      if (isRegex) {
        out.push('/');
        i += 1;
        let inClass = false;
        while (i < n && source.charAt(i) !== '\n') {
          const r = source.charAt(i);
          if (r === '\\') {
            out.push(' ', blank(source.charAt(i + 1)));
            i += 2;
            continue;
          }
          if (r === '[') inClass = true;
          else if (r === ']') inClass = false;
          else if (r === '/' && !inClass) break;
          out.push(' ');
          i += 1;
        }
        if (i < n && source.charAt(i) === '/') {
          out.push('/');
          i += 1;
        }
        lastSignificant = '/';
        continue;
      }
    }
    if (top.mode === 'code' && stack.length > 1) {
      if (c === '{') top.depth += 1;
      else if (c === '}') {
        if (top.depth === 0) {
          stack.pop(); // back into the enclosing template
          out.push('}');
          i += 1;
          continue;
        }
        top.depth -= 1;
      }
    }
    out.push(c);
    if (!/\s/.test(c)) lastSignificant = c;
    i += 1;
  }
  return out.join('');
}

const isTestFile = (file: string): boolean => file.startsWith('test/') || file.endsWith('.test.ts');

const mustBePure = (file: string): boolean =>
  file.startsWith('src/ledger/') ||
  file === 'src/kernel/money.ts' ||
  file.endsWith('-rules.ts') ||
  file.endsWith('-pure.ts');

const MONEY_IDENT = /amount|Amount|balance|Balance|Minor/;
const FLOAT_LITERAL = /(?<![\w$.])(?:\d[\d_]*\.\d[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?(?![\w$])/;
const NOW_CALL = /\bDate\s*\.\s*now\s*\(\s*\)|\bnew\s+Date\b\s*(?:\(\s*\)|(?![\s(]))/;

/** Text between the `(` at `open` and its matching `)` on the same (masked) line. */
function callArgument(line: string, open: number): string {
  let depth = 0;
  for (let j = open; j < line.length; j++) {
    const ch = line.charAt(j);
    if (ch === '(') depth += 1;
    else if (ch === ')') {
      depth -= 1;
      if (depth === 0) return line.slice(open + 1, j);
    }
  }
  return line.slice(open + 1);
}

function floatConversionOfMoney(code: string): boolean {
  for (const m of code.matchAll(/\b(?:parseFloat|Number)\s*\(/g)) {
    const arg = callArgument(code, (m.index ?? 0) + m[0].length - 1);
    const idents = arg.match(/[A-Za-z_$][\w$]*/g) ?? [];
    if (idents.some((id) => MONEY_IDENT.test(id))) return true;
  }
  return false;
}

/** Pure scanner: `file` is the repo-relative posix path (decides which rules apply). */
export function scanSource(file: string, source: string): Violation[] {
  const found: Violation[] = [];
  const rawLines = source.split('\n');
  const codeLines = codeMask(source).split('\n');
  const inSrc = file.startsWith('src/');
  const inTest = isTestFile(file);
  const pure = mustBePure(file);
  const consoleBanned = inSrc && !file.startsWith('src/main/');

  rawLines.forEach((raw, idx) => {
    const code = codeLines[idx] ?? '';
    const report = (rule: string): void => {
      found.push({ file, line: idx + 1, rule, text: raw.trim() });
    };
    if (raw.includes(FIX_ME)) report('fix-me');
    if (inTest && (/\.\s*only\s*\(/.test(code) || /\bonly\s*:\s*true\b/.test(code))) {
      report('only-in-tests');
    }
    if (pure && NOW_CALL.test(code)) report('impure-time');
    if (inSrc && floatConversionOfMoney(code)) report('float-money');
    else if (inSrc && raw.includes('Minor') && FLOAT_LITERAL.test(code)) report('float-money');
    if (consoleBanned && /\bconsole\s*\.\s*log\s*\(/.test(code)) report('console-log');
  });
  return found;
}

function walkTs(dir: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return []; // directory not created yet
  }
  const files: string[] = [];
  for (const e of entries) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) files.push(...walkTs(full));
    else if (e.isFile() && e.name.endsWith('.ts')) files.push(full);
  }
  return files;
}

export function scanRepo(root: string = ROOT): Violation[] {
  return SCAN_DIRS.flatMap((d) => walkTs(join(root, d)))
    .map((full) => relative(root, full).split(sep).join('/'))
    .sort()
    .flatMap((file) => scanSource(file, readFileSync(join(root, file), 'utf8')));
}

const format = (vs: Violation[]): string =>
  vs.map((v) => `${v.file}:${v.line} [${v.rule}] ${v.text}`).join('\n');

// ---------------------------------------------------------------------------------------------

test('scanner: flags each rule with file:line', () => {
  const ledger = [
    "import { x } from './x.ts';",
    'export const postedAt = Date.now();',
    'const t = new Date();',
    'const ok = new Date(at);',
    'const amt = parseFloat(input.amountMinor);',
    'const fee = Number(balance) * 2;',
    'const halfMinor = 0.5;',
    'console.log(fee);',
    `// ${FIX_ME}: later`,
  ].join('\n');
  const got = scanSource('src/ledger/post.ts', ledger).map((v) => `${v.line}:${v.rule}`);
  assert.deepEqual(got, [
    '2:impure-time',
    '3:impure-time',
    '5:float-money',
    '6:float-money',
    '7:float-money',
    '8:console-log',
    '9:fix-me',
  ]);

  const spec = ["test.only('x', () => {});", "describe('y', { only: true }, () => {});"].join('\n');
  assert.deepEqual(
    scanSource('test/ledger/post.test.ts', spec).map((v) => `${v.file}:${v.line}:${v.rule}`),
    ['test/ledger/post.test.ts:1:only-in-tests', 'test/ledger/post.test.ts:2:only-in-tests'],
  );

  assert.deepEqual(
    scanSource('src/charging/tariff-rules.ts', 'const now = new Date;').map((v) => v.rule),
    ['impure-time'],
  );
  assert.deepEqual(
    scanSource('src/kernel/money.ts', 'export const t = () => Date.now();').map((v) => v.rule),
    ['impure-time'],
  );
  // the repo-level check must be able to fail: a formatted violation names file:line
  assert.match(format(scanSource('src/cards/x.ts', '\nconsole.log(1)')), /^src\/cards\/x\.ts:2 /);
});

test('scanner: allowed patterns stay quiet', () => {
  const src = [
    'const at = Date.now(); // impure code outside the pure set is fine',
    "const msg = 'never call Number(amount) or console.log( or test.only(';",
    'const re = /console\\.log\\(|0\\.5/;',
    'const n = Number(count);',
    'const ratio = 0.5; // no money mentioned here',
    'const big = BigNumber(amountMinor);',
    'const tpl = `rate ${Number(rate)} of 0.25 Minor`;',
  ].join('\n');
  assert.deepEqual(scanSource('src/cards/issue.ts', src), []);
  assert.deepEqual(scanSource('src/main/cli.ts', 'console.log(`hi ${name}`);'), []);
  assert.deepEqual(scanSource('src/ledger/post.ts', 'const t = new Date(nowMs);'), []);
  assert.deepEqual(scanSource('src/ledger/post.ts', 'const t = new DateTime();'), []);
  // money rules are src-only; tests may convert for assertions
  assert.deepEqual(scanSource('test/ledger/post.test.ts', 'Number(balance);'), []);
});

test('code mask keeps template expressions and line numbers', () => {
  const src = 'a(`x ${b(`y ${c}`)} z`); // d\n/* e\n f */ g("h");';
  const masked = codeMask(src);
  assert.equal(masked.length, src.length);
  assert.equal(masked.split('\n').length, src.split('\n').length);
  assert.match(masked, /\$\{b\(` {2}\$\{c\}`\)\}/);
  assert.doesNotMatch(masked, /[dehf]/);
  assert.match(masked, /g\(" "\);$/);
});

test('repo: src/ and test/ are tidy', () => {
  const violations = scanRepo();
  assert.equal(violations.length, 0, `tidy violations:\n${format(violations)}`);
});
