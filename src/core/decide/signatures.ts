import { UsageError } from '../errors.js';
import type { ProcessInfo, Role } from '../types.js';

/** A way to recognise a worker: by its executable name (built in) or by a regex over its command line. */
export interface Signature {
  name: string;
  /** Basename argv[0] must equal, for binary signatures. */
  binary?: string;
  /** Regex over the command line (argv joined by spaces), for custom signatures. */
  pattern?: RegExp;
}

/** The kernel's comm is the executable name cut to 15 bytes. */
export const COMM_LEN = 15;

/** Built-in signatures: matched on argv[0]'s basename, never on the truncated comm. */
export const BUILTIN_SIGNATURES: readonly Signature[] = [
  { name: 'ffmpeg', binary: 'ffmpeg' },
  { name: 'srt-live-transmit', binary: 'srt-live-transmit' },
];

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

/** Compiles a user regex, turning a syntax error into a one-line UsageError. */
export function compileRegex(source: string, what: string): RegExp {
  try {
    return new RegExp(source);
  } catch (err) {
    throw new UsageError(`${what}: invalid regular expression '${source}' (${(err as Error).message.replace(/^Invalid regular expression: /, '')})`);
  }
}

/** Parses `--signature NAME=REGEX`. */
export function parseSignatureSpec(spec: string): Signature {
  const eq = spec.indexOf('=');
  if (eq <= 0) throw new UsageError(`--signature '${spec}' must look like NAME=REGEX, e.g. gst=^gst-launch-1\\.0 `);
  const name = spec.slice(0, eq);
  if (!NAME_RE.test(name)) throw new UsageError(`--signature name '${name}' may hold only letters, digits, '.', '_' and '-'`);
  return { name, pattern: compileRegex(spec.slice(eq + 1), `--signature ${name}`) };
}

/** basename without touching node:path, so `a/b/ffmpeg` and `ffmpeg` both give `ffmpeg`. */
export function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/**
 * Whether basename(path) === name, without cutting the basename out: this runs for every
 * process of every scan, and a slice per process is garbage per process.
 */
export function hasBasename(path: string, name: string): boolean {
  const at = path.length - name.length;
  return at >= 0 && path.endsWith(name) && (at === 0 || path.charCodeAt(at - 1) === 0x2f) && path.indexOf('/', at) < 0;
}

/** Whether a process is this signature itself (not a wrapper). Zombies have no argv and match by comm. */
export function matchesSignature(sig: Signature, proc: Pick<ProcessInfo, 'argv' | 'comm' | 'state'>): boolean {
  if (proc.argv.length === 0) {
    // Only zombies are matched by comm: a live process with an empty cmdline is a kernel
    // thread or hides its argv, and comm is ambiguous (truncated to 15 bytes).
    if (proc.state !== 'Z') return false;
    if (sig.binary) return proc.comm === sig.binary.slice(0, COMM_LEN);
    return sig.pattern ? sig.pattern.test(proc.comm) : false;
  }
  if (sig.binary) return hasBasename(proc.argv[0], sig.binary);
  return sig.pattern ? sig.pattern.test(proc.argv.join(' ')) : false;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'mksh', 'busybox']);
const CMD_PREFIXES = new Set(['exec', 'nohup', 'command', 'time', 'nice', 'setsid', 'stdbuf', 'timeout', 'env', 'chrt', 'ionice', 'taskset']);
const KEYWORDS_BEFORE_CMD = new Set(['do', 'then', 'else', 'elif', '!', '{', '(', 'if', 'while', 'until', 'done', 'fi', 'esac']);

/** The script of `sh -c SCRIPT` (options such as `-ec`, `-lc` allowed), or null when argv is not a shell -c. */
export function shellScript(argv: readonly string[]): string | null {
  const j = shellScriptIndex(argv);
  return j === null ? null : argv[j];
}

