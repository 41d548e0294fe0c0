#!/usr/bin/env node
// A stand-in for the SRT router of seed 001 (src/services/pidManager.js): it starts each route's
// srt-live-transmit (udp in -> srt listener out, loopback only) and, for transcoded routes, an
// ffmpeg that feeds the route's udp input, and saves every PID to `{routeId}_{type}.pid` as
// `PID\nEPOCH_MS\n` in its pid dir. Then it idles, like a server, until it is killed. A route with
// `pidfile: false` models the crash window between spawning a worker and saving its PID.
//
// usage: node srt-router.mjs '<json config>'
//   { pidDir, logDir, mark, routes: [{ id, udpIn, srtOut, transcode?, outType?, pidfile? }] }
// Prints one line `{"ready":true,"routes":[{id,srt,ffmpeg}]}` once every pidfile is written.
import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const cfg = JSON.parse(process.argv[2]);

/** Saves a PID the way the router does: write a temp file, rename it into place. */
function savePid(routeId, type, pid) {
  const file = join(cfg.pidDir, `${routeId}_${type}.pid`);
  writeFileSync(`${file}.tmp`, `${pid}\n${Date.now()}\n`, { mode: 0o644 });
  renameSync(`${file}.tmp`, file);
}

function start(cmd, args) {
  const child = spawn(cmd, args, { stdio: 'ignore' });
  child.on('error', (err) => {
    process.stderr.write(`router: ${cmd}: ${err.message}\n`);
    process.exit(1);
  });
  return new Promise((resolve) => child.once('spawn', () => resolve(child.pid)));
}

const ready = [];
for (const r of cfg.routes) {
  const srt = await start('srt-live-transmit', [
    '-s:500',
    '-q',
    `-logfile:${join(cfg.logDir, `${cfg.mark}-${r.id}.log`)}`,
    `udp://127.0.0.1:${r.udpIn}`,
    `srt://127.0.0.1:${r.srtOut}?mode=listener`,
  ]);
  if (r.pidfile !== false) savePid(r.id, r.outType ?? 'srt', srt);
  let ffmpeg = null;
  if (r.transcode) {
    ffmpeg = await start('ffmpeg', [
      '-nostdin', '-hide_banner', '-loglevel', 'error', '-re',
      '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5',
      '-metadata', `comment=${cfg.mark}-${r.id}`,
      '-f', 'mpegts', `udp://127.0.0.1:${r.udpIn}?pkt_size=1316`,
    ]);
    if (r.pidfile !== false) savePid(r.id, 'ffmpeg', ffmpeg);
  }
  ready.push({ id: r.id, srt, ffmpeg });
}
process.stdout.write(`${JSON.stringify({ ready: true, routes: ready })}\n`);
setInterval(() => {}, 60_000);
