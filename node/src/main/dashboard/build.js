#!/usr/bin/env node
// Puts the dashboard's third-party browser code into node's jar: installs the pinned npm packages when the
// lockfile changed (`npm ci`, as contracts/build.js does), then copies hls.js's minified build and its licence
// next to the dashboard's own static files (src/main/resources/io/jlivepeer/node/dashboard/).
// Usage: node build.js --out <classes>/io/jlivepeer/node/dashboard
//        node build.js --install-only [--package <folder>]   (just npm ci, of this package or of <folder>)
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');

const args = process.argv.slice(2);
function option(name) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? path.resolve(args[i + 1]) : null;
}
// --package: another npm package to install the same way (node/src/test/dashboard: playwright-core for the tests)
const here = option('--package') || __dirname;
const installOnly = args.includes('--install-only');
const outDir = option('--out');
if (!installOnly && !outDir) {
  console.error('usage: node build.js --out <folder for hls.min.js> | --install-only [--package <npm package folder>]');
  process.exit(2);
}

// npm ci wipes node_modules every time; skip it while the installed tree matches the lockfile.
function ensureDependencies() {
  const want = crypto.createHash('sha256').update(fs.readFileSync(path.join(here, 'package-lock.json'))).digest('hex');
  const marker = path.join(here, 'node_modules', '.jlivepeer-lock-sha256');
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want) return;
  console.log(`[dashboard] npm ci in ${path.relative(process.cwd(), here) || '.'} (package-lock.json changed or node_modules missing)`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit' });
  fs.writeFileSync(marker, want);
}

function copy(from, to) {
  const source = path.join(here, 'node_modules', from);
  if (!fs.existsSync(source)) {
    throw new Error(`${source} is missing after npm ci: is package-lock.json's hls.js intact?`);
  }
  fs.copyFileSync(source, path.join(outDir, to));
}

ensureDependencies();
if (installOnly) process.exit(0);
fs.mkdirSync(outDir, { recursive: true });
copy('hls.js/dist/hls.min.js', 'hls.min.js');
copy('hls.js/LICENSE', 'hls.js.LICENSE.txt');
const version = JSON.parse(fs.readFileSync(path.join(here, 'node_modules', 'hls.js', 'package.json'), 'utf8')).version;
console.log(`[dashboard] hls.js ${version} -> ${path.relative(process.cwd(), outDir) || '.'}`);
