import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertValidKey } from '../../platform/storage/storage.port.ts';
import { extensionForFormat, looksLikeSubtitles, safeVideoName, subtitleFormatOf } from './file-names.ts';

describe('safeVideoName', () => {
  const mp4 = 'mov,mp4,m4a,3gp,3g2,mj2';
  const cases: Array<[string, string, string]> = [
    ['movie.mp4', mp4, 'movie.mp4'],
    ['../../etc/passwd.mp4', mp4, 'passwd.mp4'],
    ['..\\..\\windows\\win.ini.mkv', 'matroska,webm', 'win.ini.mkv'],
    ['..', mp4, 'source.mp4'],
    ['.hidden.MOV', mp4, 'hidden.mov'],
    ['', mp4, 'source.mp4'],
    ['evil\u0000name\r\n.mp4', mp4, 'evil-name.mp4'],
    ['Amélie (2001) — final.mkv', 'matroska,webm', 'Amelie-2001-final.mkv'],
    ['notes.txt', mp4, 'notes.mp4'],
    ['clip.php', 'mpegts', 'clip.ts'],
    ['clip', 'avi', 'clip.avi'],
    ['a...b.mp4', mp4, 'a.b.mp4'],
    ['x'.repeat(500) + '.mp4', mp4, `${'x'.repeat(100)}.mp4`],
    ['weird', 'something_else', 'weird.video'],
  ];
  for (const [input, format, expected] of cases) {
    it(`${JSON.stringify(input.slice(0, 40))} → ${expected.slice(0, 40)}`, () => {
      const name = safeVideoName(input, format);
      assert.equal(name, expected);
      assert.doesNotThrow(() => assertValidKey(`sources/item/upload/${name}`));
    });
  }
});

describe('subtitles', () => {
  it('knows SRT and WebVTT by extension only', () => {
    assert.equal(subtitleFormatOf('en.srt'), 'srt');
    assert.equal(subtitleFormatOf('../fr.VTT'), 'vtt');
    assert.equal(subtitleFormatOf('fr.ass'), undefined);
    assert.equal(subtitleFormatOf('vtt'), undefined);
  });

  it('checks the first bytes look like the format', () => {
    assert.ok(looksLikeSubtitles('vtt', '\uFEFFWEBVTT\n\n00:00.000 --> 00:01.000\nHi'));
    assert.ok(!looksLikeSubtitles('vtt', 'WEBVTTX'));
    assert.ok(looksLikeSubtitles('srt', '1\r\n00:00:01,000 --> 00:00:02,500\r\nHello'));
    assert.ok(!looksLikeSubtitles('srt', 'just some text'));
  });

  it('maps format names to extensions', () => {
    assert.equal(extensionForFormat('mpegts'), 'ts');
    assert.equal(extensionForFormat('matroska,webm'), 'mkv');
  });
});
