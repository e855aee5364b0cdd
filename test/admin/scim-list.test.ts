/**
 * The SCIM list conventions of IDCS on `/admin/v1/Users` (reference §4.1): the ListResponse
 * envelope, count / startIndex paging, sorting, filters (operators, logic, value filters, the
 * custom extension path, dates), projection, and `POST /.search`. Twelve users are created
 * through the API one second apart on a frozen clock, next to the seeded `usecase2.user`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestIam, type TestIam } from '../support/iam.js';
import { adminApi, clientToken, CUSTOM_ATTR, CUSTOM_ATTR_PATH, CUSTOM_USER, expectScimError, LIST_RESPONSE, SEARCH_REQUEST, USER_SCHEMA, userNames } from './support.js';

const T0 = Date.parse('2030-01-01T00:00:00.000Z');
const SEEDED_USER = 'usecase2.user';

interface Fixture {
  userName: string;
  emails: Array<{ value: string; type: string; primary?: boolean }>;
  custom?: string;
  displayName?: string;
  active: boolean;
}

// User i (1-based) is created at T0 + i seconds: 2030-01-01T00:00:0i.000Z (…:10, :11, :12 for the last three).
const FIXTURES: Fixture[] = [
  { userName: 'lst.anna', emails: [{ value: 'anna@x.example', type: 'work', primary: true }], custom: 'Api1Access', displayName: 'Anna Adler', active: true },
  { userName: 'lst.bert', emails: [{ value: 'bert@y.example', type: 'work', primary: true }], custom: 'Api2Access', displayName: 'Bert Bauer', active: true },
  {
    userName: 'lst.carl',
    emails: [
      { value: 'carl@x.example', type: 'home', primary: true },
      { value: 'carl.work@y.example', type: 'work' },
    ],
    displayName: 'Carl Clausen',
    active: false,
  },
  {
    userName: 'lst.dora',
    emails: [
      { value: 'dora@y.example', type: 'home', primary: true },
      { value: 'dora.work@x.example', type: 'work' },
    ],
    custom: 'Api1Access',
    displayName: 'Dora Dietz',
    active: true,
  },
  { userName: 'lst.emil', emails: [{ value: 'emil@x.example', type: 'work', primary: true }], displayName: 'Emil Ernst', active: true },
  { userName: 'lst.frida', emails: [{ value: 'frida@y.example', type: 'work', primary: true }], custom: 'Api1Access', displayName: 'Frida Fuchs', active: false },
  { userName: 'LST.Gustav', emails: [{ value: 'gustav@x.example', type: 'work', primary: true }], custom: 'Api2Access', displayName: 'Gustav Graf', active: true },
  { userName: 'lst.hanna', emails: [{ value: 'hanna@y.example', type: 'other', primary: true }], displayName: 'Hanna Hahn', active: true },
  { userName: 'lst.ida', emails: [{ value: 'ida@x.example', type: 'work', primary: true }], custom: 'Api1Access', displayName: 'Ida Iske', active: true },
  { userName: 'lst.jan', emails: [{ value: 'jan@y.example', type: 'work', primary: true }], displayName: 'Jan Jung', active: true },
  { userName: 'lst.karl', emails: [{ value: 'karl@x.example', type: 'home', primary: true }], active: true },
  { userName: 'lst.lena', emails: [{ value: 'lena@y.example', type: 'work', primary: true }], custom: 'Api1Access', displayName: 'Lena Lang', active: true },
];

/** All 13 userNames, sorted as IDCS sorts the case-insensitive userName. */
const ALL_ASCENDING = [
  'lst.anna',
  'lst.bert',
  'lst.carl',
  'lst.dora',
  'lst.emil',
  'lst.frida',
  'LST.Gustav',
  'lst.hanna',
  'lst.ida',
  'lst.jan',
  'lst.karl',
  'lst.lena',
  SEEDED_USER,
];

let iam: TestIam;
let api: ReturnType<typeof adminApi>;
const ids = new Map<string, string>();

