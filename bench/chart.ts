/** Small horizontal bar charts as SVG, no dependencies: one panel per measure, stacked. */
export interface Bar {
  readonly label: string;
  readonly value: number;
  /** drawn in the accent colour (e.g. the goal not met) */
  readonly flag?: boolean;
}

export interface Panel {
  readonly title: string;
  readonly bars: readonly Bar[];
  /** a vertical reference line, e.g. the goal */
  readonly mark?: { readonly value: number; readonly label: string };
  readonly unit?: string;
}

const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function barCharts(panels: readonly Panel[], width = 820): string {
  const rowH = 22;
  const left = 290;
  const right = 110;
  let y = 0;
  const parts: string[] = [];
  for (const panel of panels) {
    const max = Math.max(1, ...panel.bars.map((b) => b.value), panel.mark?.value ?? 0);
    const scale = (v: number): number => Math.max(1, Math.round(((width - left - right) * v) / max));
    parts.push(`<text x="${width / 2}" y="${y + 22}" text-anchor="middle" font-weight="bold">${esc(panel.title)}</text>`);
    const top = y + 34;
    panel.bars.forEach((b, i) => {
      const by = top + i * rowH;
      const w = scale(b.value);
      parts.push(
        `<text x="${left - 8}" y="${by + 15}" text-anchor="end">${esc(b.label)}</text>` +
          `<rect x="${left}" y="${by + 3}" width="${w}" height="16" fill="${b.flag ? '#d0584a' : '#4a7bd0'}"/>` +
          `<text x="${left + w + 6}" y="${by + 15}">${esc(`${b.value}${panel.unit ?? ''}`)}</text>`,
      );
    });
    const bottom = top + panel.bars.length * rowH;
    if (panel.mark) {
      const x = left + scale(panel.mark.value);
      parts.push(
        `<line x1="${x}" y1="${top}" x2="${x}" y2="${bottom}" stroke="#333" stroke-dasharray="4 3"/>` +
          `<text x="${x + 4}" y="${bottom + 13}" font-size="11">${esc(panel.mark.label)}</text>`,
      );
    }
    y = bottom + 24;
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${y}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="#fff"/>${parts.join('')}</svg>\n`;
}
