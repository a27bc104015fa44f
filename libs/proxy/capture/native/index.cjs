// Loads the addon built by node-gyp at install time.
'use strict';
module.exports = require('./build/Release/original_dst.node');