beforeAll(async () => {
  iam = await startTestIam();
  iam.clock.set(T0, true);
  api = adminApi(iam, await clientToken(iam));
  for (const f of FIXTURES) {
    iam.clock.advance(1_000);
    const res = await api.post('/admin/v1/Users', {
      schemas: f.custom ? [USER_SCHEMA, CUSTOM_USER] : [USER_SCHEMA],
      userName: f.userName,
      name: { familyName: f.userName.slice(4) },
      emails: f.emails,
      active: f.active,
      ...(f.displayName ? { displayName: f.displayName } : {}),
      ...(f.custom ? { [CUSTOM_USER]: { [CUSTOM_ATTR]: f.custom } } : {}),
    });
    expect(res.status, res.text).toBe(201);
    ids.set(f.userName, res.body.id);
  }
});
afterAll(() => iam?.stop());

/** GET /admin/v1/Users with query parameters (URL-encoded here). */
function list(params: Record<string, string | number> = {}) {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)])).toString();
  return api.get(`/admin/v1/Users${query ? `?${query}` : ''}`);
}

/** The userNames a filter selects, sorted by userName. */
async function filtered(filter: string): Promise<string[]> {
  return userNames(await list({ filter, sortBy: 'userName' }));
}

describe('the ListResponse envelope', () => {
  it('has exactly schemas, totalResults, Resources, startIndex, itemsPerPage', async () => {
    const res = await list();
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json;charset=UTF-8');
    expect(Object.keys(res.body).sort()).toEqual(['Resources', 'itemsPerPage', 'schemas', 'startIndex', 'totalResults']);
    expect(res.body.schemas).toEqual([LIST_RESPONSE]);
    expect(res.body.totalResults).toBe(13);
    expect(res.body.startIndex).toBe(1);
    expect(res.body.itemsPerPage).toBe(13);
    expect(res.body.Resources).toHaveLength(13);
    expect([...res.body.Resources.map((r: any) => r.userName)].sort()).toEqual([...ALL_ASCENDING].sort());
  });

  it('each resource is the full user with meta, as GET by id answers it', async () => {
    const res = await list({ filter: 'userName eq "lst.dora"' });
    expect(res.body.Resources).toHaveLength(1);
    const one = await api.get(`/admin/v1/Users/${ids.get('lst.dora')}`);
    expect(res.body.Resources[0]).toEqual(one.body);
    expect(res.body.Resources[0].meta).toMatchObject({ resourceType: 'User', created: '2030-01-01T00:00:04.000Z', version: 'W/"1"' });
    expect(res.text).not.toMatch(/"password"/);
  });
});

describe('count and startIndex', () => {
  it('count limits the page; totalResults stays the whole count', async () => {
    const res = await list({ count: 5, sortBy: 'userName' });
    expect(res.body).toMatchObject({ totalResults: 13, startIndex: 1, itemsPerPage: 5 });
    expect(userNames(res)).toEqual(ALL_ASCENDING.slice(0, 5));
  });

  it('startIndex pages on (1-based); the last page is short', async () => {
    const second = await list({ count: 5, startIndex: 6, sortBy: 'userName' });
    expect(second.body).toMatchObject({ totalResults: 13, startIndex: 6, itemsPerPage: 5 });
    expect(userNames(second)).toEqual(ALL_ASCENDING.slice(5, 10));
    const last = await list({ count: 5, startIndex: 11, sortBy: 'userName' });
    expect(last.body).toMatchObject({ totalResults: 13, startIndex: 11, itemsPerPage: 3 });
    expect(userNames(last)).toEqual(ALL_ASCENDING.slice(10));
  });

  it('a startIndex past the end gives an empty page', async () => {
    const res = await list({ startIndex: 14 });
    expect(res.body).toMatchObject({ totalResults: 13, startIndex: 14, itemsPerPage: 0, Resources: [] });
  });

  it('startIndex below 1 is read as 1 (RFC 7644 §3.4.2.4)', async () => {
    const res = await list({ startIndex: 0, count: 2, sortBy: 'userName' });
    expect(res.body).toMatchObject({ startIndex: 1, itemsPerPage: 2 });
    expect(userNames(res)).toEqual(ALL_ASCENDING.slice(0, 2));
  });

  it('count=0 answers the total only', async () => {
    const res = await list({ count: 0 });
    expect(res.body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 13, Resources: [], startIndex: 1, itemsPerPage: 0 });
    // A negative count is read as 0 (RFC 7644 §3.4.2.4).
    expect((await list({ count: -3 })).body).toEqual({ schemas: [LIST_RESPONSE], totalResults: 13, Resources: [], startIndex: 1, itemsPerPage: 0 });
    const filteredTotal = await list({ count: 0, filter: `${CUSTOM_ATTR_PATH} eq "Api1Access"` });
    expect(filteredTotal.body).toMatchObject({ totalResults: 6, itemsPerPage: 0, Resources: [] });
  });

  it('count and startIndex that are not whole numbers → 400', async () => {
    expectScimError(await list({ count: 'ten' }), 400);
    expectScimError(await list({ startIndex: '1.5' }), 400);
  });

  it('paging applies after the filter', async () => {
    const res = await list({ filter: 'userName sw "lst."', sortBy: 'userName', count: 4, startIndex: 9 });
    expect(res.body).toMatchObject({ totalResults: 12, startIndex: 9, itemsPerPage: 4 });
    expect(userNames(res)).toEqual(['lst.ida', 'lst.jan', 'lst.karl', 'lst.lena']);
  });
});

