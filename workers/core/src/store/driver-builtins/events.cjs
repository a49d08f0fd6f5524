// The driver's require('events'), loaded when the driver first needs it (see [alias] in wrangler.toml).
module.exports = process.getBuiltinModule('node:events');
