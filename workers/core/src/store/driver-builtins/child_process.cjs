// The driver's require('child_process'), loaded when the driver first needs it (see [alias] in wrangler.toml).
module.exports = process.getBuiltinModule('node:child_process');
