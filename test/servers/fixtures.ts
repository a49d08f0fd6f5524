import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Loads the recorded YouTube exchanges in test/fixtures/youtube (copied from ../shared/fixtures/youtube). */
export const FIXTURES_DIR = join(import.meta.dirname, '..', 'fixtures', 'youtube');

export interface RecordedExchange {
  request: { url: string; body: unknown } | null;
  response: { status: number; headers: Record<string, string>; body: any };
}

export function readExchange(relativePath: string): RecordedExchange {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, relativePath), 'utf8')) as RecordedExchange;
}

export function listFixtures(folder: string): string[] {
  return readdirSync(join(FIXTURES_DIR, folder))
    .filter((name) => name.endsWith('.json'))
    .map((name) => name.replace(/\.json$/, ''));
}

/** Player answers by video id: the VISIONOS recordings plus the playerResponse inside each unavailable case. */
export function loadPlayerAnswers(): Map<string, any> {
  const answers = new Map<string, any>();
  for (const id of listFixtures('player')) answers.set(id, readExchange(`player/${id}.json`).response.body);
  for (const name of listFixtures('unavailable')) {
    const exchange = readExchange(`unavailable/${name}.json`);
    const id = new URL(exchange.request!.url).searchParams.get('id')!;
    // Non-existent and invalid ids were recorded as an empty answer.
    answers.set(id, exchange.response.body.playerResponse ?? exchange.response.body);
  }
  return answers;
}

export { seedOf, streamByte, streamBytes } from './stream-bytes';
