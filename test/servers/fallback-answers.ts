/**
 * What an Invidious (`/api/v1/videos/:id`) or Piped (`/streams/:id`) instance
 * answers for a recorded video, built from its InnerTube player answer. Media
 * URLs point back at the instance's host, as proxying instances do.
 */
export function invidiousAnswer(answer: any, videoId: string, host: string) {
  const details = answer.videoDetails;
  return {
    type: 'video',
    title: details.title,
    videoId,
    author: details.author,
    authorId: details.channelId,
    lengthSeconds: Number(details.lengthSeconds),
    viewCount: Number(details.viewCount),
    liveNow: Boolean(details.isLive),
    videoThumbnails: [{ quality: 'high', url: `https://i.ytimg.com/vi/${videoId}/hqdefault.jpg`, width: 480, height: 360 }],
    adaptiveFormats: answer.streamingData.adaptiveFormats.map((format: any) => ({
      itag: String(format.itag),
      type: format.mimeType,
      bitrate: String(format.bitrate),
      clen: format.contentLength,
      url: `https://${host}/videoplayback?id=${videoId}&itag=${format.itag}&clen=${format.contentLength}`,
      audioQuality: format.audioQuality,
    })),
    formatStreams: [],
  };
}

export function pipedAnswer(answer: any, videoId: string, host: string) {
  const details = answer.videoDetails;
  const streams = answer.streamingData.adaptiveFormats.map((format: any) => ({
    url: `https://${host}/videoplayback?id=${videoId}&itag=${format.itag}&clen=${format.contentLength}`,
    mimeType: String(format.mimeType).split(';')[0],
    codec: /codecs="([^"]+)"/.exec(format.mimeType)?.[1] ?? null,
    bitrate: format.bitrate,
    itag: format.itag,
    contentLength: Number(format.contentLength),
    videoOnly: String(format.mimeType).startsWith('video/'),
  }));
  return {
    title: details.title,
    uploader: details.author,
    uploaderUrl: `/channel/${details.channelId}`,
    duration: Number(details.lengthSeconds),
    views: Number(details.viewCount),
    thumbnailUrl: `https://i.ytimg.com/vi/${videoId}/hqdefault.jpg`,
    livestream: Boolean(details.isLive),
    hls: null,
    audioStreams: streams.filter((stream: any) => stream.mimeType.startsWith('audio/')),
    videoStreams: streams.filter((stream: any) => stream.mimeType.startsWith('video/')),
  };
}
