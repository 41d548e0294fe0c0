/** One node of a pstree-like drawing; `label` gets the room left on the line (Infinity when uncut). */
export interface TreeNode {
  label: (room: number) => string;
  children: TreeNode[];
}

const UNICODE = { mid: '├─ ', last: '└─ ', bar: '│  ' };
const ASCII = { mid: '|- ', last: '`- ', bar: '|  ' };

/** Draws a forest with box-drawing guides (ASCII ones when `unicode` is false); each label is told how much of `width` is left. */
export function renderTree(roots: readonly TreeNode[], width: number | null, unicode = true): string {
  const g = unicode ? UNICODE : ASCII;
  const lines: string[] = [];
  const walk = (n: TreeNode, prefix: string, childPrefix: string): void => {
    lines.push(prefix + n.label(width === null ? Infinity : Math.max(8, width - prefix.length)));
    n.children.forEach((c, i) => {
      const last = i === n.children.length - 1;
      walk(c, childPrefix + (last ? g.last : g.mid), childPrefix + (last ? '   ' : g.bar));
    });
  };
  for (const r of roots) walk(r, '', '');
  return lines.join('\n');
}