describe('count default (50) and maximum (1000)', () => {
  let big: TestIam;
  let bigApi: ReturnType<typeof adminApi>;
  beforeAll(async () => {
    // 1004 seeded users plus usecase2.user: enough to see both limits.
    const users = Array.from({ length: 1004 }, (_, i) => ({ userName: `bulk.${String(i).padStart(4, '0')}`, emails: [{ value: `b${i}@example.org`, primary: true }] }));
    big = await startTestIam({ users: [{ userName: SEEDED_USER, emails: [{ value: 'u@example.com', primary: true }] }, ...users] });
    bigApi = adminApi(big, await clientToken(big));
  });
  afterAll(() => big?.stop());

  it('without count a page holds 50 resources', async () => {
    const res = await bigApi.get('/admin/v1/Users?attributes=userName');
    expect(res.body).toMatchObject({ totalResults: 1005, startIndex: 1, itemsPerPage: 50 });
    expect(res.body.Resources).toHaveLength(50);
  });

  it('a count over 1000 is capped at 1000', async () => {
    const res = await bigApi.get('/admin/v1/Users?attributes=userName&count=5000');
    expect(res.body).toMatchObject({ totalResults: 1005, itemsPerPage: 1000 });
    expect(res.body.Resources).toHaveLength(1000);
    const exact = await bigApi.get('/admin/v1/Users?attributes=userName&count=1000&startIndex=1001');
    expect(exact.body).toMatchObject({ totalResults: 1005, startIndex: 1001, itemsPerPage: 5 });
  });
});

describe('sortBy and sortOrder', () => {
  it('sortBy=userName ascending (default) and descending, case-insensitively', async () => {
    expect(userNames(await list({ sortBy: 'userName' }))).toEqual(ALL_ASCENDING);
    expect(userNames(await list({ sortBy: 'userName', sortOrder: 'ascending' }))).toEqual(ALL_ASCENDING);
    expect(userNames(await list({ sortBy: 'userName', sortOrder: 'descending' }))).toEqual([...ALL_ASCENDING].reverse());
  });

  it('sortBy=meta.created descending, with paging', async () => {
    const res = await list({ sortBy: 'meta.created', sortOrder: 'descending', count: 3 });
    expect(userNames(res)).toEqual(['lst.lena', 'lst.karl', 'lst.jan']);
  });

  it('a sortOrder other than ascending/descending → 400', async () => {
    expectScimError(await list({ sortBy: 'userName', sortOrder: 'up' }), 400);
  });
});

