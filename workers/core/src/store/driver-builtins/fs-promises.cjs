// The driver's require('fs/promises'), loaded when the driver first needs it (see [alias] in wrangler.toml).
module.exports = process.getBuiltinModule('node:fs/promises');
