import { createRequire } from 'node:module';
import type * as CommanderModule from 'commander';

/**
 * commander, required as the CommonJS package it is. Importing it as an ES module goes through
 * its esm.mjs wrapper and Node's CommonJS export scan of index.js, which cost every command a few
 * milliseconds of start-up (here about 7 ms wall, 5 ms CPU) before anything was read or signalled.
 */
const commander = createRequire(import.meta.url)('commander') as typeof CommanderModule;

export const { Command, CommanderError, Option } = commander;
export type Command = CommanderModule.Command;
export type CommanderError = CommanderModule.CommanderError;
export type Option = CommanderModule.Option;