describe('filter', () => {
  it('eq on userName is case-insensitive', async () => {
    expect(await filtered('userName eq "LST.ANNA"')).toEqual(['lst.anna']);
    expect(await filtered('userName eq "lst.gustav"')).toEqual(['LST.Gustav']);
    expect(await filtered('USERNAME EQ "lst.ida"')).toEqual(['lst.ida']);
    expect(await filtered('userName eq "nobody"')).toEqual([]);
  });

  it('co, sw, ew', async () => {
    expect(await filtered('userName co "an"')).toEqual(['lst.anna', 'lst.hanna', 'lst.jan']);
    expect(await filtered('userName sw "lst.d"')).toEqual(['lst.dora']);
    expect(await filtered('userName ew "a"')).toEqual(['lst.anna', 'lst.dora', 'lst.frida', 'lst.hanna', 'lst.ida', 'lst.lena']);
    expect(await filtered('displayName co "GRAF"')).toEqual(['LST.Gustav']);
  });

  it('eq on booleans and ne', async () => {
    expect(await filtered('active eq false')).toEqual(['lst.carl', 'lst.frida']);
    expect(await filtered('userName sw "lst." and active ne true')).toEqual(['lst.carl', 'lst.frida']);
  });

  it('pr and not (… pr)', async () => {
    expect(await filtered('displayName pr')).toEqual(ALL_ASCENDING.filter((n) => n !== 'lst.karl'));
    expect(await filtered('not (displayName pr)')).toEqual(['lst.karl']);
    expect(await filtered(`${CUSTOM_ATTR_PATH} pr`)).toEqual(['lst.anna', 'lst.bert', 'lst.dora', 'lst.frida', 'LST.Gustav', 'lst.ida', 'lst.lena', SEEDED_USER]);
  });

  it('gt, ge, lt, le on meta.created compare instants', async () => {
    expect(await filtered('meta.created gt "2030-01-01T00:00:09.000Z"')).toEqual(['lst.jan', 'lst.karl', 'lst.lena']);
    // "…:09Z" is the same instant as "…:09.000Z": ge includes user 9, gt does not.
    expect(await filtered('meta.created ge "2030-01-01T00:00:09Z"')).toEqual(['lst.ida', 'lst.jan', 'lst.karl', 'lst.lena']);
    expect(await filtered('meta.created gt "2030-01-01T00:00:09Z"')).toEqual(['lst.jan', 'lst.karl', 'lst.lena']);
    expect(await filtered('meta.created lt "2030-01-01T00:00:03Z"')).toEqual(['lst.anna', 'lst.bert', SEEDED_USER]);
    expect(await filtered('meta.created le "2030-01-01T00:00:03Z"')).toEqual(['lst.anna', 'lst.bert', 'lst.carl', SEEDED_USER]);
    expect(await filtered('meta.created ge "2030-01-01T00:00:05Z" and meta.created lt "2030-01-01T00:00:07Z"')).toEqual(['lst.emil', 'lst.frida']);
  });

  it('and / or / not with parentheses', async () => {
    expect(await filtered('(emails.value co "@x.example" or userName sw "usecase") and not (active eq false)')).toEqual([
      'lst.anna',
      'lst.dora',
      'lst.emil',
      'LST.Gustav',
      'lst.ida',
      'lst.karl',
      SEEDED_USER,
    ]);
    // and binds tighter than or
    expect(await filtered('userName eq "lst.anna" or userName eq "lst.bert" and active eq false')).toEqual(['lst.anna']);
    expect(await filtered('(userName eq "lst.anna" or userName eq "lst.bert") and active eq true')).toEqual(['lst.anna', 'lst.bert']);
  });

  it('a value filter: emails[type eq "work" and value co "@x"]', async () => {
    expect(await filtered('emails[type eq "work" and value co "@x"]')).toEqual(['lst.anna', 'lst.dora', 'lst.emil', 'LST.Gustav', 'lst.ida']);
    // The home address of carl is @x but his work one is not; dora the other way round.
    expect(await filtered('emails[type eq "home" and value co "@x"]')).toEqual(['lst.carl', 'lst.karl']);
  });

  it('the custom extension attribute by its URN path', async () => {
    expect(await filtered(`${CUSTOM_ATTR_PATH} eq "Api1Access"`)).toEqual(['lst.anna', 'lst.dora', 'lst.frida', 'lst.ida', 'lst.lena', SEEDED_USER]);
    expect(await filtered(`${CUSTOM_ATTR_PATH} eq "Api2Access" and active eq true`)).toEqual(['lst.bert', 'LST.Gustav']);
  });

  it('a bad filter → 400 scimType invalidFilter', async () => {
    for (const filter of ['userName eq', 'userName foo "x"', '(userName eq "lst.anna"', 'userName eq "lst.anna" and', 'userName eq "unterminated']) {
      expectScimError(await list({ filter }), 400, { scimType: 'invalidFilter', messageId: 'error.common.validation.invalidFilter' });
    }
  });
});

