#!/usr/bin/env node
// A stand-in for the capture library of seed 000 (gl_capture): it starts
// `ffmpeg -f lavfi ... -f mjpeg pipe:1` and hands the frame pipe to its consumer (this process's
// stdout, read by the server that started it). Its cleanup lives in Drop, so when the host dies
// without unwinding (SIGKILL, a runtime shutting down) nothing stops the ffmpeg.
//
// usage: node capture-host.mjs <camera> <mark>
import { spawn } from 'node:child_process';

const [camera, mark] = process.argv.slice(2);
const ffmpeg = spawn('ffmpeg', [
  '-nostdin', '-hide_banner', '-loglevel', 'error', '-re',
  '-f', 'lavfi', '-i', 'testsrc=size=64x64:rate=5',
  '-metadata', `comment=${mark}-${camera}`,
  '-f', 'mjpeg', 'pipe:1',
], { stdio: ['ignore', 'inherit', 'ignore'] });
ffmpeg.on('error', (err) => {
  process.stderr.write(`capture-host: ffmpeg: ${err.message}\n`);
  process.exit(1);
});
ffmpeg.once('spawn', () => process.stderr.write(`${ffmpeg.pid}\n`));
setInterval(() => {}, 60_000);