/** Where the script of `sh -c SCRIPT` is in argv, or null when argv is not a shell -c. */
export function shellScriptIndex(argv: readonly string[]): number | null {
  if (argv.length < 3) return null;
  let i = 0;
  let shell = basename(argv[0]);
  if (shell === 'busybox') {
    i = 1;
    shell = argv[1] ?? '';
  }
  if (!SHELLS.has(shell) || shell === 'busybox') return null;
  for (let j = i + 1; j < argv.length; j++) {
    const a = argv[j];
    if (a === '--') return null;
    if (!a.startsWith('-') || a.length < 2) return null;
    if (!a.startsWith('--') && a.slice(1).includes('c')) return j + 1 < argv.length ? j + 1 : null;
  }
  return null;
}

/** One simple command in a shell script: its command word and its text from that word on. */
export interface ScriptCommand {
  word: string;
  text: string;
}

/**
 * The simple commands of a shell script: the first word after each separator (; & | && ||
 * newline), keyword (do, then ...), assignment or prefix (exec, nohup ...). A lightweight
 * tokenizer: it ignores quoting subtleties, which only makes it stricter.
 */
export function scriptCommands(script: string): ScriptCommand[] {
  const tokens = script.match(/&&|\|\||[;&|()\n{}]|"[^"]*"|'[^']*'|[^\s;&|()]+/g) ?? [];
  const out: ScriptCommand[] = [];
  let current: { word: string; parts: string[] } | null = null;
  let atStart = true;
  const flush = (): void => {
    if (current) out.push({ word: current.word, text: current.parts.join(' ') });
    current = null;
  };
  for (let raw of tokens) {
    if (raw === ';' || raw === '&' || raw === '|' || raw === '&&' || raw === '||' || raw === '\n' || raw === '(' || raw === '{') {
      flush();
      atStart = true;
      continue;
    }
    if (raw === ')' || raw === '}') {
      flush();
      continue;
    }
    if (!atStart) {
      current?.parts.push(raw);
      continue;
    }
    if (raw.startsWith('"') || raw.startsWith("'")) raw = raw.slice(1, -1);
    if (KEYWORDS_BEFORE_CMD.has(raw) || CMD_PREFIXES.has(raw) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(raw) || raw.startsWith('-')) continue;
    current = { word: raw, parts: [raw] };
    atStart = false;
  }
  flush();
  return out;
}

/** Result of matching one process against the active signatures. */
export interface SignatureMatch {
  signature: string;
  role: Role;
}

/**
 * Matches a process: the signature itself (role `process`), or a shell `-c` whose script runs a
 * signature binary (role `wrapper`, the restart-loop pattern). Null when nothing matches.
 */
export function matchProcess(sigs: readonly Signature[], proc: Pick<ProcessInfo, 'argv' | 'comm' | 'state'>): SignatureMatch | null {
  // A shell -c is judged by its script first, so an unanchored custom regex that happens to
  // match the shell's own command line still makes it a wrapper, not a worker.
  const script = shellScript(proc.argv);
  if (script !== null) {
    const cmds = scriptCommands(script);
    for (const s of sigs) {
      const hit = s.binary ? cmds.some((c) => basename(c.word) === s.binary) : cmds.some((c) => s.pattern!.test(c.text));
      if (hit) return { signature: s.name, role: 'wrapper' };
    }
  }
  // Indexed, not for-of: this runs once per process, often before the JIT has warmed up.
  for (let i = 0; i < sigs.length; i++) if (matchesSignature(sigs[i], proc)) return { signature: sigs[i].name, role: 'process' };
  return null;
}

/**
 * The active signatures: built-ins plus custom ones (custom names may not reuse a built-in),
 * restricted by `--match` when given.
 */
export function resolveSignatures(custom: readonly Signature[], match?: readonly string[]): Signature[] {
  const all: Signature[] = [...BUILTIN_SIGNATURES];
  for (const c of custom) {
    if (all.some((s) => s.name === c.name)) {
      throw new UsageError(`signature '${c.name}' is defined twice (${BUILTIN_SIGNATURES.some((s) => s.name === c.name) ? 'it is a built-in' : 'by the config and --signature, or by two --signature options'}): pick another name`);
    }
    all.push(c);
  }
  if (!match || match.length === 0) return all;
  const out: Signature[] = [];
  for (const m of match) {
    const s = all.find((x) => x.name === m);
    if (!s) throw new UsageError(`--match: unknown signature '${m}'; known: ${all.map((x) => x.name).join(', ')}`);
    out.push(s);
  }
  return out;
}
