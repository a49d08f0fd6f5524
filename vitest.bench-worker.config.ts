import { workersTestConfig } from './vitest.config';

// The part of `npm run bench` that runs inside workerd: the Worker's own time per request. The
// QuotaCounter writes its counts at its deployed cadence here (QUOTA_FLUSH_MS unset), so the
// writes a keyed request costs are counted as they are deployed.
export default await workersTestConfig({ include: ['bench/**/*.worker-bench.ts'], quotaFlush: 'default' });
