// A small hand-written SVG line chart: one line per client, x = concurrency (log scale), y = req/s.
const COLORS = ['#d9480f', '#1c7ed6', '#2b8a3e', '#7048e8']

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')

function niceMax(value) {
  if (!(value > 0)) return 1
  const mag = 10 ** Math.floor(Math.log10(value))
  for (const step of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (step * mag >= value) return step * mag
  return 10 * mag
}

export function renderSvg({ title, subtitle, xs, series }) {
  const W = 760
  const H = 440
  const m = { left: 80, right: 200, top: 64, bottom: 56 }
  const pw = W - m.left - m.right
  const ph = H - m.top - m.bottom
  const all = series.flatMap((s) => s.values).filter(Number.isFinite)
  const yMax = niceMax(Math.max(...all, 1) * 1.05)
  const lx = xs.map((x) => Math.log2(x))
  const lMin = Math.min(...lx)
  const lMax = Math.max(...lx)
  const X = (x) => m.left + ((Math.log2(x) - lMin) / (lMax - lMin || 1)) * pw
  const Y = (y) => m.top + ph - (y / yMax) * ph
  const out = []
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="Helvetica, Arial, sans-serif" font-size="12">`)
  out.push(`<rect width="${W}" height="${H}" fill="#ffffff"/>`)
  out.push(`<text x="${m.left}" y="26" font-size="16" font-weight="bold">${esc(title)}</text>`)
  out.push(`<text x="${m.left}" y="46" fill="#555">${esc(subtitle)}</text>`)
  // grid and y axis
  const ticks = 5
  for (let i = 0; i <= ticks; i++) {
    const v = (yMax / ticks) * i
    const y = Y(v).toFixed(1)
    out.push(`<line x1="${m.left}" y1="${y}" x2="${m.left + pw}" y2="${y}" stroke="${i ? '#e9ecef' : '#868e96'}"/>`)
    out.push(`<text x="${m.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#444">${Math.round(v).toLocaleString('en-US')}</text>`)
  }
  for (const x of xs) {
    const px = X(x).toFixed(1)
    out.push(`<line x1="${px}" y1="${m.top}" x2="${px}" y2="${m.top + ph}" stroke="#f1f3f5"/>`)
    out.push(`<text x="${px}" y="${m.top + ph + 18}" text-anchor="middle" fill="#444">${x}</text>`)
  }
  out.push(`<text x="${m.left + pw / 2}" y="${H - 14}" text-anchor="middle" fill="#222">concurrency (in-flight calls, log scale)</text>`)
  out.push(`<text transform="translate(18 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#222">requests per second</text>`)
  // lines
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]
    const pts = xs.map((x, j) => [X(x), Y(s.values[j])]).filter(([, y]) => Number.isFinite(y))
    out.push(`<polyline fill="none" stroke="${color}" stroke-width="2.5" points="${pts.map(([x, y]) => `${x.toFixed(1)},${y.toFixed(1)}`).join(' ')}"/>`)
    xs.forEach((x, j) => {
      const v = s.values[j]
      if (!Number.isFinite(v)) return
      out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(v).toFixed(1)}" r="4" fill="${color}"><title>${esc(s.label)} c=${x}: ${Math.round(v)} req/s</title></circle>`)
      out.push(`<text x="${X(x).toFixed(1)}" y="${(Y(v) - 8).toFixed(1)}" text-anchor="middle" font-size="10" fill="${color}">${Math.round(v).toLocaleString('en-US')}</text>`)
    })
    // legend
    const ly = m.top + 10 + i * 22
    out.push(`<line x1="${m.left + pw + 20}" y1="${ly}" x2="${m.left + pw + 44}" y2="${ly}" stroke="${color}" stroke-width="3"/>`)
    out.push(`<text x="${m.left + pw + 50}" y="${ly}" dominant-baseline="middle">${esc(s.label)}</text>`)
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}
