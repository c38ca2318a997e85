import { rewriteUris } from './playlist-rewrite.ts';

/**
 * The playlists of a download, rewritten to play from the device's disk. Pure text-in, text-out.
 *
 * The files keep the layout they have under the package's prefix, so every relative URI of our
 * packager's playlists stays valid offline. Only the key URIs change: online they point at the
 * key server; offline they name the key (`skd://<keyId>`, FairPlay's convention for "ask the
 * licence"), and the player's key loader answers from the offline licence.
 */

export const OFFLINE_KEY_SCHEME = 'skd://';

export interface OfflineFile {
  /** Where the file goes in the download, relative to the master playlist. */
  path: string;
  /** A signed URL to fetch it from. */
  url: string;
}

/**
 * The master playlist with only `variant` among the EXT-X-STREAM-INF variants, and no I-frame
 * playlists (trick play isn't downloaded). Audio and subtitle renditions (EXT-X-MEDIA) are kept.
 */
export function singleVariantMaster(options: { text: string; variant: string }): string {
  const lines = options.text.split(/\r?\n/);
  const kept: string[] = [];
  let found = false;
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.startsWith('#EXT-X-I-FRAME-STREAM-INF')) continue;
    if (!line.startsWith('#EXT-X-STREAM-INF')) {
      kept.push(line);
      continue;
    }
    let uriIndex = index + 1;
    while (uriIndex < lines.length && (lines[uriIndex]!.trim() === '' || lines[uriIndex]!.startsWith('#')))
      uriIndex++;
    if (lines[uriIndex]?.trim() === options.variant) {
      found = true;
      kept.push(line, lines[uriIndex]!);
    }
    index = uriIndex;
  }
  if (!found) throw new Error(`the master playlist has no variant ${options.variant}`);
  return kept.join('\n');
}

/**
 * A media playlist for offline play, and the files it needs. `path` is the playlist's path in
 * the package; `fileUrl` signs a package path for fetching.
 */
export function offlineMediaPlaylist(options: {
  text: string;
  path: string;
  fileUrl: (path: string) => string;
}): { text: string; files: OfflineFile[] } {
  const dir = options.path.includes('/') ? options.path.slice(0, options.path.lastIndexOf('/') + 1) : '';
  const files: OfflineFile[] = [];
  const text = rewriteUris({
    text: options.text,
    rewrite: (uri, kind) => {
      if (kind === 'key') return `${OFFLINE_KEY_SCHEME}${keyIdOf(uri)}`;
      // Our packager writes relative segment names; anything else would not resolve on disk.
      if (/^[a-z][a-z0-9+.-]*:|^\/|(^|\/)\.\.(\/|$)/i.test(uri)) {
        throw new Error(`cannot take ${uri} offline: not a relative path inside the package`);
      }
      if (kind === 'segment' || kind === 'map') {
        const path = `${dir}${uri}`;
        if (!files.some((file) => file.path === path)) files.push({ path, url: options.fileUrl(path) });
      }
      return uri;
    },
  });
  return { text, files };
}

/** The key id of a key-server URI (`/api/keys/<id>?…`), or of an `skd://<id>`. */
export function keyIdOf(uri: string): string {
  const path = uri.split(/[?#]/)[0]!;
  const id = path.slice(path.lastIndexOf('/') + 1);
  if (id === '') throw new Error(`no key id in ${uri}`);
  return id;
}
