/**
 * Each music-bot family's client logic, in Node, as its own code does it
 * (the repositories named in workers/api/src/routes/compat/*.ts), for the
 * end-to-end run under `npm start`: the same requests, the same status
 * checks, aiohttp's strict `.json()`, the same file naming. A client that
 * sends no key sends none; timeouts are the clients' own.
 */
export interface SavedFile {
  name: string;
  bytes: Buffer;
  headers: Headers;
}

export class ContentTypeError extends Error {}

/** aiohttp's ClientResponse.json(): refuses any Content-Type but application/json. */
export async function aiohttpJson(response: Response): Promise<any> {
  const type = (response.headers.get('Content-Type') ?? '').split(';')[0]!.trim();
  if (type !== 'application/json') throw new ContentTypeError(`ContentTypeError: ${response.status} ${type}`);
  return response.json();
}

/** aiohttp's session.get: redirects followed, a total timeout in seconds. */
export function get(url: string, options: { headers?: Record<string, string>; timeout: number; method?: string }): Promise<Response> {
  return fetch(url, { method: options.method ?? 'GET', headers: options.headers, signal: AbortSignal.timeout(options.timeout * 1000), redirect: 'follow' });
}

async function save(response: Response, name: string): Promise<SavedFile> {
  return { name, bytes: Buffer.from(await response.arrayBuffer()), headers: response.headers };
}

/** aiohttp's `params=`: encoded as a form query. */
function withParams(url: string, params: Record<string, string>): string {
  return `${url}?${new URLSearchParams(params).toString()}`;
}

/** ShrutiMusic/platforms/Youtube.py (NoxxOP/ShrutiMusic and the forks that read SHRUTI_API_URL). */
export const shruti = {
  videoId(link: string): string {
    return link.includes('v=') ? link.split('v=').at(-1)!.split('&')[0]! : link;
  },
  /** The newest client: the answer body is the file; 300 s (audio) / 600 s (video). */
  async download(apiUrl: string, apiKey: string, link: string, video: boolean): Promise<SavedFile | null> {
    const id = this.videoId(link);
    const response = await get(withParams(`${apiUrl}/download`, { url: id, type: video ? 'video' : 'audio', api_key: apiKey }), { timeout: video ? 600 : 300 });
    if (response.status !== 200) return null;
    return save(response, `${id}.${video ? 'mp4' : 'mp3'}`);
  },
  /**
   * Older clients (AnonX forks, SONALI_MUSIC, SIMPLE_MUSIC's engine_shrutibots): no key,
   * `{"download_token"}` within 7–30 s, then `/stream/<id>?type=&token=<token>` (the token
   * pasted into the URL as it is) or the same with `X-Download-Token`; 200 (or a 302 followed).
   */
  async tokenDownload(apiUrl: string, link: string, video: boolean, tokenIn: 'query' | 'header'): Promise<SavedFile | null> {
    const id = this.videoId(link);
    const mode = video ? 'video' : 'audio';
    const first = await get(withParams(`${apiUrl}/download`, { url: id, type: mode }), { timeout: 7 });
    if (first.status !== 200) return null;
    const token = (await aiohttpJson(first)).download_token;
    if (!token) return null;
    const file =
      tokenIn === 'query'
        ? await get(`${apiUrl}/stream/${id}?type=${mode}&token=${token}`, { timeout: 300 })
        : await get(`${apiUrl}/stream/${id}?type=${mode}`, { headers: { 'X-Download-Token': token }, timeout: 120 });
    if (file.status !== 200) return null;
    return save(file, `${id}.${video ? 'mp4' : 'mp3'}`);
  },
};

