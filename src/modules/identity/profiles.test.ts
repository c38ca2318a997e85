import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loginAs, registerViewer, type SignedIn } from '../../../test/support/accounts.ts';
import { createTestApp, type TestContext } from '../../../test/support/test-app.ts';

interface ProfileBody {
  id: string;
  name: string;
  isKids: boolean;
  maturityLimit: number | null;
  hasPin: boolean;
}

describe('identity: profiles', () => {
  let context: TestContext;
  let owner: SignedIn;
  before(async () => {
    context = await createTestApp({
      env: { AUTH_MAX_PROFILES: '5', AUTH_KIDS_MATURITY_LIMIT: '7', AUTH_RATE_LIMIT_PER_MINUTE: '10000' },
    });
    owner = await registerViewer(context.app, { name: 'Parent' });
  });
  after(() => context.close());

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, as: SignedIn, payload?: object) =>
    context.app.inject({ method, url, headers: as.headers, ...(payload && { payload }) });

  it('starts with one profile named after the account', async () => {
    const list = (await call('GET', '/api/profiles', owner)).json<{
      profiles: ProfileBody[];
      activeProfileId: string;
    }>();
    assert.deepEqual(
      list.profiles.map((p) => p.name),
      ['Parent'],
    );
    assert.equal(list.activeProfileId, list.profiles[0]?.id);
  });

  it('adds a kids profile with the default maturity limit, and an adult one without a cap', async () => {
    const kids = await call('POST', '/api/profiles', owner, { name: 'Kids', isKids: true });
    assert.equal(kids.statusCode, 201, kids.body);
    assert.deepEqual(
      (({ name, isKids, maturityLimit, hasPin }) => ({ name, isKids, maturityLimit, hasPin }))(
        kids.json<ProfileBody>(),
      ),
      { name: 'Kids', isKids: true, maturityLimit: 7, hasPin: false },
    );
    const teen = (
      await call('POST', '/api/profiles', owner, { name: 'Teen', maturityLimit: 13 })
    ).json<ProfileBody>();
    assert.equal(teen.maturityLimit, 13);
    const dupe = await call('POST', '/api/profiles', owner, { name: 'kids' });
    assert.equal(dupe.json<{ code: string }>().code, 'PROFILE_NAME_TAKEN');
  });

  it('caps the number of profiles per account', async () => {
    const account = await registerViewer(context.app);
    for (let i = 2; i <= 5; i += 1)
      assert.equal((await call('POST', '/api/profiles', account, { name: `P${i}` })).statusCode, 201);
    const sixth = await call('POST', '/api/profiles', account, { name: 'P6' });
    assert.equal(sixth.statusCode, 409);
    assert.equal(sixth.json<{ code: string }>().code, 'PROFILE_LIMIT');
  });

  it('locks a profile with a PIN: selecting it needs the PIN, wrong PINs are limited', async () => {
    const locked = (
      await call('POST', '/api/profiles', owner, { name: 'Private', pin: '4821' })
    ).json<ProfileBody>();
    assert.equal(locked.hasPin, true);
    assert.equal(
      (await call('POST', `/api/profiles/${locked.id}/select`, owner, {})).json<{ code: string }>().code,
      'PROFILE_PIN_REQUIRED',
    );
    assert.equal(
      (await call('POST', `/api/profiles/${locked.id}/select`, owner, { pin: '0000' })).statusCode,
      403,
    );
    const selected = await call('POST', `/api/profiles/${locked.id}/select`, owner, { pin: '4821' });
    assert.equal(selected.statusCode, 200);
    const me = (await call('GET', '/api/me', owner)).json<{ activeProfile: { id: string } }>();
    assert.equal(me.activeProfile.id, locked.id, 'this device now watches as the selected profile');
    const elsewhere = await loginAs(context.app, owner);
    assert.notEqual(
      (await call('GET', '/api/me', elsewhere)).json<{ activeProfile: { id: string } }>().activeProfile.id,
      locked.id,
      'per device',
    );
    for (let i = 0; i < 5; i += 1)
      await call('POST', `/api/profiles/${locked.id}/select`, elsewhere, { pin: '1111' });
    const limited = await call('POST', `/api/profiles/${locked.id}/select`, elsewhere, { pin: '4821' });
    assert.equal(limited.statusCode, 429);
    assert.ok(Number(limited.headers['retry-after']) > 0);
    assert.equal(
      (await call('POST', `/api/profiles/${locked.id}/select`, owner, { pin: '12345' })).statusCode,
      400,
    );
  });

  it('edits a profile: turning it into a kids profile gives it the kids limit; the PIN can be removed', async () => {
    const profile = (
      await call('POST', '/api/profiles', owner, { name: 'Guest', pin: '1234' })
    ).json<ProfileBody>();
    const locked = await call('PATCH', `/api/profiles/${profile.id}`, owner, { pin: null });
    assert.equal(
      locked.json<{ code: string }>().code,
      'PROFILE_PIN_REQUIRED',
      'select it with its PIN first',
    );
    assert.equal(
      (await call('POST', `/api/profiles/${profile.id}/select`, owner, { pin: '1234' })).statusCode,
      200,
    );
    const edited = (
      await call('PATCH', `/api/profiles/${profile.id}`, owner, {
        isKids: true,
        pin: null,
        name: 'Guest Kid',
      })
    ).json<ProfileBody>();
    assert.deepEqual(
      [edited.name, edited.isKids, edited.maturityLimit, edited.hasPin],
      ['Guest Kid', true, 7, false],
    );
    const invalid = await call('PATCH', `/api/profiles/${profile.id}`, owner, {
      maturityLimit: 99,
      language: 'klingon!',
    });
    assert.equal(invalid.statusCode, 400);
    assert.equal(invalid.json<{ errors: unknown[] }>().errors.length, 2);
  });

  it("keeps one account's profiles invisible and untouchable to another", async () => {
    const stranger = await registerViewer(context.app);
    const target = (await call('GET', '/api/profiles', owner)).json<{ profiles: ProfileBody[] }>()
      .profiles[1];
    assert.ok(target);
    assert.equal(
      (await call('PATCH', `/api/profiles/${target.id}`, stranger, { name: 'Hacked' })).statusCode,
      404,
    );
    assert.equal((await call('DELETE', `/api/profiles/${target.id}`, stranger)).statusCode, 404);
    assert.equal((await call('POST', `/api/profiles/${target.id}/select`, stranger, {})).statusCode, 404);
    assert.ok(!(await call('GET', '/api/profiles', stranger)).body.includes(target.id));
  });

  it('deletes a profile, never the last one; devices watching it fall back to the first', async () => {
    const account = await registerViewer(context.app);
    const [only] = (await call('GET', '/api/profiles', account)).json<{ profiles: ProfileBody[] }>().profiles;
    assert.ok(only);
    assert.equal(
      (await call('DELETE', `/api/profiles/${only.id}`, account)).json<{ code: string }>().code,
      'PROFILE_LAST',
    );
    const extra = (await call('POST', '/api/profiles', account, { name: 'Extra' })).json<ProfileBody>();
    await call('POST', `/api/profiles/${extra.id}/select`, account, {});
    assert.equal(
      (await call('GET', '/api/me', account)).json<{ activeProfile: { id: string } }>().activeProfile.id,
      extra.id,
    );
    assert.equal((await call('DELETE', `/api/profiles/${extra.id}`, account)).statusCode, 204);
    assert.equal(
      (await call('GET', '/api/me', account)).json<{ activeProfile: { id: string } }>().activeProfile.id,
      only.id,
    );
  });
});
