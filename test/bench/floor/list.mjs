// The least a Node program must do to answer `procsweep list`: list /proc and read each process's
// stat (pid, ppid, state, start time) and cmdline (what the signatures match). One open, one read
// and one close per file into one shared buffer; no parsing, no output beyond a count. The list
// benchmark times this next to `ps` and procsweep: it is the floor any Node implementation has.
import { closeSync, openSync, readSync, readdirSync } from 'node:fs';

const buf = Buffer.allocUnsafe(1 << 16);
let n = 0;
for (const name of readdirSync('/proc')) {
  const c = name.charCodeAt(0);
  if (c < 48 || c > 57) continue;
  for (const file of ['stat', 'cmdline']) {
    try {
      const fd = openSync(`/proc/${name}/${file}`, 'r');
      try {
        readSync(fd, buf, 0, buf.length, null);
      } finally {
        closeSync(fd);
      }
    } catch {
      /* gone */
    }
  }
  n++;
}
process.stdout.write(`${n}\n`);