/** CyberPixelPro/AviaxMusic anony/helpers/_api.py NexGenApi (a 40 s session timeout, 10 tries 4 s apart). */
export const nexgen = {
  async download(apiUrl: string, apiKey: string, videoApiUrl: string, vidId: string, video: boolean): Promise<SavedFile | null> {
    const endpoint = video ? `${videoApiUrl}/video/${vidId}?api=${apiKey}` : `${apiUrl}/song/${vidId}?api=${apiKey}`;
    for (let attempt = 0; attempt < 10; attempt++) {
      try {
        const response = await get(endpoint, { headers: { Accept: 'application/json' }, timeout: 40 });
        const data = await aiohttpJson(response);
        if (response.status !== 200) return null;
        const status = data.status;
        if (!status) return null;
        if (status === 'done') {
          if (!data.link) return null;
          return await this.saveFile(vidId, data.link, video);
        }
        if (status === 'downloading') {
          await new Promise((resolve) => setTimeout(resolve, 4000));
          continue;
        }
        break;
      } catch {
        break;
      }
    }
    return null;
  },
  async saveFile(vidId: string, url: string, video: boolean): Promise<SavedFile | null> {
    const response = await get(url, { timeout: 40 });
    if (response.status !== 200) return null;
    let fileName: string | undefined | null = null;
    const disposition = response.headers.get('Content-Disposition');
    if (disposition) fileName = /filename="?(.+?)"?$/.exec(disposition)?.[1] ?? null;
    else fileName = vidId + (video ? '.mp4' : '.mp3');
    return save(response, `downloads/${fileName}`);
  },
  /** AviaxMusic/platforms/Youtube.py (older): the status first, then `status`, the file named `<id>.<format>`. */
  async legacyDownload(apiUrl: string, apiKey: string, videoId: string): Promise<{ file: SavedFile | null; error?: string }> {
    const response = await get(`${apiUrl}/song/${videoId}?api=${apiKey}`, { timeout: 60 });
    if (response.status !== 200) {
      const data = await aiohttpJson(response);
      return { file: null, error: data.error || data.message || `status ${response.status}` };
    }
    const data = await aiohttpJson(response);
    const status = String(data.status ?? '').toLowerCase();
    if (status !== 'done') return { file: null, error: data.error || data.message };
    const format = String(data.format || 'mp3').toLowerCase();
    const file = await get(data.link, { timeout: 600 });
    if (file.status !== 200) return { file: null, error: `file ${file.status}` };
    return { file: await save(file, `${videoId}.${format}`) };
  },
};

/** deadlineTech/music DeadlineTech/platforms/Youtube.py. */
const STATUS_WORDS_OLD = ['download started', 'background', 'jobstatus', 'job_id', 'processing', 'queued'];
const STATUS_WORDS_NEW = ['processing', 'queued', 'job_id', 'background'];

function candidateOld(obj: any): string | null {
  if (obj === null || obj === undefined) return null;
  if (typeof obj === 'string') return obj.trim() || null;
  if (Array.isArray(obj)) return obj.length ? candidateOld(obj[0]) : null;
  if (typeof obj === 'object') {
    const result = obj.job && typeof obj.job === 'object' ? obj.job.result : undefined;
    if (result && typeof result === 'object') {
      for (const key of ['public_url', 'cdnurl', 'download_url', 'url']) if (typeof result[key] === 'string' && result[key].trim()) return result[key].trim();
    }
    for (const key of ['public_url', 'cdnurl', 'download_url', 'url', 'tg_link']) if (typeof obj[key] === 'string' && obj[key].trim()) return obj[key].trim();
    for (const wrap of ['result', 'results', 'data', 'items']) if (obj[wrap]) return candidateOld(obj[wrap]);
  }
  return null;
}

/** The 0bafaa4a version's `_extract_candidate`: only strings starting with http. */
function candidateNew(obj: any): string | null {
  if (!obj) return null;
  if (typeof obj === 'string' && obj.trim().startsWith('http')) return obj.trim();
  if (typeof obj === 'object' && !Array.isArray(obj)) {
    for (const key of ['public_url', 'url', 'download_url', 'cdnurl']) if (typeof obj[key] === 'string' && obj[key].startsWith('http')) return obj[key];
    if ('result' in obj) return candidateNew(obj.result);
    if ('job' in obj) return candidateNew(obj.job);
  }
  return null;
}

