import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCsv } from '../../src/charging/index.ts';

const rows = (text: string, options = {}) => {
  const r = parseCsv(text, options);
  return { records: r.records.map((x) => [x.line, ...x.fields]), problems: r.problems };
};

describe('parseCsv: strict RFC 4180 with line numbers', () => {
  test('plain records, LF and CRLF, empty fields, trailing comma, no final newline', () => {
    assert.deepEqual(rows('a,b,c\r\nd,,f\ng,h,\ni'), {
      records: [
        [1, 'a', 'b', 'c'],
        [2, 'd', '', 'f'],
        [3, 'g', 'h', ''],
        [4, 'i'],
      ],
      problems: [],
    });
    assert.deepEqual(rows('a,'), { records: [[1, 'a', '']], problems: [] });
  });

  test('quoted fields: commas, doubled quotes, line breaks (later lines keep their numbers)', () => {
    assert.deepEqual(rows('x,"a,b","say ""hi"""\n"two\nlines",y\r\nz,""\n'), {
      records: [
        [1, 'x', 'a,b', 'say "hi"'],
        [2, 'two\nlines', 'y'],
        [4, 'z', ''],
      ],
      problems: [],
    });
  });

  test('comments, blank lines and a byte-order mark, when asked for', () => {
    const text = '\uFEFF# header comment\n\na,b\n   \n#x,y\nc,d\n';
    assert.deepEqual(rows(text, { comments: true, skipBlankLines: true }), {
      records: [
        [3, 'a', 'b'],
        [6, 'c', 'd'],
      ],
      problems: [],
    });
    // Without the options a # line is a record and an empty line is one empty field.
    assert.deepEqual(rows('#a\n\n').records, [
      [1, '#a'],
      [2, ''],
    ]);
  });

  test('malformed records are reported by line and skipped; reading goes on', () => {
    const r = parseCsv('ok,1\nbad"quote,2\n"closed"junk,3\nlone\rcr,4\nstill,5\n');
    assert.deepEqual(
      r.records.map((x) => [x.line, ...x.fields]),
      [
        [1, 'ok', '1'],
        [5, 'still', '5'],
      ],
    );
    assert.deepEqual(r.problems, [
      { line: 2, reason: 'a quote inside unquoted field 1 (quote the whole field)' },
      { line: 3, reason: 'text after the closing quote of field 1' },
      { line: 4, reason: 'a carriage return that does not end the line' },
    ]);
  });

  test('an unterminated quote ends the reading at the record that opened it', () => {
    const r = parseCsv('a,1\nb,"open\nc,3\nd,4\n');
    assert.deepEqual(
      r.records.map((x) => x.line),
      [1],
    );
    assert.deepEqual(r.problems, [
      { line: 2, reason: 'a quoted field is not closed before the end of the file' },
    ]);
  });

  test('limits: field length and record count', () => {
    const long = parseCsv(`a,${'x'.repeat(11)}\nb,ok\n`, { fieldCharsMax: 10 });
    assert.deepEqual(
      long.records.map((x) => x.line),
      [2],
    );
    assert.deepEqual(long.problems, [{ line: 1, reason: 'field 2 is longer than 10 characters' }]);
    const many = parseCsv('a\nb\nc\n', { recordsMax: 2 });
    assert.equal(many.records.length, 2);
    assert.deepEqual(many.problems, [{ line: 3, reason: 'more than 2 records' }]);
  });

  test('empty input has no records', () => {
    assert.deepEqual(parseCsv(''), { records: [], problems: [] });
    assert.deepEqual(parseCsv('\uFEFF'), { records: [], problems: [] });
  });
});
