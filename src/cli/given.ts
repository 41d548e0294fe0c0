import type { Command, Option } from 'commander';

/** One scoping option as the operator typed it: its long flag and raw text (null for a switch). */
export interface GivenOption {
  flag: string;
  value: string | null;
}

const given = new WeakMap<Command, GivenOption[]>();

/**
 * Remembers each use of `option` on `cmd` with the text as typed, in command-line order, so a
 * `next:` hint can repeat it exactly (`--older-than 2m`, not the parsed 120000). Listens on
 * commander's public `option:NAME` event, after commander's own listener has validated the value.
 */
export function trackGiven(cmd: Command, option: Option): void {
  const flag = option.long ?? option.short ?? option.name();
  cmd.on(`option:${option.name()}`, (raw?: string) => {
    const list = given.get(cmd) ?? [];
    list.push({ flag, value: typeof raw === 'string' ? raw : null });
    given.set(cmd, list);
  });
}

/** The scoping options given to `cmd`, in the order they were typed. */
export function givenOptions(cmd: Command | undefined): readonly GivenOption[] {
  return cmd ? given.get(cmd) ?? [] : [];
}