const looksLikeStatus = (words: string[], text: string) => !text || words.some((word) => text.toLowerCase().includes(word));

export const deadline = {
  /** 3f8339f4: a URL in the first answer is downloaded at once; else jobStatus polled without a key. */
  async downloadOld(apiUrl: string, apiKey: string, link: string, video: boolean): Promise<{ file: SavedFile | null; polls: number }> {
    const base = apiUrl.replace(/\/$/, '');
    const start = await get(withParams(`${base}/youtube/v2/download`, { query: link, isVideo: String(video), api_key: apiKey }), { timeout: 60 });
    if (start.status !== 200) return { file: null, polls: 0 };
    const data = await aiohttpJson(start);
    let candidate = candidateOld(data);
    if (candidate && looksLikeStatus(STATUS_WORDS_OLD, candidate)) candidate = null;
    const jobId = data.job && typeof data.job === 'object' ? data.job.id : data.job_id;
    let polls = 0;
    if (jobId && !candidate) {
      for (let attempt = 0; attempt < 15; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        polls++;
        const status = await get(withParams(`${base}/youtube/jobStatus`, { job_id: jobId }), { timeout: 60 });
        if (status.status === 200) {
          const statusData = await aiohttpJson(status);
          candidate = candidateOld(statusData);
          if (candidate && !looksLikeStatus(STATUS_WORDS_OLD, candidate)) break;
          if (statusData.job?.status === 'error') return { file: null, polls };
        }
      }
    }
    if (!candidate) return { file: null, polls };
    const url = /^https?:\/\//.test(candidate) ? candidate : `${base}/${candidate.replace(/^\//, '')}`;
    const file = await get(url, { timeout: 60 });
    if (file.status !== 200) return { file: null, polls };
    return { file: await save(file, `${extractDeadlineId(link)}.${video ? 'mp4' : 'm4a'}`), polls };
  },
  /** 0bafaa4a: `_api_request` sends the key as api_key and X-API-Key everywhere; a job id means polling. */
  async downloadNew(apiUrl: string, apiKey: string, link: string, video: boolean): Promise<{ file: SavedFile | null; polls: number }> {
    const base = apiUrl.replace(/\/$/, '');
    const request = async (endpoint: string, params: Record<string, string>) => {
      const response = await get(withParams(`${base}/${endpoint}`, { ...params, api_key: apiKey }), { headers: { 'X-API-Key': apiKey, Accept: 'application/json' }, timeout: 60 });
      if (response.status >= 200 && response.status < 300) return aiohttpJson(response);
      return null;
    };
    const vid = extractDeadlineId(link);
    const resp = await request('youtube/v2/download', { query: vid || link, isVideo: String(video).toLowerCase() });
    if (!resp) return { file: null, polls: 0 };
    const jobId = resp.job_id || resp.job?.id;
    let polls = 0;
    let candidate: string | null = null;
    if (!jobId) candidate = candidateNew(resp);
    else {
      for (let attempt = 0; attempt < 15; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        polls++;
        const status = await request('youtube/jobStatus', { job_id: jobId });
        candidate = candidateNew(status);
        if (candidate && !looksLikeStatus(STATUS_WORDS_NEW, candidate)) break;
        if (status?.job?.status === 'error') break;
      }
    }
    if (!candidate || candidate.includes('/root/') || candidate.includes('/home/')) return { file: null, polls };
    const file = await get(candidate, { timeout: 60 });
    if (file.status !== 200) return { file: null, polls };
    return { file: await save(file, `${vid}.${video ? 'mp4' : 'm4a'}`), polls };
  },
};

function extractDeadlineId(link: string): string {
  const s = link.trim();
  if (/^[a-zA-Z0-9_-]{11}$/.test(s)) return s;
  const match = /(?:v=|\/)([A-Za-z0-9_-]{11})|youtu\.be\/([A-Za-z0-9_-]{11})/.exec(s);
  if (match) return match[1] ?? match[2] ?? '';
  return '';
}

