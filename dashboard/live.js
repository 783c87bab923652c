// classlab live page: one canvas graph per board, fed by the gateway's WebSocket /api/live.
// No libraries, no network access beyond the gateway (works offline in a classroom).
"use strict";
const WINDOW_MS = 60000;
const COLORS = ["#e63946", "#1d70b8", "#2a9d8f", "#f4a261", "#6a4c93", "#8d99ae"];
const boards = new Map(); // key -> {el, canvas, series: Map(ch -> {t:[], v:[], unit, quantity}), meta}

function boardCard(key) {
  let b = boards.get(key);
  if (b) return b;
  const el = document.createElement("section");
  el.className = "board";
  el.dataset.key = key;
  el.innerHTML = `<h2></h2><p class="meta"></p><canvas width="800" height="360"></canvas>` +
    `<p class="result live"></p><p class="result last"></p>`;
  el.querySelector("h2").textContent = key;
  document.getElementById("boards").appendChild(el);
  b = { el, canvas: el.querySelector("canvas"), series: new Map(), meta: null, points: 0 };
  boards.set(key, b);
  return b;
}

function setBoardInfo(info) {
  const b = boardCard(info.key);
  b.meta = info.meta;
  const exp = info.meta && info.meta.experiment ? info.meta.experiment + " · " : "";
  const chans = ((info.meta && info.meta.channels) || []).map(c => `${c.quantity} (${c.unit})`).join(", ");
  b.el.querySelector(".meta").textContent =
    `${exp}${chans} · frames ${info.frames} · samples ${info.samples} · gaps ${info.gaps}`;
  b.el.classList.toggle("offline", !info.online);
}

function addSeries(s) {
  const b = boardCard(s.key);
  let ser = b.series.get(s.ch);
  if (!ser) { ser = { t: [], v: [], unit: s.unit, quantity: s.quantity }; b.series.set(s.ch, ser); }
  for (let i = 0; i < s.t.length; i++) { ser.t.push(s.t[i]); ser.v.push(s.v[i]); }
  b.points += s.t.length;
}

function trim(now) {
  for (const b of boards.values()) {
    for (const ser of b.series.values()) {
      let k = 0;
      while (k < ser.t.length && ser.t[k] < now - WINDOW_MS) k++;
      if (k) { ser.t.splice(0, k); ser.v.splice(0, k); }
    }
  }
}

function draw(b, now) {
  const c = b.canvas, g = c.getContext("2d");
  const W = c.width, H = c.height, L = 70, R = 10, T = 10, B = 30;
  g.clearRect(0, 0, W, H);
  g.font = "20px sans-serif";
  g.strokeStyle = "#ccd"; g.lineWidth = 1;
  g.strokeRect(L, T, W - L - R, H - T - B);
  let idx = 0;
  const series = [...b.series.values()];
  for (const ser of series) {
    if (!ser.t.length) { idx++; continue; }
    let lo = Math.min(...ser.v), hi = Math.max(...ser.v);
    if (hi - lo < 1e-9) { lo -= 0.5; hi += 0.5; }
    const x = t => L + (W - L - R) * (1 - (now - t) / WINDOW_MS);
    const y = v => T + (H - T - B) * (1 - (v - lo) / (hi - lo));
    g.strokeStyle = COLORS[idx % COLORS.length]; g.lineWidth = 2;
    g.beginPath();
    for (let i = 0; i < ser.t.length; i++) {
      const px = x(ser.t[i]), py = y(ser.v[i]);
      if (i) g.lineTo(px, py); else g.moveTo(px, py);
    }
    g.stroke();
    g.fillStyle = COLORS[idx % COLORS.length];
    const last = ser.v[ser.v.length - 1];
    g.fillText(`${ser.quantity} ${last.toPrecision(4)} ${ser.unit}  [${lo.toPrecision(3)} … ${hi.toPrecision(3)}]`,
               L + 8, T + 24 + 24 * idx);
    idx++;
  }
  g.fillStyle = "#556"; g.fillText("-60 s", L, H - 6); g.fillText("now / 现在", W - R - 110, H - 6);
}

function render() {
  const now = Date.now();
  trim(now);
  for (const b of boards.values()) draw(b, now);
  requestAnimationFrame(render);
}

function showHealth(h) {
  const rej = h.rejected_total || 0;
  document.getElementById("health").textContent =
    `${h.status} · boards ${h.boards} · frames ${h.frames} · samples ${h.samples} · gaps ${h.gaps}` +
    ` · duplicates ${h.duplicates} · rejected ${rej} · dropped ${h.dropped}`;
  document.body.dataset.samples = h.samples;
}

function connect() {
  const ws = new WebSocket(`${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/api/live`);
  ws.onmessage = ev => {
    const m = JSON.parse(ev.data);
    if (m.boards) m.boards.forEach(setBoardInfo);
    if (m.health) showHealth(m.health);
    if (m.type === "data") m.series.forEach(addSeries);
    document.body.dataset.points = [...boards.values()].reduce((n, b) => n + b.points, 0);
  };
  ws.onclose = () => {
    document.getElementById("health").textContent = "连接断开，重试中… / disconnected, retrying…";
    setTimeout(connect, 2000);
  };
}

function fmt(q) {
  if (!q || typeof q.value !== "number") return "—";
  const u = q.uncertainty;
  const digits = u > 0 ? Math.max(0, Math.min(6, 1 - Math.floor(Math.log10(u)))) : 3;
  return `${q.value.toFixed(digits)} ± ${u > 0 ? u.toFixed(digits) : "?"} ${q.unit === "1" ? "" : q.unit}`;
}

function resultText(r) {
  return Object.entries(r.results || {}).map(([name, q]) => `${name} = ${fmt(q)}`).join(" · ");
}

// Live readouts of the template's analysis (GET /api/analysis), and the previous run's full result.
async function pollAnalysis() {
  try {
    const res = await fetch("/api/analysis");
    const all = await res.json();
    for (const [key, a] of Object.entries(all)) {
      const b = boardCard(key);
      const why = a.live && (a.live.reasons || [])[0];
      const live = a.live ? resultText(a.live) || (why ? `${why.zh} / ${why.en}` : "") : "";
      b.el.querySelector(".result.live").textContent = a.error ? a.error :
        `实时分析 / live (${a.experiment}, ${a.t_s.toFixed(0)} s): ${live || "等待数据 / waiting for data"}`;
      const last = a.last;
      b.el.querySelector(".result.last").textContent = !last ? "" :
        `上一轮 / last run: ${resultText(last) || "—"} · ` + (last.valid ? "有效 / valid" :
          "无效 / invalid: " + (last.reasons || []).map(x => `${x.zh} / ${x.en}`).join("; "));
    }
  } catch (e) { /* the gateway is restarting: the WebSocket handler shows that */ }
  setTimeout(pollAnalysis, 2000);
}

connect();
pollAnalysis();
requestAnimationFrame(render);
