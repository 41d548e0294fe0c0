import { RESTART_POLICIES } from '../../core/run/policy.js';
import { durationArg, GRACE_MAX, intArg, MAX_TIMER_MS, type CommandDef } from '../options.js';

/** `procsweep run`: launch a worker so it cannot leak. Takes no shared options: it selects no processes. */
export const runCommand: CommandDef = {
  name: 'run',
  summary: 'start a worker the safe way: own process group, dies with run, pidfile written and removed, restarts',
  args: '<cmd...>',
  passThrough: true,
  shared: false,
  options: [
    { flags: '--pid-dir <dir>', description: 'write a timestamped pidfile ID_TYPE.pid (PID, start time in ms) here while CMD runs; created if missing' },
    { flags: '--id <route>', description: 'pidfile name: the route or task id (needs --pid-dir)' },
    { flags: '--type <type>', description: "pidfile name: the process type, e.g. ffmpeg or srtOut:6000 (default: CMD's name)" },
    { flags: '--restart <policy>', description: 'start CMD again when it exits: never, on-failure (non-zero status or signal) or always', choices: RESTART_POLICIES, defaultValue: 'never' },
    { flags: '--restart-delay <dur>', description: 'wait this long before each restart', parse: durationArg('--restart-delay', { ms: MAX_TIMER_MS, text: '24d', why: 'a longer timer cannot be set' }), defaultValue: 2000, defaultDescription: '2s' },
    { flags: '--max-restarts <n>', description: 'give up after this many restarts and exit with the last status (default: no limit)', parse: intArg('--max-restarts') },
    { flags: '--grace <dur>', description: "on stop, time CMD's process group gets between the signal and SIGKILL", parse: durationArg('--grace', GRACE_MAX), defaultValue: 3000, defaultDescription: '3s' },
    { flags: '--survive-parent', description: 'keep running when the process that started run exits (default: stop CMD and exit, so a crashed supervisor leaks nothing)' },
  ],
  examples: [
    'procsweep run -- ffmpeg -i rtsp://cam1/main -c copy -f rtsp rtsp://127.0.0.1:8554/cam1',
    'procsweep run --restart always --restart-delay 2s -- ffmpeg -i rtsp://cam1/main ...',
    'procsweep run --pid-dir /tmp/srt-gateway-pids --id route_1 --type srt -- srt-live-transmit udp://:4000 srt://:5000',
    'procsweep run --restart on-failure --max-restarts 3 -- ./encode.sh',
  ],
  action: async (args, opts) => (await import('../actions/run.js')).runRun(args, opts),
};