/** WCGKING/BrandrdXMusic (and SIMPLE_MUSIC's engine_xbit): /info with x-api-key, the file with the same header. */
export const ytproxy = {
  async download(proxyUrl: string, apiKey: string, vidId: string, video: boolean): Promise<{ file: SavedFile | null; message?: string; status?: number }> {
    const headers = { 'x-api-key': apiKey };
    const info = await get(`${proxyUrl}/info/${vidId}`, { headers, timeout: 7 });
    if (info.status !== 200) return { file: null, status: info.status, message: (await aiohttpJson(info)).message };
    const data = await aiohttpJson(info);
    if (data.status !== 'success') return { file: null, message: data.message };
    const url = video ? data.video_url : data.audio_url;
    if (!url) return { file: null };
    const file = await get(url, { headers, timeout: 600 });
    if (file.status !== 200) return { file: null, status: file.status };
    return { file: await save(file, `${vidId}.${video ? 'mp4' : 'mp3'}`) };
  },
};

/** Skssssee/APIMUSIC SHUKLAMUSIC/platforms/Youtube.py: the t.me post, fetched through the bot's Telegram client. */
export const shukla = {
  async telegramPost(apiBaseUrl: string, apiKey: string, videoId: string, video: boolean): Promise<{ channel: string; messageId: number; status: number; data: any } | { status: number; data: any }> {
    const response = await get(withParams(`${apiBaseUrl}/download/${video ? 'video' : 'audio'}`, { video_id: videoId, api_key: apiKey }), { timeout: 60 });
    const data = await aiohttpJson(response);
    if (response.status !== 200) return { status: response.status, data };
    const telegramUrl = data.telegram_url as string;
    // urlparse(url).path.strip("/").split("/") → channel, int(message id)
    const [channel, messageId] = new URL(telegramUrl).pathname.replace(/^\/+|\/+$/g, '').split('/');
    return { status: 200, data, channel: channel!, messageId: Number.parseInt(messageId!, 10) };
  },
};

/** TheTeamVivek/YukkiMusic internal/platforms/fallenapi.go and AshokShau/TgMusicBot src/core/dl/api.go. */
export const fallen = {
  yukkiTelegram: /https:\/\/t\.me\/([a-zA-Z0-9_]{5,})\/(\d+)/,
  tgmusicTelegram: /^https?:\/\/t\.me\/([a-zA-Z0-9_]{4,})\/(\d+)$/,
  async yukki(apiUrl: string, apiKey: string, videoUrl: string): Promise<{ status: number; body: any }> {
    const response = await get(withParams(`${apiUrl}/api/track`, { api_key: apiKey, url: videoUrl }), { timeout: 10 });
    return { status: response.status, body: await response.json() };
  },
  async tgmusic(apiUrl: string, apiKey: string, videoUrl: string): Promise<{ status: number; body: any }> {
    const response = await get(`${apiUrl}/api/track?url=${encodeURIComponent(videoUrl)}`, { headers: { 'X-API-Key': apiKey }, timeout: 20 });
    return { status: response.status, body: await response.json() };
  },
  /** An HTTP download with no headers at all (resty / net/http), named from Content-Disposition or the URL's last segment. */
  async httpDownload(cdnurl: string): Promise<SavedFile | null> {
    const response = await get(cdnurl, { timeout: 600 });
    if (response.status !== 200) return null;
    const named = /filename\*?=(?:UTF-8'')?([^;]+)/.exec(response.headers.get('Content-Disposition') ?? '')?.[1]?.replace(/["<>:/\\|?*]/g, '');
    return save(response, named || new URL(cdnurl).pathname.split('/').at(-1)!);
  },
};

/** Probotsvip/Hai: the original's bots hand `stream_url` straight to PyTgCalls (ffmpeg): a plain GET. */
export const original = {
  async youtube(apiUrl: string, apiKey: string, query: string, video: boolean): Promise<{ status: number; body: any }> {
    const response = await get(withParams(`${apiUrl}/youtube`, { query, video: String(video), api_key: apiKey }), { timeout: 60 });
    return { status: response.status, body: await aiohttpJson(response) };
  },
};
