import type { Logger } from './logging/logger';
import type { Config } from './config';
import type { OutboundFetch } from './outbound/http';
import type { YouTubeService } from './youtube/youtube-service';
import type { TimingVariables } from 'hono/timing';
import type { RequestIdVariables } from 'hono/request-id';

/** Bindings of the API Worker; settings arrive as strings and are parsed by config.ts. */
export interface Env {
  [setting: string]: unknown;
}

export interface AppVariables extends TimingVariables, RequestIdVariables {
  config: Config;
  logger: Logger;
  outbound: OutboundFetch;
  youtube: YouTubeService;
}

export type AppEnv = { Bindings: Env; Variables: AppVariables };
