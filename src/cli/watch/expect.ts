import { UsageError } from '../../core/errors.js';

/** Parses one `--expect SIG=N`. */
export function parseExpect(spec: string): [string, number] {
  const m = /^([^=\s]+)=(\d+)$/.exec(spec.trim());
  if (!m) throw new UsageError(`--expect '${spec}' must look like SIGNATURE=COUNT, e.g. ffmpeg=64`);
  return [m[1], Number(m[2])];
}
