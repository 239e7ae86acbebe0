#!/usr/bin/env node
// Drives a real headless Chromium (Debian's /usr/bin/chromium by default) through B's dashboard for the browser
// tests (DashboardBrowser.java): opens the page, waits for the stream's card (by its name or playback id) to show
// it live, measures how far its player's video.currentTime advances, and writes a screenshot. With --recording it
// also plays the stream's first ready recording; with --expect-key-prompt it only waits for the refused-key box. Prints one JSON line with the figures; the Java test asserts.
// Usage: node check-dashboard.js --modules <node_modules> --chromium <path> --url <dashboard URL> --stream <name>
//        --advance <seconds> --timeout <seconds> --screenshot <png> --profile <fresh dir> [--recording | --expect-key-prompt]
'use strict';
const path = require('path');

const args = process.argv.slice(2);
function opt(name, fallback) {
  const i = args.indexOf('--' + name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
}
const modules = opt('modules');
const { chromium } = require(path.join(modules, 'playwright-core'));
const executable = opt('chromium', '/usr/bin/chromium');
const url = opt('url');
const stream = opt('stream');
const advance = Number(opt('advance', '4'));
const timeoutMs = Number(opt('timeout', '60')) * 1000;
const screenshot = opt('screenshot');
const profile = opt('profile');
const recording = args.includes('--recording');
const keyPrompt = args.includes('--expect-key-prompt');

// The stream's card, by its name or its playback id, once it shows the stream live; then its player.
async function checkStream(page, result, left) {
  const live = await page.waitForFunction((name) => {
    const el = [...document.querySelectorAll('.stream')]
      .find((e) => e.dataset.streamName === name || e.dataset.playbackId === name);
    return el && el.dataset.live === 'true' ? '.stream[data-stream-id="' + CSS.escape(el.dataset.streamId) + '"]' : null;
  }, stream, { timeout: left(), polling: 200 });
  const card = await live.jsonValue();
  result.live = true;
  // playing: currentTime has moved off 0 (hls.js has parsed, buffered and started the live stream)
  await page.waitForFunction((sel) => {
    const v = document.querySelector(sel + ' .player video');
    return v && v.currentTime > 0 && !v.paused;
  }, card, { timeout: left(), polling: 100 });
  const t = (sel) => page.evaluate((s) => document.querySelector(s + ' .player video').currentTime, sel);
  result.startTime = await t(card);
  await page.waitForFunction(([sel, from, by]) => {
    const v = document.querySelector(sel + ' .player video');
    return v.currentTime - from >= by;
  }, [card, result.startTime, advance], { timeout: left(), polling: 200 }).catch(() => {});
  result.endTime = await t(card);
  result.advanced = result.endTime - result.startTime;
  result.text = await page.evaluate((sel) => document.querySelector(sel).innerText, card);
  if (recording) {
    const rec = card + ' .recordings';
    await page.waitForSelector(rec + ' .play-recording', { timeout: left() });
    await page.click(rec + ' .play-recording');
    await page.waitForFunction((sel) => {
      const v = document.querySelector(sel + ' .recording-player video');
      return v && v.currentTime >= 2;
    }, rec, { timeout: left(), polling: 200 }).catch(() => {});
    result.recording = await page.evaluate((sel) => {
      const v = document.querySelector(sel + ' .recording-player video');
      return { currentTime: v.currentTime, duration: v.duration };
    }, rec);
  }
}

// A refused key: the key box comes back with the broadcaster's reason.
async function checkKeyPrompt(page, result, left) {
  await page.waitForSelector('#key-panel:not([hidden]) #key-error:not([hidden])', { timeout: left() });
  result.keyPrompt = await page.evaluate(() => document.getElementById('key-error').textContent);
}

(async () => {
  const result = { live: false, startTime: null, endTime: null, advanced: 0, console: [], recording: null };
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: executable,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--autoplay-policy=no-user-gesture-required'],
  });
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1000, deadline - Date.now());
  try {
    const page = context.pages()[0] || (await context.newPage());
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') result.console.push(m.text()); });
    page.on('pageerror', (e) => result.console.push('page error: ' + e.message));
    await page.goto(url, { waitUntil: 'load', timeout: left() });
    if (keyPrompt) {
      await checkKeyPrompt(page, result, left);
    } else {
      await checkStream(page, result, left);
    }
    result.pageText = await page.evaluate(() => document.body.innerText);
    await page.screenshot({ path: screenshot, fullPage: true });
  } catch (e) {
    result.error = e.message.split('\n')[0];
    try {
      const page = context.pages()[0];
      if (page) await page.screenshot({ path: screenshot, fullPage: true });
    } catch (ignored) { /* the failure above is the one to report */ }
  } finally {
    await context.close();
  }
  console.log('RESULT ' + JSON.stringify(result));
})().catch((e) => {
  console.error('check-dashboard: ' + e.message);
  process.exit(1);
});
