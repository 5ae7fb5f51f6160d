import { describe, expect, it } from 'vitest';
import { DatasetFileError } from '../src/main/data/errors';
import { joinLabels, parseCsv } from '../src/main/data/labels';
import { splitTrainTest } from '../src/main/data/split';

describe('parseCsv', () => {
  it('handles quotes, escaped quotes, embedded newlines, CRLF, BOM and blank lines', () => {
    const text = '\uFEFFfile,label,note\r\n"a,b.png",1,"said ""hi""\nthen left"\r\n\r\nplain.png, 0 ,\r\n';
    expect(parseCsv(text, 'l.csv')).toEqual({
      columns: ['file', 'label', 'note'],
      rows: [
        ['a,b.png', '1', 'said "hi"\nthen left'],
        ['plain.png', '0', ''],
      ],
    });
  });

  it('sniffs semicolon and tab delimiters', () => {
    expect(parseCsv('file;label\nx.png;3\n', 's.csv').rows).toEqual([['x.png', '3']]);
    expect(parseCsv('file\tlabel\nx.png\t3\n', 't.csv').rows).toEqual([['x.png', '3']]);
  });

  it('names the file and line of malformed input', () => {
    expect(() => parseCsv('file,label\n"x.png,1\n', 'bad.csv')).toThrow(DatasetFileError);
    expect(() => parseCsv('file,label\n"x.png,1\n', 'bad.csv')).toThrow(/^bad\.csv: line 2: unterminated quoted field$/);
    expect(() => parseCsv('file,label\nx.png,1,extra\n', 'wide.csv')).toThrow(/line 2 has 3 fields, the header has 2/);
    expect(() => parseCsv('', 'empty.csv')).toThrow(/empty CSV/);
  });
});

describe('joinLabels', () => {
  it('joins Galaxy Zoo OBJIDs (beyond 2^53) to images by basename without extension', () => {
    const table = parseCsv('OBJID,CLASS\n587722952767439450,0\n587722952767439451,5\n588848901537202306,3\n', 'labels.csv');
    const files = ['images/587722952767439450.jpg', 'images/587722952767439451.jpg', 'images/587722952767439452.jpg'];
    const join = joinLabels(table, files, 'labels.csv');
    expect(join.keyColumn).toBe('OBJID');
    expect(join.labelColumn).toBe('CLASS');
    expect(join.labels.get('images/587722952767439450.jpg')).toBe('0');
    expect(join.labels.get('images/587722952767439451.jpg')).toBe('5'); // differs from ...450 only beyond 2^53
    expect(join.unmatchedKeys).toEqual(['588848901537202306']);
    expect(join.unlabelledFiles).toEqual(['images/587722952767439452.jpg']);
  });

  it('matches navcam-style file columns by basename, preferring novel over target', () => {
    const table = parseCsv('file,sol,target,novel\nSOL1-112.png,1343,112,0\nSOL1-45.png,1343,45,1\n', 'labels.csv');
    const join = joinLabels(table, ['images/SOL1-112.png', 'images/SOL1-45.png'], 'labels.csv');
    expect(join.labelColumn).toBe('novel');
    expect([...join.labels.entries()]).toEqual([
      ['images/SOL1-112.png', '0'],
      ['images/SOL1-45.png', '1'],
    ]);
  });

  it('matches relative paths exactly and reports ambiguous basenames and conflicts', () => {
    const table = parseCsv('path,label\n./a/x.png,cat\nx.png,dog\nb\\y.png,1\nb/y.png,2\n', 'l.csv');
    const join = joinLabels(table, ['a/x.png', 'b/x.png', 'b/y.png'], 'l.csv');
    expect(join.labels.get('a/x.png')).toBe('cat');
    expect(join.ambiguousKeys).toEqual(['x.png']);
    expect(join.labels.get('b/y.png')).toBe('1');
    expect(join.conflictingKeys).toEqual(['b/y.png']);
    expect(join.unlabelledFiles).toEqual(['b/x.png']);
  });

  it('honours explicit columns and names missing ones', () => {
    const table = parseCsv('name,target,label\nx.png,7,9\n', 'l.csv');
    expect(joinLabels(table, ['x.png'], 'l.csv').labels.get('x.png')).toBe('9');
    expect(joinLabels(table, ['x.png'], 'l.csv', { labelColumn: 'TARGET' }).labels.get('x.png')).toBe('7');
    expect(() => joinLabels(table, ['x.png'], 'l.csv', { keyColumn: 'objid' })).toThrow(/^l\.csv: no image key column named "objid" \(columns: name, target, label\)$/);
    expect(() => joinLabels(parseCsv('a,b\n1,2\n', 'n.csv'), [], 'n.csv')).toThrow(/cannot tell which column holds the image key/);
  });
});

describe('splitTrainTest', () => {
  it('is seeded, disjoint and covers every item', () => {
    const first = splitTrainTest(100, { testFraction: 0.3, seed: 42 });
    expect(splitTrainTest(100, { testFraction: 0.3, seed: 42 })).toEqual(first);
    expect(splitTrainTest(100, { testFraction: 0.3, seed: 43 })).not.toEqual(first);
    expect(first.test).toHaveLength(30);
    expect(first.train).toHaveLength(70);
    expect(new Set([...first.train, ...first.test]).size).toBe(100);
    expect(first.train.some((i) => first.test.includes(i))).toBe(false);
    expect(first.train).toEqual([...first.train].sort((a, b) => a - b));
  });

  it('stratifies by label, keeping rare classes in both sets', () => {
    const labels = Array.from({ length: 200 }, (_, i) => (i < 20 ? 'odd' : i < 190 ? 'normal' : null));
    const { train, test } = splitTrainTest(200, { testFraction: 0.25, seed: 1, stratifyBy: labels });
    expect(test).toHaveLength(50);
    expect(test.filter((i) => labels[i] === 'odd')).toHaveLength(5);
    expect(train.filter((i) => labels[i] === 'odd')).toHaveLength(15);
    expect(test.filter((i) => labels[i] === null).length).toBeGreaterThanOrEqual(2);
  });

  it('handles edge cases', () => {
    expect(splitTrainTest(0, { testFraction: 0.5, seed: 1 })).toEqual({ train: [], test: [] });
    expect(splitTrainTest(1, { testFraction: 0.9, seed: 1 })).toEqual({ train: [0], test: [] });
    expect(splitTrainTest(5, { testFraction: 0, seed: 1 }).test).toEqual([]);
    expect(() => splitTrainTest(5, { testFraction: 1, seed: 1 })).toThrow(/testFraction/);
    expect(() => splitTrainTest(3, { testFraction: 0.5, seed: 1, stratifyBy: ['a'] })).toThrow(/1 labels for 3 items/);
  });
});
