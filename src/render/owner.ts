import type { Owner } from '../core/owner/types.js';
import { escapeText } from './escape.js';

/** The OWNER cell: `pm2:cam1`, `systemd:cam-ingest.service`, `container:3f4e1a2b9c0d`; `!` when that owner is gone, `?` when unknown; `-` without one. Escaped. */
export function ownerLabel(owner: Owner | null | undefined): string {
  if (!owner) return '-';
  const mark = owner.alive === false ? '!' : '';
  return escapeText(`${owner.kind}${owner.name === null ? '' : `:${owner.name}`}${mark}`);
}