describe('attributes, excludedAttributes, attributeSets', () => {
  it('attributes=userName,emails.value returns those (with id and schemas) and nothing else', async () => {
    const res = await list({ attributes: 'userName,emails.value', filter: 'userName eq "lst.carl"' });
    expect(res.body.Resources).toEqual([
      { schemas: [USER_SCHEMA], id: ids.get('lst.carl'), userName: 'lst.carl', emails: [{ value: 'carl@x.example' }, { value: 'carl.work@y.example' }] },
    ]);
  });

  it('attributes with an extension attribute path', async () => {
    const res = await list({ attributes: CUSTOM_ATTR_PATH, filter: 'userName eq "lst.anna"' });
    expect(res.body.Resources).toEqual([{ schemas: [USER_SCHEMA, CUSTOM_USER], id: ids.get('lst.anna'), [CUSTOM_USER]: { [CUSTOM_ATTR]: 'Api1Access' } }]);
  });

  it('excludedAttributes=emails drops emails and keeps the rest', async () => {
    const res = await list({ excludedAttributes: 'emails', filter: 'userName eq "lst.anna"' });
    const one = res.body.Resources[0];
    expect(one.emails).toBeUndefined();
    expect(one).toMatchObject({ id: ids.get('lst.anna'), userName: 'lst.anna', displayName: 'Anna Adler', active: true, meta: { resourceType: 'User' } });
  });

  it('attributeSets=always returns only the always-returned attributes', async () => {
    const res = await list({ attributeSets: 'always', sortBy: 'userName' });
    expect(res.body.Resources).toHaveLength(13);
    for (const r of res.body.Resources) expect(Object.keys(r).sort()).toEqual(['id', 'schemas']);
    expect(res.body.Resources[0].id).toBe(ids.get('lst.anna'));
  });

  it('an unknown attribute set → 400', async () => {
    expectScimError(await list({ attributeSets: 'everything' }), 400);
  });
});

describe('POST /admin/v1/Users/.search', () => {
  it('answers what the same query as GET answers', async () => {
    const filter = `${CUSTOM_ATTR_PATH} eq "Api1Access" or emails[type eq "work" and value co "@x"]`;
    const search = await api.post('/admin/v1/Users/.search', {
      schemas: [SEARCH_REQUEST],
      filter,
      attributes: ['userName', 'emails.value'],
      sortBy: 'userName',
      sortOrder: 'descending',
      startIndex: 2,
      count: 4,
    });
    expect(search.status, search.text).toBe(200);
    const get = await list({ filter, attributes: 'userName,emails.value', sortBy: 'userName', sortOrder: 'descending', startIndex: 2, count: 4 });
    expect(search.body).toEqual(get.body);
    expect(search.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 8, startIndex: 2, itemsPerPage: 4 });
    expect(userNames(search)).toEqual(['lst.lena', 'lst.ida', 'LST.Gustav', 'lst.frida']);
  });

  it('an empty SearchRequest lists everything', async () => {
    const res = await api.post('/admin/v1/Users/.search', { schemas: [SEARCH_REQUEST] });
    expect(res.body).toMatchObject({ schemas: [LIST_RESPONSE], totalResults: 13, startIndex: 1, itemsPerPage: 13 });
  });

  it('a SearchRequest without its schema → 400', async () => {
    expectScimError(await api.post('/admin/v1/Users/.search', { filter: 'userName eq "lst.anna"' }), 400);
    expectScimError(await api.post('/admin/v1/Users/.search', { schemas: [USER_SCHEMA], filter: 'userName eq "lst.anna"' }), 400);
  });

  it('a bad filter in a SearchRequest → 400 invalidFilter', async () => {
    expectScimError(await api.post('/admin/v1/Users/.search', { schemas: [SEARCH_REQUEST], filter: 'userName eq' }), 400, { scimType: 'invalidFilter' });
  });
});
