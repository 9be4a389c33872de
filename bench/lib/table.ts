export type Cell = string | number | null | undefined;

function show(cell: Cell): string {
  if (cell === null || cell === undefined) return "—";
  if (typeof cell === "number") {
    if (Number.isNaN(cell)) return "n/a";
    if (Number.isInteger(cell)) return String(cell);
    // Small ratios (0.0148) keep three significant digits instead of collapsing to 0.01.
    return Math.abs(cell) < 1 ? String(Number(cell.toPrecision(3))) : cell.toFixed(2);
  }
  return cell;
}

/** A plain-text table for the terminal; every scenario prints one. */
export function formatTable(title: string, header: string[], rows: Cell[][]): string {
  const text = [header, ...rows.map((r) => r.map(show))];
  const widths = header.map((_, i) => Math.max(...text.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const rule = `|${widths.map((w) => "-".repeat(w + 2)).join("|")}|`;
  return [`\n## ${title}`, line(header), rule, ...text.slice(1).map(line)].join("\n");
}
