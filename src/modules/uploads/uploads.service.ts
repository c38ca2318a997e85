import { randomUUID } from 'node:crypto';
import { mkdir, open, rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { Storage } from '../../platform/storage/storage.port.ts';
import { openFileStream } from '../../shared/file-stream.ts';
import { text } from '../../shared/schemas.ts';
import type { RequestContext } from '../audit/index.ts';
import { TitleNotFound, type PlayableItem, type PlayableItems } from '../catalog/index.ts';
import type { AssetRow, MediaService, MediaTools, SubtitleSource } from '../media/index.ts';
import { looksLikeSubtitles, safeVideoName } from './file-names.ts';
import { SubtitleNotAccepted, UploadInvalid } from './uploads.errors.ts';

/** A subtitle file received with an upload, still on local disk. */
export interface ReceivedSubtitle {
  path: string;
  format: 'srt' | 'vtt';
  language: string;
  label: string;
}

export interface ReceivedUpload {
  itemId: string;
  /** The whole file, on local disk (a multipart temp file or a finished tus upload). */
  videoPath: string;
  /** What the client called it: only a hint for the stored name. */
  clientName: string;
  bytes: number;
  subtitles: readonly ReceivedSubtitle[];
  uploadedBy: string | null;
  context: RequestContext;
}

export interface UploadsServiceDeps {
  storage: Storage;
  media: Pick<MediaService, 'registerSource'>;
  items: Pick<PlayableItems, 'find'>;
  /** ffprobe, through media's port: a file must be a video before anything is stored. */
  tools: Pick<MediaTools, 'probe'>;
  /** Local scratch space for uploads in flight (config.dataDir/uploads). */
  uploadsDir: string;
}

export const SUBTITLE_MAX_BYTES = 5 * 1024 * 1024;
export const MAX_SUBTITLES = 20;
const SNIFF_BYTES = 4096;
const itemIdSchema = z.uuid();
/** A subtitle file's language (BCP 47: "en", "pt-BR") and the name players show for it. */
export const subtitleLanguage = z.string().regex(/^[a-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/);
export const subtitleLabel = text({ min: 1, max: 100 });

/**
 * Turns a file that arrived (by multipart or tus) into a registered source: it must be a video
 * (ffprobe says so before anything is stored), it is stored under a fresh prefix with a name we
 * chose, and the media service queues its transcode. Local files are the caller's to remove.
 */
export class UploadsService {
  readonly #deps: UploadsServiceDeps;

  constructor(deps: UploadsServiceDeps) {
    this.#deps = deps;
  }

  /** The movie or episode an upload is for; checked before any byte of the file is read. */
  async findItem(itemId: string): Promise<PlayableItem> {
    if (!itemIdSchema.safeParse(itemId).success) throw UploadInvalid('itemId must be a UUID');
    const item = await this.#deps.items.find(itemId);
    if (!item) throw TitleNotFound(`No movie or episode ${itemId}`);
    return item;
  }

  subtitle(input: {
    path: string;
    format: 'srt' | 'vtt';
    language: string | undefined;
    label: string | undefined;
  }): ReceivedSubtitle {
    const language = subtitleLanguage.safeParse(input.language);
    if (!language.success)
      throw UploadInvalid(
        'Send subtitleLanguage (a language tag such as "en" or "pt-BR") before each subtitle file',
      );
    const label = input.label === undefined ? language.data : subtitleLabel.safeParse(input.label).data;
    if (label === undefined) throw UploadInvalid('subtitleLabel must be 1–100 characters of text');
    return { path: input.path, format: input.format, language: language.data, label };
  }

  /** A scratch directory of its own for one multipart request. */
  async scratchDir(): Promise<{ dir: string; remove(): Promise<void> }> {
    const dir = path.join(this.#deps.uploadsDir, 'multipart', randomUUID());
    await mkdir(dir, { recursive: true });
    return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
  }

  async ingest(upload: ReceivedUpload): Promise<AssetRow> {
    const { storage, media, tools } = this.#deps;
    await this.findItem(upload.itemId);
    const probe = await tools.probe({ path: upload.videoPath });
    for (const subtitle of upload.subtitles) await assertSubtitleFile(subtitle);

    const prefix = `sources/${upload.itemId}/${randomUUID()}/`;
    const sourceName = safeVideoName(upload.clientName, probe.formatName);
    try {
      await putFile(storage, `${prefix}${sourceName}`, upload.videoPath);
      const subtitles: SubtitleSource[] = [];
      for (const [index, subtitle] of upload.subtitles.entries()) {
        const storageKey = `${prefix}subtitles/${index}-${subtitle.language}.${subtitle.format}`;
        await putFile(storage, storageKey, subtitle.path);
        subtitles.push({ storageKey, language: subtitle.language, label: subtitle.label });
      }
      return await media.registerSource(
        {
          itemId: upload.itemId,
          storageKey: `${prefix}${sourceName}`,
          sourceName,
          bytes: upload.bytes,
          uploadedBy: upload.uploadedBy,
          subtitles,
        },
        upload.context,
      );
    } catch (error) {
      await storage.deletePrefix(prefix);
      throw error;
    }
  }
}

async function assertSubtitleFile(subtitle: ReceivedSubtitle): Promise<void> {
  const file = await open(subtitle.path, 'r');
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(head, 0, SNIFF_BYTES, 0);
    if (!looksLikeSubtitles(subtitle.format, head.subarray(0, bytesRead).toString('utf8'))) {
      throw SubtitleNotAccepted(
        `The ${subtitle.language} subtitles are not a ${subtitle.format.toUpperCase()} file`,
      );
    }
  } finally {
    await file.close();
  }
}

/** Stores a local file; a file that is gone rejects instead of erroring on an unwatched stream. */
async function putFile(storage: Storage, key: string, file: string): Promise<void> {
  const body = await openFileStream(file);
  try {
    await storage.put(key, body);
  } finally {
    body.destroy();
  }
}
