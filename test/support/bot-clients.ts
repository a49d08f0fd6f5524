import { api } from './api';

/**
 * The music bots' client logic, rewritten from reading each family's code
 * (the repositories named in routes/compat/*.ts), as strict as the bots are:
 * aiohttp's `resp.json()` refuses a body whose Content-Type is not
 * application/json, status checks happen where the bot makes them, files are
 * named as the bot names them. Requests go to the Worker under test; a client
 * that sends no key sends none (the test helper's admin key is switched off).
 */
export const BASE = 'http://api.test';

export interface SavedFile {
  name: string;
  bytes: Uint8Array;
  headers: Headers;
}

/** fetch() of a bot: an absolute URL of the service, with the bot's own headers only. */
export function botFetch(url: string, init: { headers?: Record<string, string> } = {}): Promise<Response> {
  const target = new URL(url);
  if (target.origin !== BASE) throw new Error(`the bot was sent outside the service: ${url}`);
  const headers = new Headers(init.headers);
  if (!headers.has('X-API-Key')) headers.set('X-API-Key', 'none');
  return api(target.pathname + target.search, { headers });
}

/** aiohttp's ClientResponse.json(): a ContentTypeError unless the type is application/json. */
export async function aiohttpJson(response: Response): Promise<any> {
  const type = (response.headers.get('Content-Type') ?? '').split(';')[0]!.trim();
  if (type !== 'application/json') throw new Error(`ContentTypeError: ${type}`);
  return response.json();
}

async function save(response: Response, name: string): Promise<SavedFile> {
  return { name, bytes: new Uint8Array(await response.arrayBuffer()), headers: response.headers };
}

/** `link.split("v=")[-1].split("&")[0] if "v=" in link else link` */
function shrutiVideoId(link: string): string {
  return link.includes('v=') ? link.split('v=').at(-1)!.split('&')[0]! : link;
}

function query(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}

export const shruti = {
  /** The newest client: the /download answer is the file, any non-200 is a failure. */
  async download(apiUrl: string, apiKey: string, link: string, video: boolean): Promise<SavedFile | null> {
    const id = shrutiVideoId(link);
    const response = await botFetch(`${apiUrl}/download?${query({ url: id, type: video ? 'video' : 'audio', api_key: apiKey })}`);
    if (response.status !== 200) return null;
    return save(response, `${id}.${video ? 'mp4' : 'mp3'}`);
  },
  /** Older clients: no key; {"download_token"} first, then /stream/<id> with the token in the query or a header. */
  async tokenDownload(apiUrl: string, link: string, video: boolean, tokenIn: 'query' | 'header'): Promise<SavedFile | null> {
    const id = shrutiVideoId(link);
    const type = video ? 'video' : 'audio';
    const first = await botFetch(`${apiUrl}/download?${query({ url: id, type })}`);
    if (first.status !== 200) return null;
    const token = (await aiohttpJson(first)).download_token;
    if (!token) return null;
    const file =
      tokenIn === 'query'
        ? await botFetch(`${apiUrl}/stream/${id}?type=${type}&token=${token}`)
        : await botFetch(`${apiUrl}/stream/${id}?type=${type}`, { headers: { 'X-Download-Token': token } });
    if (file.status !== 200) return null;
    return save(file, `${id}.${video ? 'mp4' : 'mp3'}`);
  },
};

export const nexgen = {
  /**
   * anony/helpers/_api.py NexGenApi.download: JSON parsed before the status is
   * looked at, `downloading` retried (10 tries, 4 s apart), anything else but
   * `done` a failure; save_file names the file from Content-Disposition.
   */
  async download(api_url: string, api_key: string, video_api_url: string, vidId: string, video: boolean, sleep: (seconds: number) => Promise<void>): Promise<SavedFile | null> {
    const endpoint = video ? `${video_api_url}/video/${vidId}?api=${api_key}` : `${api_url}/song/${vidId}?api=${api_key}`;
    for (let attempt = 0; attempt < 10; attempt++) {
      let data: any;
      let response: Response;
      try {
        response = await botFetch(endpoint, { headers: { Accept: 'application/json' } });
        data = await aiohttpJson(response);
      } catch {
        break;
      }
      if (response.status !== 200) return null;
      const status = data.status;
      if (!status) return null;
      if (status === 'done') {
        if (!data.link) return null;
        return this.saveFile(vidId, data.link, video);
      }
      if (status === 'downloading') {
        await sleep(4);
        continue;
      }
      break;
    }
    return null;
  },
  async saveFile(vidId: string, url: string, video: boolean): Promise<SavedFile | null> {
    const response = await botFetch(url);
    if (response.status !== 200) return null;
    let fileName: string | undefined;
    const disposition = response.headers.get('Content-Disposition');
    if (disposition) fileName = /filename="?(.+?)"?$/.exec(disposition)?.[1];
    else fileName = vidId + (video ? '.mp4' : '.mp3');
    return save(response, String(fileName));
  },
  /** AviaxMusic/platforms/Youtube.py (older): status checked first, the file named `<id>.<format>`. */
  async legacyDownload(apiUrl: string, apiKey: string, videoId: string): Promise<{ file: SavedFile | null; error?: string }> {
    const response = await botFetch(`${apiUrl}/song/${videoId}?api=${apiKey}`);
    if (response.status !== 200) return { file: null, error: `API request failed with status code ${response.status}` };
    const data = await aiohttpJson(response);
    const status = String(data.status ?? '').toLowerCase();
    if (status !== 'done') return { file: null, error: data.error || data.message || `Unexpected status '${status}'` };
    const format = String(data.format || 'mp3').toLowerCase();
    return { file: await save(await botFetch(data.link), `${videoId}.${format}`) };
  },
};

