import { mergeConfig } from 'vitest/config';
import testConfig from './vitest.config';

// The part of `npm run bench` that runs inside workerd: the Worker's own time per request.
const config = mergeConfig(testConfig, {});
config.test = { ...config.test, include: ['bench/**/*.worker-bench.ts'] };
export default config;
