// `node --import ./scripts/support/register-workers-only-modules.mjs`: see workers-only-modules.mjs.
import { register } from 'node:module';

register('./workers-only-modules.mjs', import.meta.url);
