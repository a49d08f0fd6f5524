import { createApp } from './app';
import type { Env } from './env';
import { installEvaluator } from './youtube/evaluator';

installEvaluator();
const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
