/** A small horizontal bar chart as SVG, no dependencies. */
export function barChart(bars: ReadonlyArray<{ label: string; value: number }>, title: string): string {
  const width = 640;
  const rowH = 28;
  const left = 170;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const height = 50 + bars.length * rowH;
  const esc = (s: string): string => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  const rows = bars.map((b, i) => {
    const y = 40 + i * rowH;
    const w = Math.max(1, Math.round(((width - left - 90) * b.value) / max));
    return `<text x="${left - 8}" y="${y + 17}" text-anchor="end">${esc(b.label)}</text><rect x="${left}" y="${y + 4}" width="${w}" height="18" fill="#4a7bd0"/><text x="${left + w + 6}" y="${y + 17}">${b.value}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13"><rect width="100%" height="100%" fill="#fff"/><text x="${width / 2}" y="22" text-anchor="middle" font-weight="bold">${esc(title)}</text>${rows.join('')}</svg>\n`;
}
