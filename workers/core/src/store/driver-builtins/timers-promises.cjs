// The driver's require('timers/promises'), loaded when the driver first needs it (see [alias] in wrangler.toml).
module.exports = process.getBuiltinModule('node:timers/promises');
