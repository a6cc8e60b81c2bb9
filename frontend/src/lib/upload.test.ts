import { describe, expect, it } from 'vitest';
import { multipartBody, readGraphQLAnswer } from './upload';

const QUERY = 'mutation ($file: Upload!, $start: String!) { importUsageCsv(file: $file, start: $start) { id } }';

describe('multipart request body', () => {
  it('follows the GraphQL multipart spec: operations with a null file, the map, then the file', async () => {
    const file = new File(['start_time,end_time\n'], 'export.csv', { type: 'text/csv' });
    const body = multipartBody(QUERY, { start: '2026-11-01', file: 'ignored' }, { file });
    expect([...body.keys()]).toEqual(['operations', 'map', '0']);
    expect(JSON.parse(body.get('operations') as string)).toEqual({
      query: QUERY,
      variables: { start: '2026-11-01', file: null },
    });
    expect(JSON.parse(body.get('map') as string)).toEqual({ '0': ['variables.file'] });
    const part = body.get('0') as File;
    expect(part.name).toBe('export.csv');
    expect(await part.text()).toBe('start_time,end_time\n');
  });

  it('prints a parsed document, and numbers several files in order', async () => {
    const { parse } = await import('graphql');
    const body = multipartBody(parse('mutation ($a: Upload!, $b: Upload!) { x(a: $a, b: $b) }'), {}, {
      a: new Blob(['1']),
      b: new File(['2'], 'b.csv'),
    });
    const operations = JSON.parse(body.get('operations') as string);
    expect(operations.query).toContain('mutation ($a: Upload!, $b: Upload!)');
    expect(operations.variables).toEqual({ a: null, b: null });
    expect(JSON.parse(body.get('map') as string)).toEqual({ '0': ['variables.a'], '1': ['variables.b'] });
    expect((body.get('0') as File).name).toBe('a');
    expect((body.get('1') as File).name).toBe('b.csv');
  });
});

describe('reading the answer', () => {
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

  it('returns the data', async () => {
    expect(await readGraphQLAnswer(json({ data: { importUsageCsv: { id: '3' } } }))).toEqual({
      data: { importUsageCsv: { id: '3' } },
    });
  });

  it('joins GraphQL errors and flags an expired token', async () => {
    expect(
      await readGraphQLAnswer(
        json({ data: null, errors: [{ message: 'line 3: bad number' }, { message: 'x', extensions: { code: 'UNAUTHENTICATED' } }] }),
      ),
    ).toEqual({ error: 'line 3: bad number; x', unauthenticated: true });
  });

  it('turns a non-JSON failure into a sentence', async () => {
    expect(await readGraphQLAnswer(new Response('<html>too large</html>', { status: 413 }))).toEqual({
      error: 'The server answered with HTTP 413. Try again in a moment.',
      unauthenticated: false,
    });
  });
});
