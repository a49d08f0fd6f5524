import { z } from 'zod';

/**
 * The parts of an InnerTube `/player` answer this service reads. Everything
 * else is dropped, never refused, so a new field from YouTube never breaks us.
 * Plain (stripping) objects rather than loose ones: a loose object copies every
 * field it does not know, and a player answer is ~50 KiB of them, parsed on every
 * miss without zod's compiled parsers (Workers allow no `new Function`).
 */
const FormatSchema = z.object({
  itag: z.number(),
  url: z.string().optional(),
  signatureCipher: z.string().optional(),
  cipher: z.string().optional(),
  mimeType: z.string(),
  bitrate: z.number().optional(),
  averageBitrate: z.number().optional(),
  contentLength: z.string().optional(),
  audioQuality: z.string().optional(),
  audioChannels: z.number().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  // Only compared with true / false (formats.ts): any value passes.
  isDrc: z.unknown().optional(),
  audioTrack: z.object({ audioIsDefault: z.unknown().optional() }).optional().catch(undefined),
});
export type RawFormat = z.infer<typeof FormatSchema>;

export const PlayerResponseSchema = z.object({
  /** The session YouTube saw: what binds a GVS PO token (po-token-binding.ts). */
  responseContext: z
    .object({
      visitorData: z.string().optional(),
      mainAppWebResponseContext: z.object({ datasyncId: z.string().optional() }).optional(),
    })
    .optional(),
  playabilityStatus: z
    .object({
      status: z.string(),
      reason: z.string().optional(),
      errorScreen: z.unknown().optional(),
    })
    .optional(),
  streamingData: z
    .object({
      expiresInSeconds: z.string().optional(),
      formats: z.array(FormatSchema).optional(),
      adaptiveFormats: z.array(FormatSchema).optional(),
      hlsManifestUrl: z.string().optional(),
      serverAbrStreamingUrl: z.string().optional(),
    })
    .optional(),
  videoDetails: z
    .object({
      videoId: z.string(),
      title: z.string().optional(),
      lengthSeconds: z.string().optional(),
      author: z.string().optional(),
      viewCount: z.string().optional(),
      isLive: z.boolean().optional(),
      isLiveContent: z.boolean().optional(),
      thumbnail: z.object({ thumbnails: z.array(z.object({ url: z.string(), width: z.number().optional() })) }).optional(),
    })
    .optional(),
});
export type PlayerResponse = z.infer<typeof PlayerResponseSchema>;
