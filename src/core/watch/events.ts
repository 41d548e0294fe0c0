/** What `watch` reports besides ticks: process events found by diffing, sweep outcomes, record removals, alarms. */
import type { Outcome } from '../act/outcomes.js';
import type { Flag, Role } from '../types.js';
import type { Alarm } from './alarms.js';

/** The events the watcher finds by diffing two readings. */
export const PROCESS_EVENTS = ['started', 'exited', 'orphaned', 'zombie', 'reaped'] as const;

/** Every event name `watch` emits: the process events, then what tick jobs and alarms report. */
export const WATCH_EVENTS = [...PROCESS_EVENTS, 'swept', 'pidfile-removed', 'alarm'] as const;

/** An event name. */
export type WatchEventName = (typeof WATCH_EVENTS)[number];

/** A change in a matched process's life, found by diffing two snapshots by identity (pid, start time). */
export interface ProcessEvent {
  event: (typeof PROCESS_EVENTS)[number];
  pid: number;
  startTicks: number | null;
  ppid: number;
  signature: string;
  role: Role;
  /** The command line last seen (a zombie has none left). */
  argv: string[];
  flags: Flag[];
  reason: string;
}

/** One target of a `--sweep` pass and what the termination engine did to it. */
export interface SweptEvent {
  event: 'swept';
  pid: number;
  startTicks: number | null;
  ppid: number | null;
  argv: string[];
  signature: string | null;
  outcome: Outcome;
  reason: string;
  signals: string[];
}

/** A pidfile or registry entry that `--clean-pidfiles` removed. */
export interface PidfileRemovedEvent {
  event: 'pidfile-removed';
  path: string;
  pid: number | null;
  status: string;
  reason: string;
}

/** An alarm was raised or has cleared. */
export interface AlarmEvent {
  event: 'alarm';
  state: 'raised' | 'cleared';
  alarm: Alarm;
}

/** Anything `watch` reports besides ticks. */
export type WatchEvent = (ProcessEvent | SweptEvent | PidfileRemovedEvent | AlarmEvent) & { tick: number; at: number };

/** An event before it is stamped with its tick. */
export type UnstampedEvent = ProcessEvent | SweptEvent | PidfileRemovedEvent | AlarmEvent;
