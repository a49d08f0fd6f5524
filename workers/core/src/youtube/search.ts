import { YTNodes, type Innertube } from 'youtubei.js/cf-worker';

/**
 * Search through youtubei.js's parsers: YouTube Music's song search (best for
 * music: official audio, right durations) and the web search.
 */
export interface SearchResult {
  id: string;
  title: string;
  duration: number;
  channel: string;
  thumbnail: string;
}

export async function searchMusicSongs(innertube: Innertube, text: string, limit: number): Promise<SearchResult[]> {
  const search = await innertube.music.search(text, { type: 'song' });
  const results: SearchResult[] = [];
  for (const shelf of search.contents?.filterType(YTNodes.MusicShelf) ?? []) {
    for (const item of shelf.contents.filterType(YTNodes.MusicResponsiveListItem)) {
      if (!item.id || !/^[A-Za-z0-9_-]{11}$/.test(item.id)) continue;
      results.push({
        id: item.id,
        title: item.title ?? item.flex_columns?.[0]?.title?.toString() ?? '',
        duration: item.duration?.seconds ?? 0,
        channel: item.artists?.map((artist) => artist.name).join(', ') || item.author?.name || '',
        thumbnail: largestThumbnail(item.thumbnails) ?? `https://i.ytimg.com/vi/${item.id}/hqdefault.jpg`,
      });
      if (results.length >= limit) return results;
    }
  }
  return results;
}

export async function searchWebVideos(innertube: Innertube, text: string, limit: number): Promise<SearchResult[]> {
  const search = await innertube.search(text, { type: 'video' });
  const results: SearchResult[] = [];
  for (const video of search.results?.filterType(YTNodes.Video) ?? []) {
    if (!video.video_id) continue;
    results.push({
      id: video.video_id,
      title: video.title?.toString() ?? '',
      duration: video.duration?.seconds ?? 0,
      channel: video.author?.name ?? '',
      thumbnail: largestThumbnail(video.thumbnails)?.split('?')[0] ?? `https://i.ytimg.com/vi/${video.video_id}/hqdefault.jpg`,
    });
    if (results.length >= limit) break;
  }
  return results;
}

function largestThumbnail(thumbnails: { url: string; width?: number }[] | undefined): string | undefined {
  if (!thumbnails?.length) return undefined;
  return [...thumbnails].sort((a, b) => (b.width ?? 0) - (a.width ?? 0))[0]!.url;
}
