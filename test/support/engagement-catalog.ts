import assert from 'node:assert/strict';
import type { SignedIn } from './accounts.ts';
import { loginAs } from './accounts.ts';
import type { TestContext } from './test-app.ts';

/** Published titles to engage with, made through the admin API as an editor would. */
export function catalogMaker(context: TestContext, editor: SignedIn) {
  const call = async (method: 'POST' | 'PATCH', url: string, payload?: object) => {
    const response = await context.app.inject({
      method,
      url,
      headers: editor.headers,
      ...(payload && { payload }),
    });
    assert.ok(response.statusCode < 300, `${method} ${url} → ${response.statusCode} ${response.body}`);
    return response.json<{ id: string }>();
  };
  return {
    async movie(title: string, extra: object = {}): Promise<string> {
      const { id } = await call('POST', '/api/admin/titles', { kind: 'movie', title, ...extra });
      await call('POST', `/api/admin/titles/${id}/publish`);
      return id;
    },
    /** A published series with `episodes[s]` published episodes in season s + 1. */
    async series(title: string, episodes: number[]): Promise<{ id: string; episodes: string[][] }> {
      const { id } = await call('POST', '/api/admin/titles', { kind: 'series', title });
      await call('POST', `/api/admin/titles/${id}/publish`);
      const ids: string[][] = [];
      for (const [index, count] of episodes.entries()) {
        const season = await call('POST', `/api/admin/titles/${id}/seasons`, { number: index + 1 });
        const seasonIds: string[] = [];
        for (let number = 1; number <= count; number++) {
          const episode = await call('POST', `/api/admin/seasons/${season.id}/episodes`, {
            number,
            name: `Episode ${number}`,
          });
          await call('POST', `/api/admin/episodes/${episode.id}/publish`);
          seasonIds.push(episode.id);
        }
        ids.push(seasonIds);
      }
      return { id, episodes: ids };
    },
  };
}

/** Another sign-in of the same account (a second device) watching as a new kids profile. */
export async function kidsDevice(context: TestContext, account: SignedIn): Promise<SignedIn> {
  const device = await loginAs(context.app, account);
  const created = await context.app.inject({
    method: 'POST',
    url: '/api/profiles',
    headers: account.headers,
    payload: { name: 'Kid', isKids: true },
  });
  assert.equal(created.statusCode, 201, created.body);
  const selected = await context.app.inject({
    method: 'POST',
    url: `/api/profiles/${created.json<{ id: string }>().id}/select`,
    headers: device.headers,
    payload: {},
  });
  assert.ok(selected.statusCode < 300, selected.body);
  return device;
}
