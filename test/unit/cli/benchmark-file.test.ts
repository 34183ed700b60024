import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { batchItems } from '../../../cli/batches.js';
import { formatOf, openBenchmarkFile, type BenchmarkFileFormat, type SourceItem } from '../../../cli/benchmark-file.js';
import { tempEnv } from './support.js';

let temp: ReturnType<typeof tempEnv>;
beforeEach(() => {
  temp = tempEnv();
});
afterEach(() => temp.cleanup());

function file(name: string, content: string): string {
  const path = join(temp.dir, name);
  writeFileSync(path, content);
  return path;
}

async function read(name: string, content: string, format: BenchmarkFileFormat = formatOf(name)) {
  const opened = await openBenchmarkFile(file(name, content), format);
  const items: SourceItem[] = [];
  for await (const item of opened.items) items.push(item);
  return { header: opened.header, items, totalBytes: opened.totalBytes };
}

describe('formatOf', () => {
  it('tells the format from the extension, or asks for --format', () => {
    expect([formatOf('a.jsonl'), formatOf('a.NDJSON'), formatOf('a.csv'), formatOf('a.json')]).toEqual(['jsonl', 'jsonl', 'csv', 'json']);
    expect(formatOf('a.txt', 'csv')).toBe('csv');
    expect(() => formatOf('a.txt')).toThrow('add --format');
  });
});

describe('JSONL', () => {
  it('takes a first line that names the benchmark as its header, then one item per line', async () => {
    const { header, items, totalBytes } = await read(
      'b.jsonl',
      '{"name":"Sums","task_type":"exact_answer"}\n{"input":"1+1","expected":"2"}\n\n{"input":"2+2","expected":"4"}\n',
    );

    expect(header).toEqual({ name: 'Sums', task_type: 'exact_answer' });
    expect(items.map((item) => [item.location, item.item.input])).toEqual([
      ['line 2', '1+1'],
      ['line 4', '2+2'],
    ]);
    expect(items.at(-1)!.bytesRead).toBe(totalBytes);
  });

  it('reads a file of items alone, without a header', async () => {
    const { header, items } = await read('b.jsonl', '{"input":"a"}\n{"input":"b","choices":["x","y"]}');
    expect(header).toEqual({});
    expect(items.map((item) => item.item)).toEqual([{ input: 'a' }, { input: 'b', choices: ['x', 'y'] }]);
  });

  it('reads chat items, and does not mistake one with messages for the header', async () => {
    const { header, items } = await read(
      'b.jsonl',
      '{"name":"Chat","system_prompt":"Be brief."}\n{"messages":[{"role":"user","content":"hi"}],"expected":"hello","name":"x"}\n',
    );
    expect(header).toEqual({ name: 'Chat', system_prompt: 'Be brief.' });
    expect(items.map((item) => item.item.messages)).toEqual([[{ role: 'user', content: 'hi' }]]);
  });

  it('names the line that is not JSON, or has no input', async () => {
    await expect(read('b.jsonl', '{"input":"a"}\n{"input":\n')).rejects.toThrow('line 2 is not valid JSON');
    await expect(read('b.jsonl', '{"input":"a"}\n{"question":"b"}\n')).rejects.toThrow('line 2 has no "input"');
  });
});

describe('CSV', () => {
  it('maps the documented columns, splits choices, keeps other columns as metadata and leaves empty cells out', async () => {
    const { items } = await read(
      'b.csv',
      '\uFEFFid,input,expected,choices,topic\nq1,"Say ""hi"", then\nstop",hi,,greeting\nq2,Pick one,B,Paris|Lyon,geo\nq3,Pick again,A,"[""x, y"",""z""]",\n',
    );

    expect(items.map((item) => item.item)).toEqual([
      { id: 'q1', input: 'Say "hi", then\nstop', expected: 'hi', metadata: { topic: 'greeting' } },
      { id: 'q2', input: 'Pick one', expected: 'B', choices: ['Paris', 'Lyon'], metadata: { topic: 'geo' } },
      { id: 'q3', input: 'Pick again', expected: 'A', choices: ['x, y', 'z'] },
    ]);
    expect(items.map((item) => item.location)).toEqual(['line 3', 'line 4', 'line 5']);
  });

  it('refuses a file without an input column, naming the columns it has', async () => {
    await expect(read('b.csv', 'question,answer\nq,a\n')).rejects.toThrow('has no "input" (or "messages") column (its columns: question, answer)');
  });

  it('reads a chat item from a messages column of JSON turns, with or without an input', async () => {
    const turns = JSON.stringify([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Capital of France?' },
    ]).replaceAll('"', '""');
    const { items } = await read('b.csv', `id,messages,expected\nc1,"${turns}",Paris\n`);
    expect(items.map((item) => item.item)).toEqual([
      {
        id: 'c1',
        expected: 'Paris',
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Capital of France?' },
        ],
      },
    ]);
    await expect(read('b.csv', 'id,messages\nc1,[{oops\n')).rejects.toThrow('the messages on line 2 is not valid JSON');
  });

  it('reports a malformed CSV as an error of the file', async () => {
    await expect(read('b.csv', 'input,expected\n"unclosed,1\n')).rejects.toThrow('is not valid CSV');
  });
});

describe('JSON', () => {
  it('reads the create request shape or a bare array of items', async () => {
    const asObject = await read('b.json', JSON.stringify({ name: 'N', task_type: 'free_text', description: 'd', items: [{ input: 'a' }] }));
    const asArray = await read('b.json', JSON.stringify([{ input: 'a' }, { input: 'b' }]));

    expect(asObject.header).toEqual({ name: 'N', task_type: 'free_text', description: 'd' });
    expect(asObject.items.map((item) => item.item)).toEqual([{ input: 'a' }]);
    expect(asArray.items.map((item) => item.location)).toEqual(['item 1', 'item 2']);
  });
});

describe('batchItems', () => {
  async function* source(count: number, inputBytes = 10): AsyncGenerator<SourceItem> {
    for (let index = 0; index < count; index += 1)
      yield { item: { input: 'x'.repeat(inputBytes) }, location: `line ${index + 1}`, bytesRead: index + 1 };
  }
  const collect = async <T>(iterable: AsyncIterable<T>) => {
    const all: T[] = [];
    for await (const value of iterable) all.push(value);
    return all;
  };

  it('cuts batches at the item count and at the body size, keeping every item once and in order', async () => {
    const byCount = await collect(batchItems(source(7), { maxItems: 3, maxBytes: 1e6, maxItemBytes: 1000 }));
    const bySize = await collect(batchItems(source(5, 100), { maxItems: 100, maxBytes: 250, maxItemBytes: 1000 }));

    expect(byCount.map((batch) => batch.items.length)).toEqual([3, 3, 1]);
    expect(byCount.flatMap((batch) => batch.locations)).toEqual(['line 1', 'line 2', 'line 3', 'line 4', 'line 5', 'line 6', 'line 7']);
    expect(byCount.map((batch) => batch.bytesRead)).toEqual([3, 6, 7]);
    expect(bySize.map((batch) => batch.items.length)).toEqual([2, 2, 1]);
  });

  it('stops at an item over the per-item limit, naming its line, before sending it', async () => {
    await expect(collect(batchItems(source(2, 500), { maxItems: 10, maxBytes: 1e6, maxItemBytes: 100 }))).rejects.toThrow(
      /^line 1: the item is \d+ bytes; the limit is 100 bytes per item$/,
    );
  });
});
