/**
 * Where an event's live output lives in object storage (the storage port, so every API instance
 * and a CDN read the same files): the ingest mirrors ffmpeg's HLS directory here as it grows,
 * and playback reads the playlists and signs the segments under it.
 */
export const liveHlsPrefix = (eventId: string) => `live/${eventId}/hls/`;

/** The whole recording of an event (the source of its VOD), uploaded when it ends. */
export const liveRecordingKey = (eventId: string) => `live/${eventId}/recording.ts`;