const DEADLINE_STATUS_WORDS = ['download started', 'background', 'jobstatus', 'job_id', 'processing', 'queued'];

/** DeadlineTech/platforms/Youtube.py `_extract_candidate` (the version at 3f8339f4). */
function deadlineCandidate(obj: any): string | null {
  if (obj === null || obj === undefined) return null;
  if (typeof obj === 'string') return obj.trim() || null;
  if (Array.isArray(obj)) return obj.length ? deadlineCandidate(obj[0]) : null;
  if (typeof obj === 'object') {
    const result = obj.job && typeof obj.job === 'object' ? obj.job.result : undefined;
    if (result && typeof result === 'object') {
      for (const key of ['public_url', 'cdnurl', 'download_url', 'url']) if (typeof result[key] === 'string' && result[key].trim()) return result[key].trim();
    }
    for (const key of ['public_url', 'cdnurl', 'download_url', 'url', 'tg_link']) if (typeof obj[key] === 'string' && obj[key].trim()) return obj[key].trim();
    for (const wrap of ['result', 'results', 'data', 'items']) if (obj[wrap]) return deadlineCandidate(obj[wrap]);
  }
  return null;
}

function joinToBase(apiUrl: string, candidate: string): string | null {
  if (/^https?:\/\//.test(candidate)) return candidate;
  if (candidate.startsWith('/')) return candidate.startsWith('/root') || candidate.startsWith('/home') ? null : apiUrl.replace(/\/$/, '') + candidate;
  return `${apiUrl.replace(/\/$/, '')}/${candidate}`;
}

export const deadline = {
  /**
   * One cycle of v2_download_process: start the job with the key; a URL in the
   * first answer is downloaded at once; else poll jobStatus (without a key)
   * 15 times, 2 s growing by 1.2, stopping on `job.status == "error"`.
   * `pollAlways` is the other version (0bafaa4a), which polls whenever a job id is there, sending its key.
   */
  async download(apiUrl: string, apiKey: string, link: string, video: boolean, sleep: (seconds: number) => Promise<void>, pollAlways = false): Promise<{ file: SavedFile | null; polls: number; error?: string }> {
    const start = await botFetch(`${apiUrl.replace(/\/$/, '')}/youtube/v2/download?${query({ query: link, isVideo: String(video), api_key: apiKey })}`);
    if (start.status !== 200) return { file: null, polls: 0, error: `start answered ${start.status}` };
    const data = await aiohttpJson(start);
    let candidate = pollAlways ? null : deadlineCandidate(data);
    if (candidate && DEADLINE_STATUS_WORDS.some((word) => candidate!.toLowerCase().includes(word))) candidate = null;
    let jobId = data.job_id;
    if (data.job && typeof data.job === 'object') jobId = data.job.id;
    let polls = 0;
    if (jobId && !candidate) {
      let interval = 2;
      for (let attempt = 0; attempt < 15; attempt++) {
        await sleep(interval);
        polls++;
        const keyParams: Record<string, string> = pollAlways ? { api_key: apiKey } : {};
        const status = await botFetch(`${apiUrl.replace(/\/$/, '')}/youtube/jobStatus?${query({ job_id: jobId, ...keyParams })}`, pollAlways ? { headers: { 'X-API-Key': apiKey } } : {});
        if (status.status === 200) {
          const statusData = await aiohttpJson(status);
          candidate = deadlineCandidate(statusData);
          if (candidate && !DEADLINE_STATUS_WORDS.some((word) => candidate!.toLowerCase().includes(word))) break;
          if (statusData.job?.status === 'error') return { file: null, polls, error: statusData.job.error };
        }
        interval *= 1.2;
      }
    }
    if (!candidate) return { file: null, polls, error: 'no candidate' };
    const url = joinToBase(apiUrl, candidate);
    if (!url) return { file: null, polls, error: 'bad url' };
    const file = await botFetch(url);
    if (file.status !== 200) return { file: null, polls, error: `file answered ${file.status}` };
    const id = /[?&]v=([\w-]{11})/.exec(link)?.[1] ?? link;
    return { file: await save(file, `${id}.${video ? 'mp4' : 'm4a'}`), polls };
  },
};

export const ytproxy = {
  /** engine_xbit: /info with x-api-key, status 200 then `status == "success"`, the URL downloaded with the same header. */
  async download(proxyUrl: string, apiKey: string, vidId: string, video: boolean): Promise<{ file: SavedFile | null; message?: string; status?: number }> {
    const headers = { 'x-api-key': apiKey };
    const info = await botFetch(`${proxyUrl}/info/${vidId}`, { headers });
    if (info.status !== 200) return { file: null, status: info.status, message: (await aiohttpJson(info)).message };
    const data = await aiohttpJson(info);
    if (data.status !== 'success') return { file: null, message: data.message };
    const url = video ? data.video_url : data.audio_url;
    if (!url) return { file: null };
    const file = await botFetch(url, { headers });
    if (!file.ok) return { file: null, status: file.status };
    return { file: await save(file, `${vidId}.${video ? 'mp4' : 'mp3'}`) };
  },
};
