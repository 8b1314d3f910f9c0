#!/usr/bin/env node
'use strict';
// The command line lives in the bundle: run `npm run build` first.
require('../dist/cli.js');
