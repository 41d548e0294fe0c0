// The least a Node program must do to end a tree it was given, gracefully: SIGSTOP each PID,
// SIGTERM each, SIGCONT each, then poll /proc/PID/stat every millisecond until every one is gone
// or a zombie; with --grace MS, SIGKILL whatever is left after MS and poll again. No scan, no
// identity check, no plan, no report. The terminate benchmark times this next to procsweep
// (kill-group, sweep) and their peers: the floor any Node implementation has.
// Usage: node kill.mjs [--grace MS] PID...
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
const graceMs = args[0] === '--grace' ? Number(args[1]) : Infinity;
const pids = (args[0] === '--grace' ? args.slice(2) : args).map(Number);
const send = (sig) => {
  for (const p of pids) {
    try {
      process.kill(p, sig);
    } catch {
      /* gone */
    }
  }
};
const alive = (p) => {
  try {
    const s = readFileSync(`/proc/${p}/stat`, 'latin1');
    return s[s.lastIndexOf(')') + 2] !== 'Z';
  } catch {
    return false;
  }
};
send('SIGSTOP');
send('SIGTERM');
send('SIGCONT');
const until = async (deadline) => {
  let left = pids.filter(alive);
  while (left.length > 0 && performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, 1));
    left = left.filter(alive);
  }
  return left;
};
const left = await until(performance.now() + graceMs);
if (left.length > 0) {
  for (const p of left) {
    try {
      process.kill(p, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  await until(Infinity);
}
