import { RUN_OPTIONS } from '../../core/run/options.js';
import { defineCommand, type OptionsOf } from '../options.js';

/** What `runRun` receives: run's own options only (it takes no shared ones). */
export type RunOptions = OptionsOf<typeof RUN_OPTIONS>;

/** `procsweep run`: launch a worker so it cannot leak. Takes no shared options: it selects no processes. */
export const runCommand = defineCommand({
  name: 'run',
  summary: 'start a worker the safe way: own process group, dies with run, pidfile written and removed, restarts',
  args: '<cmd...>',
  passThrough: true,
  shared: false,
  options: RUN_OPTIONS,
  examples: [
    'procsweep run -- ffmpeg -i rtsp://cam1/main -c copy -f rtsp rtsp://127.0.0.1:8554/cam1',
    'procsweep run --restart always --restart-delay 2s -- ffmpeg -i rtsp://cam1/main ...',
    'procsweep run --pid-dir /tmp/srt-gateway-pids --id route_1 --type srt -- srt-live-transmit udp://:4000 srt://:5000',
    'procsweep run --restart on-failure --max-restarts 3 -- ./encode.sh',
  ],
  action: async (args, opts) => (await import('../handlers/run.js')).runRun(args, opts),
});
