import type { CommandDef } from '../options.js';
import { killGroupCommand, killTreeCommand } from './kill-group.js';
import { listCommand } from './list.js';
import { pidfilesCommand } from './pidfiles.js';
import { runCommand } from './run.js';
import { sweepCommand } from './sweep.js';
import { watchCommand } from './watch.js';

/** Every command, in help order. Each entry is data; its action module loads only when it runs. */
export const COMMANDS: CommandDef[] = [listCommand, sweepCommand, killGroupCommand, killTreeCommand, pidfilesCommand, watchCommand, runCommand];
