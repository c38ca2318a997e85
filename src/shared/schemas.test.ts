import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { avatar, displayName, email, secretText, text } from './schemas.ts';

describe('shared string types', () => {
  it('refuse NUL, controls, bidi overrides, isolates and zero-width characters in names', () => {
    for (const bad of [
      'a\u0000b',
      'a\u0007',
      'evil\u202Egnp.exe',
      'a\u2066b\u2069',
      'ad\u200Bmin',
      'a\uFEFFx',
    ]) {
      assert.equal(displayName().safeParse(bad).success, false, JSON.stringify(bad));
      assert.equal(text({ max: 50 }).safeParse(bad).success, false, JSON.stringify(bad));
    }
    assert.equal(displayName().parse('  Zoë Ödön 日本 '), 'Zoë Ödön 日本');
  });

  it('keep a password exactly as typed, refusing only control characters', () => {
    const password = secretText({ min: 1, max: 100 });
    assert.equal(password.parse('  spaces kept\u00A0 '), '  spaces kept\u00A0 ');
    assert.equal(password.parse('e\u0301'), 'e\u0301'); // not NFC-normalised
    assert.equal(password.safeParse('pass\u0000word').success, false);
    assert.equal(password.safeParse('pass\nword').success, false);
  });

  it('allow only avatar ids and https URLs as avatars', () => {
    for (const good of ['fox', 'avatar-7', 'https://cdn.example.com/a/b.png?', 'https://img.example.com']) {
      assert.equal(avatar.safeParse(good).success, true, good);
    }
    for (const bad of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:image/svg+xml,<svg onload=alert(1)>',
      'http://example.com/a.png',
      'https://user:pw@example.com/a.png',
      'https://example.com/a b.png',
      '"><script>',
      '\u0000',
    ]) {
      assert.equal(avatar.safeParse(bad).success, false, bad);
    }
  });

  it('refuse control characters in email addresses', () => {
    assert.equal(email.safeParse('a\u0000@example.com').success, false);
    assert.equal(email.parse(' Ana@Example.COM '), 'ana@example.com');
  });
});
