import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { blockedWordIn } from './word-filter.ts';

describe('word filter', () => {
  it('finds blocked whole words whatever their case or width', () => {
    const blocked = ['spoiler', 'darn'];
    assert.equal(blockedWordIn('No SPOILER here', blocked), 'spoiler');
    assert.equal(blockedWordIn('ｄａｒｎ it', blocked), 'darn');
    assert.equal(blockedWordIn('spoilers are words of their own', blocked), undefined);
    assert.equal(blockedWordIn('darning socks', blocked), undefined);
    assert.equal(blockedWordIn('anything', []), undefined);
  });
});
