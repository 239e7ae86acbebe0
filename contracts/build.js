#!/usr/bin/env node
// Builds the protocol contracts with the pinned solc-js: installs the npm toolchain when the lockfile
// changed (`npm ci`), then compiles every contract under src/ (and test/ with --tests) through the
// standard-JSON interface and writes <Name>.abi and <Name>.bin per deployable contract to the output folder.
// Usage: node build.js [--out DIR] [--tests DIR] [--skip-install]
'use strict';
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { execFileSync } = require('child_process');

const here = __dirname;
const args = process.argv.slice(2);
function option(name, fallback) {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? path.resolve(args[i + 1]) : fallback;
}
const outDir = option('--out', path.join(here, 'build', 'main'));
const testOutDir = option('--tests', null);

function sha256(...parts) {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}

// npm ci wipes node_modules every time; skip it while the installed tree matches the lockfile.
function ensureDependencies() {
  const lock = fs.readFileSync(path.join(here, 'package-lock.json'));
  const marker = path.join(here, 'node_modules', '.jlivepeer-lock-sha256');
  const want = sha256(lock);
  if (fs.existsSync(marker) && fs.readFileSync(marker, 'utf8') === want) return;
  console.log('[contracts] npm ci (package-lock.json changed or node_modules missing)');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(npm, ['ci', '--no-audit', '--no-fund'], { cwd: here, stdio: 'inherit' });
  fs.writeFileSync(marker, want);
}

function listSources(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listSources(full));
    else if (entry.name.endsWith('.sol')) out.push(full);
  }
  return out.sort();
}

// One solc run over src/ (and test/ when asked); contracts from src/ go to `outDir`, those from test/
// to `testOutDir`, so test-only contracts never reach the main wrappers.
function compile(targets) {
  const dirs = targets.map((t) => t.dir);
  const files = dirs.flatMap(listSources);
  const sources = {};
  for (const f of files) sources[path.relative(here, f).split(path.sep).join('/')] = { content: fs.readFileSync(f, 'utf8') };
  const input = {
    language: 'Solidity',
    sources,
    settings: {
      evmVersion: 'cancun',
      optimizer: { enabled: true, runs: 200 },
      outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object'] } },
    },
  };
  const inputText = JSON.stringify(input);
  // The lockfile pins the compiler: hashing it avoids loading solc (seconds) when nothing changed.
  const want = sha256(inputText, fs.readFileSync(path.join(here, 'package-lock.json')));
  const stampOf = (t) => path.join(t.destination, '.stamp');
  if (targets.every((t) => fs.existsSync(stampOf(t)) && fs.readFileSync(stampOf(t), 'utf8') === want)) {
    console.log('[contracts] up to date');
    return;
  }
  const solc = require(path.join(here, 'node_modules', 'solc'));
  const findImports = (p) => {
    for (const base of [here, path.join(here, 'node_modules')]) {
      const candidate = path.join(base, p);
      if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, 'utf8') };
    }
    return { error: `import not found: ${p}` };
  };
  const output = JSON.parse(solc.compile(inputText, { import: findImports }));
  const errors = (output.errors || []).filter((e) => e.severity === 'error');
  for (const e of output.errors || []) console.error(e.formattedMessage);
  if (errors.length > 0) {
    console.error(`[contracts] compilation failed with ${errors.length} error(s)`);
    process.exit(1);
  }
  for (const t of targets) {
    fs.rmSync(t.destination, { recursive: true, force: true });
    fs.mkdirSync(t.destination, { recursive: true });
    let count = 0;
    for (const file of Object.keys(sources)) {
      if (!file.startsWith(t.prefix)) continue;
      for (const [name, contract] of Object.entries(output.contracts[file] || {})) {
        const bin = contract.evm.bytecode.object;
        // interfaces, abstract contracts and internal-only libraries: nothing to deploy, no wrapper
        if (!bin || contract.abi.length === 0) continue;
        fs.writeFileSync(path.join(t.destination, `${name}.abi`), JSON.stringify(contract.abi));
        fs.writeFileSync(path.join(t.destination, `${name}.bin`), bin);
        console.log(`[contracts] ${name}: ${bin.length / 2} bytes of init code`);
        count++;
      }
    }
    fs.writeFileSync(stampOf(t), want);
    console.log(`[contracts] wrote ${count} contracts to ${t.destination} (solc ${solc.version()})`);
  }
}

if (!args.includes('--skip-install')) ensureDependencies();
const targets = [{ dir: path.join(here, 'src'), destination: outDir, prefix: 'src/' }];
if (testOutDir) targets.push({ dir: path.join(here, 'test'), destination: testOutDir, prefix: 'test/' });
compile(targets);
