import type { CommandDef } from '../options.js';
import { listCommand } from './list.js';
import { pidfilesCommand } from './pidfiles.js';

/** Every command, in help order. Each entry is data; its action module loads only when it runs. */
export const COMMANDS: CommandDef[] = [listCommand, pidfilesCommand];
