import type { ApplicationFailure } from '@temporalio/common';
import type { PbxDirectory, PbxExtensionSummary } from '../activities/pbx/index.js';
import { PbxFailure } from '../contracts/index.js';
import { failureOf } from './support/until.js';
import { startHarness, type SimHarness } from './support/yeastar-harness.js';

/** Replies that are not a well-formed Open API answer: the PBX is unavailable, never "fewer objects". */

let h: SimHarness;
let dir: PbxDirectory;
let paged: PbxDirectory;
let id: string;
beforeAll(async () => {
  h = await startHarness();
  dir = h.directory();
  paged = h.directory({ pageSize: 2 });
  for (let n = 2001; n <= 2005; n++) {
    const created = await dir.createExtension({
      number: String(n),
      firstName: `User${n}`,
      lastName: 'Test',
      email: `user${n}@contoso.com`,
    });
    id ??= created.id;
  }
});
afterAll(() => h.stop());
afterEach(() => {
  h.sim.control.clearFaults();
  h.sim.control.configure({ errorHttpStatus: 'always-200' });
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('non-envelope replies are a retryable PbxUnavailable', () => {
  test.each([
    [200, 'html', 'HTTP 200 with a non-JSON body (text/html)'],
    [403, 'html', 'HTTP 403 with a non-JSON body (text/html)'],
    [404, 'html', 'HTTP 404 with a non-JSON body (text/html)'],
    [408, 'html', 'HTTP 408 with a non-JSON body (text/html)'],
    [425, 'html', 'HTTP 425 with a non-JSON body (text/html)'],
    [502, 'html', 'HTTP 502 with a non-JSON body (text/html)'],
    [503, 'html', 'HTTP 503 with a non-JSON body (text/html)'],
    [504, 'html', 'HTTP 504 with a non-JSON body (text/html)'],
    [200, 'truncated-json', 'HTTP 200 with a non-JSON body (application/json)'],
    [408, 'Request Timeout', 'HTTP 408 with a non-JSON body (text/plain)'],
  ])('HTTP %i with %s', async (httpStatus, body, said) => {
    h.sim.control.injectFault({ endpoint: 'extension/get', kind: 'body', httpStatus, body });
    const f = await failureOf<ApplicationFailure>(dir.getExtension(id));
    expect(f).toMatchObject({ type: PbxFailure.Unavailable, nonRetryable: false });
    expect(f.message).toContain(`extension/get failed: ${said}`);
  });

  test('a 4xx JSON envelope is still mapped by its errcode', async () => {
    h.sim.control.configure({ errorHttpStatus: 'mapped' });
    h.sim.control.injectFault({ endpoint: 'extension/get', kind: 'errcode', errcode: 10005 });
    const f = await failureOf<ApplicationFailure>(dir.getExtension(id));
    expect(f).toMatchObject({ type: PbxFailure.Forbidden, nonRetryable: true });
    expect(f.message).toContain('10005');
  });
});

describe('a malformed list reply is a failed read, never a shorter list', () => {
  const list = () => collect<PbxExtensionSummary>(paged.listExtensions());

  test('the whole list reads when nothing is wrong', async () => {
    await expect(list()).resolves.toHaveLength(5);
  });

  test.each([
    { omit: 'data', page: 1 },
    { omit: 'total_number', page: 1 },
    { omit: 'data', page: 2 },
    { omit: 'total_number', page: 2 },
    { omit: 'data', page: 3 },
    { omit: 'total_number', page: 3 },
  ] as const)('without $omit on page $page', async ({ omit, page }) => {
    h.sim.control.injectFault({ endpoint: 'extension/list', kind: 'malformed-list', omit, skip: page - 1 });
    const f = await failureOf<ApplicationFailure>(list());
    expect(f).toMatchObject({ type: PbxFailure.Unavailable, nonRetryable: false });
    expect(f.message).toContain(
      `extension/list page ${page} reply has ${omit === 'data' ? 'no data array' : 'no numeric total_number'}`,
    );
  });

  test('extension/query without data fails instead of returning no extensions', async () => {
    h.sim.control.injectFault({ endpoint: 'extension/query', kind: 'malformed-list', omit: 'data' });
    const f = await failureOf<ApplicationFailure>(dir.getExtensions([id]));
    expect(f).toMatchObject({ type: PbxFailure.Unavailable, nonRetryable: false });
    expect(f.message).toContain('extension/query');
  });
});
