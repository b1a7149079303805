// The replay page's chart (cwfilter.report.html): lanes of bars, threshold, state bands and
// notification markers drawn as SVG for the range in view; a brush and inputs to zoom.
// Self-contained: no library, nothing fetched.
"use strict";
(function () {
  const D = JSON.parse(document.getElementById("cwf-data").textContent);
  const LANE_H = 200, STRIP = 16, MARKS = 16, BOTTOM = 24, LEFT = 64, RIGHT = 72;
  const NAMES = { O: "OK", A: "ALARM", I: "INSUFFICIENT_DATA" };
  const MIN_SPAN = 5 * 60000;
  const lanesEl = document.getElementById("cwf-lanes");
  const tip = document.createElement("div");
  tip.id = "cwf-tip";
  tip.hidden = true;
  tip.setAttribute("role", "tooltip");
  document.body.appendChild(tip);

  function decodeValues(text) {
    if (!text) return new Float64Array(0);
    const toks = text.split(",");
    let n = 0;
    for (const t of toks) n += t[0] === "~" ? +t.slice(1) : 1;
    const v = new Float64Array(n);
    let i = 0;
    for (const t of toks) {
      if (t[0] === "~") { const k = +t.slice(1); v.fill(NaN, i, i + k); i += k; } else v[i++] = +t;
    }
    return v;
  }
  function decodeStates(lane) {
    const starts = [], codes = [];
    let t = lane.start;
    if (lane.states) {
      for (const tok of lane.states.split(",")) {
        t += parseInt(tok, 10) * 60000;
        starts.push(t);
        codes.push(tok[tok.length - 1]);
      }
    }
    return { starts, codes };
  }
  const lanes = D.lanes.map((L) => Object.assign({}, L, { v: decodeValues(L.values), s: decodeStates(L) }));
  const withTime = lanes.filter((L) => L.start !== null && L.end !== null);
  const full = withTime.length
    ? { lo: Math.min(...withTime.map((L) => L.start)), hi: Math.max(...withTime.map((L) => L.end)) }
    : { lo: 0, hi: 3600000 };
  if (full.hi - full.lo < MIN_SPAN) full.hi = full.lo + MIN_SPAN;
  const view = { lo: full.lo, hi: full.hi };

  const pad = (n) => (n < 10 ? "0" : "") + n;
  const dateText = (t) => { const d = new Date(t); return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()); };
  const timeText = (t) => { const d = new Date(t); return pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()); };
  const stamp = (t) => dateText(t) + " " + timeText(t);
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
  const num = (v) => (Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : +v.toPrecision(6) + "");
  function spanText(ms) {
    const m = Math.round(ms / 60000);
    if (m < 120) return m + " min";
    if (m < 2880) return Math.floor(m / 60) + " h" + (m % 60 ? " " + (m % 60) + " min" : "");
    return Math.round(m / 1440) + " days";
  }

  const MIN = 60000, H = 60 * MIN, DAY = 24 * H;
  const STEPS = [MIN, 2 * MIN, 5 * MIN, 10 * MIN, 15 * MIN, 30 * MIN, H, 2 * H, 3 * H, 6 * H, 12 * H, DAY, 2 * DAY, 7 * DAY, 14 * DAY];
  function timeTicks(lo, hi, plotW) {
    const most = Math.max(2, Math.floor(plotW / 95));
    const step = STEPS.find((s) => (hi - lo) / s <= most);
    const ticks = [];
    if (step === undefined) { // months
      const months = [1, 2, 3, 6, 12].find((k) => (hi - lo) / (k * 30 * DAY) <= most) || 24;
      const d = new Date(lo);
      let y = d.getUTCFullYear(), m = d.getUTCMonth() + 1;
      for (;;) {
        if (m > 11) { y += Math.floor(m / 12); m %= 12; }
        const t = Date.UTC(y, m, 1);
        if (t > hi) break;
        if (m % months === 0 || months === 1) ticks.push([t, y + "-" + pad(m + 1)]);
        m += 1;
      }
      return ticks;
    }
    let prevDay = "";
    for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) {
      const day = dateText(t);
      const label = step >= DAY ? day : (day !== prevDay ? day + " " + timeText(t) : timeText(t));
      prevDay = day;
      ticks.push([t, label]);
    }
    return ticks;
  }
  function valueTicks(lo, hi) {
    const raw = (hi - lo) / 4, mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => (hi - lo) / s <= 5);
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toPrecision(12));
    return out;
  }

  // Bars for the view: one per period, or per pixel column where periods are narrower than 2 px.
  function bars(L, x, plotW) {
    const out = [];
    if (!L.v.length) return out;
    const step = L.stepMs, lo = view.lo, hi = view.hi;
    const i0 = Math.max(0, Math.floor((lo - L.t0) / step)), i1 = Math.min(L.v.length, Math.ceil((hi - L.t0) / step));
    if ((plotW * step) / (hi - lo) >= 2) {
      for (let i = i0; i < i1; i++) {
        const v = L.v[i];
        if (v === v) out.push({ t: L.t0 + i * step, end: L.t0 + (i + 1) * step, n: 1, min: v, max: v });
      }
      return out;
    }
    const perPx = (hi - lo) / plotW;
    let cur = null;
    for (let i = i0; i < i1; i++) {
      const v = L.v[i];
      if (v !== v) continue;
      const t = L.t0 + i * step, col = Math.floor((t - lo) / perPx);
      if (!cur || cur.col !== col) {
        cur = { col, t, end: t + step, n: 0, min: v, max: v };
        out.push(cur);
      }
      cur.n += 1; cur.end = t + step;
      if (v < cur.min) cur.min = v;
      if (v > cur.max) cur.max = v;
    }
    return out;
  }

  // State segments in view, in pixels; where there are more than pixels, one per pixel column
  // with the state that matters most (ALARM, then INSUFFICIENT_DATA, then OK).
  function bands(L, x, plotW) {
    const segs = [], st = L.s;
    for (let k = 0; k < st.starts.length; k++) {
      const a = st.starts[k], b = k + 1 < st.starts.length ? st.starts[k + 1] : L.end;
      if (b <= view.lo || a >= view.hi || b <= a) continue;
      segs.push([x(Math.max(a, view.lo)), x(Math.min(b, view.hi)), st.codes[k]]);
    }
    if (segs.length <= plotW) return segs;
    const rank = { A: 3, I: 2, O: 1 }, cols = new Array(Math.ceil(plotW) + 1).fill("");
    for (const [x0, x1, c] of segs) {
      for (let p = Math.floor(x0 - LEFT); p <= Math.floor(x1 - LEFT) && p < cols.length; p++) {
        if (!cols[p] || rank[c] > rank[cols[p]]) cols[p] = c;
      }
    }
    const out = [];
    for (let p = 0; p < cols.length; p++) {
      if (!cols[p]) continue;
      const last = out[out.length - 1];
      if (last && last[2] === cols[p] && last[1] === LEFT + p) last[1] = LEFT + p + 1;
      else out.push([LEFT + p, LEFT + p + 1, cols[p]]);
    }
    return out;
  }

  function markerPath(code, cx, cy) {
    if (code === "A") return `M${cx} ${cy - 7}L${cx + 7} ${cy + 6}L${cx - 7} ${cy + 6}Z`;
    if (code === "O") return `M${cx - 6} ${cy}a6 6 0 1 0 12 0a6 6 0 1 0 -12 0Z`;
    return `M${cx - 5.5} ${cy - 5.5}h11v11h-11Z`;
  }

  function laneSvg(L, idx, width) {
    const plotW = width - LEFT - RIGHT, top = STRIP + MARKS, bottom = LANE_H - BOTTOM;
    const x = (t) => LEFT + ((t - view.lo) / (view.hi - view.lo)) * plotW;
    const bs = bars(L, x, plotW);
    let vmin = 0, vmax = 0;
    for (const b of bs) { if (b.max > vmax) vmax = b.max; if (b.min < vmin) vmin = b.min; }
    if (L.threshold !== null) { vmax = Math.max(vmax, L.threshold); vmin = Math.min(vmin, L.threshold); }
    if (vmax === vmin) vmax = vmin + 1;
    vmax += (vmax - vmin) * 0.08;
    const y = (v) => bottom - ((v - vmin) / (vmax - vmin)) * (bottom - top);
    const p = [`<defs><clipPath id="cwf-clip-${idx}"><rect x="${LEFT}" y="0" width="${plotW}" height="${LANE_H}"/></clipPath></defs>`];
    p.push(`<g clip-path="url(#cwf-clip-${idx})">`);
    for (const [x0, x1, c] of bands(L, x, plotW)) {
      const w = Math.max(c === "A" ? 1 : 0.5, x1 - x0);
      p.push(`<rect class="band band-${c}" x="${x0}" y="${top}" width="${w}" height="${bottom - top}"/>`);
      p.push(`<rect class="strip strip-${c}" x="${x0}" y="0" width="${w}" height="${STRIP}"/>`);
      if (x1 - x0 > NAMES[c].length * 7 + 8) p.push(`<text class="strip-label" x="${x0 + 4}" y="${STRIP - 4}">${NAMES[c]}</text>`);
    }
    const base = y(Math.max(vmin, Math.min(0, vmax)));
    for (const b of bs) {
      const x0 = x(b.t), w = Math.max(1, x(b.end) - x0 - (b.n === 1 ? 1 : 0));
      const hiY = y(Math.max(b.max, 0)), loY = y(Math.min(b.min, 0));
      const tipText = b.n === 1 ? `${stamp(b.t)} UTC: ${L.statistic} ${num(b.max)}`
        : `${stamp(b.t)} to ${stamp(b.end)} UTC, ${b.n} periods: min ${num(b.min)}, max ${num(b.max)}`;
      p.push(`<rect class="bar" data-t="${b.t}" data-n="${b.n}" x="${x0}" y="${hiY}" width="${w}" height="${Math.max(1, loY - hiY)}"><title>${tipText}</title></rect>`);
      if (b.n > 1 && b.min > 0 && b.min < b.max) p.push(`<rect class="bar-min" x="${x0}" y="${y(b.min)}" width="${w}" height="${Math.max(0.5, base - y(b.min))}"/>`);
    }
    p.push("</g>");
    const ax = [`<g class="axis"><path d="M${LEFT} ${top}V${bottom}H${LEFT + plotW}"/>`];
    for (const v of valueTicks(vmin, vmax)) {
      ax.push(`<line class="grid" x1="${LEFT}" x2="${LEFT + plotW}" y1="${y(v)}" y2="${y(v)}"/><text x="${LEFT - 6}" y="${y(v) + 4}" text-anchor="end">${num(v)}</text>`);
    }
    for (const [t, label] of timeTicks(view.lo, view.hi, plotW)) {
      ax.push(`<line x1="${x(t)}" x2="${x(t)}" y1="${bottom}" y2="${bottom + 4}"/><text x="${x(t)}" y="${bottom + 16}" text-anchor="middle">${label}</text>`);
    }
    ax.push(`<text x="${LEFT + plotW + 4}" y="${bottom + 16}">UTC</text>`);
    ax.push(`<text transform="translate(12 ${(top + bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(L.statistic)}</text></g>`);
    p.push(ax.join(""));
    if (L.threshold !== null) {
      p.push(`<line class="threshold" x1="${LEFT}" x2="${LEFT + plotW}" y1="${y(L.threshold)}" y2="${y(L.threshold)}"/>`);
      p.push(`<text class="threshold-label" x="${LEFT + plotW + 4}" y="${y(L.threshold) + 4}">${esc(L.operator)} ${num(L.threshold)}</text>`);
    }
    L.notes.forEach((n, k) => {
      if (n.t < view.lo || n.t > view.hi) return;
      const code = { OK: "O", ALARM: "A" }[n.state] || "I";
      p.push(`<g class="marker" tabindex="0" role="button" data-lane="${idx}" data-note="${k}" aria-label="${esc(n.subject + " at " + stamp(n.t) + " UTC: " + n.reason)}"><path class="m-${code}" d="${markerPath(code, x(n.t), STRIP + MARKS / 2)}"/></g>`);
    });
    return { svg: p.join(""), bars: bs.length };
  }

  function render() {
    const width = Math.max(640, Math.floor(lanesEl.getBoundingClientRect().width) || 1100);
    const parts = ['<svg width="0" height="0" style="position:absolute" aria-hidden="true"><defs>' +
      '<pattern id="cwf-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="8" height="8" fill="#f9dede"/><rect width="3" height="8" fill="#e8a0a0"/></pattern>' +
      '<pattern id="cwf-dots" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="#ededed"/><circle cx="4" cy="4" r="1.4" fill="#9a9a9a"/></pattern>' +
      "</defs></svg>"];
    let totalBars = 0;
    lanes.forEach((L, idx) => {
      const r = laneSvg(L, idx, width);
      totalBars += r.bars;
      const info = `${L.periods} periods with data` + (L.threshold !== null ? `, ${L.notes.length} SNS notifications` : "");
      parts.push(`<section class="lane" data-lane="${idx}" data-bars="${r.bars}"><h2>${esc(L.title)}</h2><p>${esc(L.subtitle)} · ${info}</p>` +
        `<svg role="img" aria-label="${esc(L.title)}: ${esc(L.subtitle)}" viewBox="0 0 ${width} ${LANE_H}" width="${width}" height="${LANE_H}">${r.svg}</svg></section>`);
    });
    lanesEl.innerHTML = parts.join("");
    document.body.dataset.lo = view.lo;
    document.body.dataset.hi = view.hi;
    document.getElementById("cwf-view").textContent =
      `Showing ${stamp(view.lo)} to ${stamp(view.hi)} UTC (${spanText(view.hi - view.lo)}); ${totalBars} bars.`;
    document.getElementById("cwf-from").value = dateText(view.lo) + "T" + timeText(view.lo);
    document.getElementById("cwf-to").value = dateText(view.hi) + "T" + timeText(view.hi);
    overview(width);
  }

  // The whole range, with the view as a brush: drag across it to zoom, click to move the view.
  const ov = document.getElementById("cwf-overview");
  function overview(width) {
    const plotW = width - LEFT - RIGHT, x = (t) => LEFT + ((t - full.lo) / (full.hi - full.lo)) * plotW;
    const p = [];
    const L = lanes[0];
    if (L) {
      const saved = [view.lo, view.hi];
      [view.lo, view.hi] = [full.lo, full.hi];
      for (const [x0, x1, c] of bands(L, x, plotW)) p.push(`<rect class="strip-${c}" x="${x0}" y="0" width="${Math.max(0.5, x1 - x0)}" height="6"/>`);
      const bs = bars(L, x, plotW);
      const top = Math.max(1e-9, ...bs.map((b) => b.max));
      for (const b of bs) {
        const h = Math.max(1, (Math.max(b.max, 0) / top) * 34);
        p.push(`<rect class="bar-min" x="${x(b.t)}" y="${42 - h}" width="${Math.max(1, x(b.end) - x(b.t))}" height="${h}"/>`);
      }
      [view.lo, view.hi] = saved;
    }
    p.push(`<rect class="brush" id="cwf-brush" x="${x(view.lo)}" y="0" width="${Math.max(2, x(view.hi) - x(view.lo))}" height="44"/>`);
    ov.setAttribute("viewBox", `0 0 ${width} 44`);
    ov.innerHTML = p.join("");
    ov.dataset.plotW = plotW;
    ov.dataset.width = width;
  }
  function ovTime(evt) {
    const r = ov.getBoundingClientRect(), width = +ov.dataset.width, plotW = +ov.dataset.plotW;
    const px = ((evt.clientX - r.left) / r.width) * width;
    return full.lo + ((px - LEFT) / plotW) * (full.hi - full.lo);
  }
  let drag = null;
  ov.addEventListener("pointerdown", (e) => { drag = ovTime(e); ov.setPointerCapture(e.pointerId); });
  ov.addEventListener("pointermove", (e) => {
    if (drag === null) return;
    const t = ovTime(e), brush = document.getElementById("cwf-brush"), width = +ov.dataset.width, plotW = +ov.dataset.plotW;
    const x = (u) => LEFT + ((u - full.lo) / (full.hi - full.lo)) * plotW;
    brush.setAttribute("x", Math.max(0, Math.min(x(drag), x(t))));
    brush.setAttribute("width", Math.min(width, Math.abs(x(t) - x(drag))));
  });
  ov.addEventListener("pointerup", (e) => {
    if (drag === null) return;
    const t = ovTime(e), a = drag;
    drag = null;
    if (Math.abs(t - a) / (full.hi - full.lo) * (+ov.dataset.plotW) > 3) setView(Math.min(a, t), Math.max(a, t));
    else { const half = (view.hi - view.lo) / 2; setView(t - half, t + half); }
  });

  function setView(lo, hi) {
    if (!(hi > lo)) return;
    let span = Math.min(full.hi - full.lo, Math.max(MIN_SPAN, hi - lo));
    lo = Math.max(full.lo, Math.min(lo + (hi - lo - span) / 2, full.hi - span));
    view.lo = Math.round(lo / 60000) * 60000; view.hi = Math.min(full.hi, view.lo + Math.round(span / 60000) * 60000);
    hideTip();
    render();
  }
  const zoom = (f) => { const c = (view.lo + view.hi) / 2, h = ((view.hi - view.lo) * f) / 2; setView(c - h, c + h); };
  const pan = (f) => { const d = (view.hi - view.lo) * f; setView(view.lo + d, view.hi + d); };
  document.getElementById("cwf-in").addEventListener("click", () => zoom(0.5));
  document.getElementById("cwf-out").addEventListener("click", () => zoom(2));
  document.getElementById("cwf-left").addEventListener("click", () => pan(-0.5));
  document.getElementById("cwf-right").addEventListener("click", () => pan(0.5));
  document.getElementById("cwf-reset").addEventListener("click", () => setView(full.lo, full.hi));
  const utc = (s) => Date.parse(s.length === 16 ? s + ":00Z" : s + "Z");
  for (const id of ["cwf-from", "cwf-to"]) {
    document.getElementById(id).addEventListener("change", () => {
      const lo = utc(document.getElementById("cwf-from").value), hi = utc(document.getElementById("cwf-to").value);
      if (lo === lo && hi === hi && hi > lo) setView(lo, hi);
    });
  }

  // The tooltip of a marker: subject, time and reason, on hover and on keyboard focus.
  function showTip(g) {
    const n = lanes[+g.dataset.lane].notes[+g.dataset.note];
    tip.innerHTML = `<b>${esc(n.subject)}</b>${esc(stamp(n.t))} UTC → ${esc(n.topic)}<br>${esc(n.reason)}`;
    tip.hidden = false;
    const r = g.getBoundingClientRect();
    const left = Math.min(window.scrollX + r.left, window.scrollX + document.documentElement.clientWidth - tip.offsetWidth - 8);
    tip.style.left = Math.max(0, left) + "px";
    tip.style.top = window.scrollY + r.bottom + 6 + "px";
  }
  function hideTip() { tip.hidden = true; }
  for (const kind of ["mouseover", "focusin"]) {
    lanesEl.addEventListener(kind, (e) => { const g = e.target.closest && e.target.closest(".marker"); if (g) showTip(g); });
  }
  for (const kind of ["mouseout", "focusout"]) {
    lanesEl.addEventListener(kind, (e) => { if (e.target.closest && e.target.closest(".marker")) hideTip(); });
  }
  document.addEventListener("keydown", (e) => { if (e.key === "Escape") hideTip(); });
  // Redrawn when the width changes (not the height: a full-page screenshot or a console);
  // the focused marker keeps the focus.
  let resizing = 0, drawnWidth = lanesEl.getBoundingClientRect().width;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(() => {
      const w = lanesEl.getBoundingClientRect().width;
      if (w === drawnWidth) return;
      drawnWidth = w;
      const f = document.activeElement, key = f && f.classList && f.classList.contains("marker") ? [f.dataset.lane, f.dataset.note] : null;
      render();
      const again = key && lanesEl.querySelector(`.marker[data-lane="${key[0]}"][data-note="${key[1]}"]`);
      if (again) again.focus();
    }, 150);
  });
  render();
})();
