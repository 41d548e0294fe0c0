import type { Owner } from '../core/read/owner/types.js';
import type { Column } from './table.js';
import { escapeText } from './escape.js';

/**
 * The OWNER cell: `pm2:cam1`, `systemd:cam-ingest.service`, `container:3f4e1a2b9c0d`; `!` when that
 * owner is gone. A plain parent is left out (PPID already says it): `-`. Escaped.
 */
export function ownerLabel(owner: Owner | null | undefined): string {
  if (!owner || owner.kind === 'parent') return '-';
  const mark = owner.alive === false ? '!' : '';
  return escapeText(`${owner.kind}${owner.name === null ? '' : `:${owner.name}`}${mark}`);
}

/**
 * Inserts the OWNER column (header and cells) before COMMAND, the last column, when any row has an
 * owner worth showing; otherwise leaves the table as it was, so hosts without supervisors keep
 * their width for the command.
 */
export function withOwnerColumn(columns: readonly Column[], rows: string[][], owners: ReadonlyArray<Owner | null | undefined>): { columns: Column[]; rows: string[][] } {
  const labels = owners.map(ownerLabel);
  if (labels.every((l) => l === '-')) return { columns: [...columns], rows };
  const at = columns.length - 1;
  return {
    columns: [...columns.slice(0, at), { header: 'OWNER', drop: 5 }, ...columns.slice(at)],
    rows: rows.map((r, i) => [...r.slice(0, at), labels[i], ...r.slice(at)]),
  };
}
