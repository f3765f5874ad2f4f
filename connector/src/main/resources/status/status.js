// The status page (docs/status-page.md): polls /api/status/page and draws it with DOM calls only (no innerHTML, no
// inline styles: the Content-Security-Policy allows this file and status.css, nothing else).
"use strict";

const REFRESH_MS = 3000;
const SVG = "http://www.w3.org/2000/svg";
let timer = null;

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function byId(id) { return document.getElementById(id); }
function setText(id, text) { byId(id).textContent = text; }
function number(n) { return n === null || n === undefined ? "–" : Number(n).toLocaleString("en-US"); }
function lower(s) { return s === null || s === undefined ? "" : String(s).toLowerCase(); }

/** "0.4 s", "12 s", "2m 05s", "3h 04m", "2d 03h": the same units as mlc status. */
function duration(ms) {
  if (ms === null || ms === undefined) return "–";
  if (ms < 10000) return (Math.max(0, ms) / 1000).toFixed(1) + " s";
  const s = Math.floor(ms / 1000);
  const pad = (n) => String(n).padStart(2, "0");
  if (s < 60) return s + " s";
  if (s < 3600) return Math.floor(s / 60) + "m " + pad(s % 60) + "s";
  if (s < 86400) return Math.floor(s / 3600) + "h " + pad(Math.floor(s % 3600 / 60)) + "m";
  return Math.floor(s / 86400) + "d " + pad(Math.floor(s % 86400 / 3600)) + "h";
}

function ago(iso, nowIso) {
  if (!iso) return "–";
  return duration(Date.parse(nowIso) - Date.parse(iso)) + " ago";
}

function fix(text) { return el("span", { class: "fix" }, el("code", { text })); }

async function poll() {
  clearTimeout(timer);
  try {
    const answer = await fetch("/api/status/page", { credentials: "same-origin", cache: "no-store" });
    if (answer.status === 401) { location.reload(); return; } // the session ended: the sign-in form
    if (!answer.ok) throw new Error("the connector answered " + answer.status);
    render(await answer.json());
    byId("offline").hidden = true;
  } catch (e) {
    const offline = byId("offline");
    offline.textContent = "Not updated: " + e.message + " (retrying every " + REFRESH_MS / 1000 + " s)";
    offline.hidden = false;
  }
  timer = setTimeout(poll, REFRESH_MS);
}

function render(data) {
  const s = data.status;
  const a = data.activity;
  const names = Object.fromEntries(s.tenants.map((t) => [t.tenantId, t.businessName]));
  setText("subtitle", "Dataset " + (s.datasetId || "not created yet") + " in workspace " + (s.workspaceId || "–")
    + " · " + s.tenants.length + (s.tenants.length === 1 ? " business" : " businesses"));
  renderAttention(s, a);
  renderNumbers(s, a);
  drawChart(byId("chart-events"), a.eventsIn, "events", "events");
  drawChart(byId("chart-rows"), a.rowsPushed, "rows", "rows");
  setText("events-peak", "· " + number(a.eventsLastHour) + " in the hour");
  setText("rows-peak", "· " + number(a.rowsLastHour) + " in the hour");
  renderBusinesses(s, a);
  renderPowerBi(s, a);
  renderQuarantine(s);
  renderDeadLetters(s);
  renderTotals(s, names);
  setText("footer", "Updated " + new Date(Date.parse(s.at)).toLocaleTimeString() + " by instance "
    + (s.instanceId || "–") + " · refreshes every " + REFRESH_MS / 1000 + " s");
}

function renderAttention(s, a) {
  const items = [];
  if (s.route && s.route.pausedReason) {
    items.push(el("li", { class: "paused-route" }, el("strong", { class: "bad", text: "Power BI route paused" }),
      " since " + ago(s.route.pausedSince, s.at) + ": " + s.route.pausedReason, fix(s.route.pausedFix || "–")));
  }
  for (const t of s.tables.filter((t) => t.blocked)) {
    items.push(el("li", { class: "blocked-table", "data-table": t.table },
      el("strong", { class: "bad", text: "Table " + t.table + " blocked" }),
      ": " + (t.reason || "–") + " (" + number(a.waitingByTable[t.table] || 0) + " rows wait)", fix(t.fix || "–")));
  }
  for (const t of s.tenants.filter((t) => lower(t.status) !== "active")) {
    items.push(el("li", { class: "tenant-attention", "data-tenant": t.tenantId },
      el("strong", { class: "bad", text: t.businessName + " needs re-authorization" }),
      t.statusReason ? ": " + t.statusReason : "", fix("mlc connect freshbooks")));
  }
  if (s.quarantined.length > 0) {
    items.push(el("li", {}, el("strong", { class: "warn", text: s.quarantined.length + " quarantined batch"
      + (s.quarantined.length === 1 ? "" : "es") }), ": see below, fix the cause, then replay."));
  }
  if (s.deadLetters.count > 0) {
    items.push(el("li", {}, el("strong", { class: "warn", text: number(s.deadLetters.count) + " dead letters" }),
      ": see below, fix the cause, then replay."));
  }
  for (const r of s.controlTotals.filter((r) => r.verdict === "DIFFERS")) {
    items.push(el("li", {}, el("strong", { class: "warn", text: "Control totals differ" }),
      " for " + r.table + " of " + r.tenant + (r.detail ? ": " + r.detail : ""),
      fix("mlc dataset compact " + r.table)));
  }
  byId("attention-list").replaceChildren(...items);
  byId("attention").hidden = items.length === 0;
}

function renderNumbers(s, a) {
  setText("freshness-now", duration(a.freshnessNowMs));
  setText("freshness-now-note", a.oldestWaitingEvent
    ? "the oldest change not in Power BI yet arrived " + ago(a.oldestWaitingEvent, a.at)
    : a.lastAcceptedAt ? "up to date; last change accepted " + ago(a.lastAcceptedAt, a.at) : "no change pushed in the last hour");
  setText("freshness-hour", a.freshnessRows > 0 ? duration(a.p95Ms) : "–");
  setText("freshness-hour-note", a.freshnessRows > 0
    ? "p95 (median " + duration(a.p50Ms) + ", max " + duration(a.maxMs) + ") over " + number(a.freshnessRows) + " rows"
    : "event received → rows accepted by Power BI");
  setText("rows-pushed", number(s.rowsPushed));
  setText("rows-pushed-note", number(a.rowsLastHour) + " in the last hour");
  setText("events-received", number(s.eventsReceived));
  setText("events-received-note", number(a.eventsLastHour) + " in the last hour");
  setText("waiting", number(s.inboxPending + s.outboxUnsent));
  setText("waiting-note", number(s.inboxPending) + " events, " + number(s.outboxUnsent) + " rows");
  setText("oldest-waiting", s.oldestWaiting ? duration(Date.parse(s.at) - Date.parse(s.oldestWaiting)) : "nothing waits");
  setText("oldest-waiting-note", s.oldestWaiting ? "since " + new Date(Date.parse(s.oldestWaiting)).toLocaleTimeString() : "");
}

/** Bars per minute over the hour, scaled to the busiest minute; each bar's title says its minute and count. */
function drawChart(svg, minutes, cls, unit) {
  const width = 600, height = 120, top = 6;
  const max = Math.max(1, ...minutes.map((m) => m.count));
  const step = width / minutes.length;
  const nodes = [];
  minutes.forEach((m, i) => {
    const h = m.count === 0 ? 0 : Math.max(2, (height - top) * m.count / max);
    const bar = document.createElementNS(SVG, "rect");
    bar.setAttribute("class", cls);
    bar.setAttribute("x", (i * step + 0.5).toFixed(1));
    bar.setAttribute("y", (height - h).toFixed(1));
    bar.setAttribute("width", Math.max(1, step - 1).toFixed(1));
    bar.setAttribute("height", h.toFixed(1));
    const title = document.createElementNS(SVG, "title");
    title.textContent = new Date(Date.parse(m.start)).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
      + ": " + number(m.count) + " " + unit;
    bar.append(title);
    nodes.push(bar);
  });
  const axis = document.createElementNS(SVG, "line");
  axis.setAttribute("class", "axis");
  axis.setAttribute("x1", "0"); axis.setAttribute("x2", String(width));
  axis.setAttribute("y1", String(height - 0.5)); axis.setAttribute("y2", String(height - 0.5));
  nodes.push(axis);
  svg.replaceChildren(...nodes);
  svg.setAttribute("data-max", String(Math.max(0, ...minutes.map((m) => m.count))));
}

function renderBusinesses(s, a) {
  const rows = s.tenants.map((t) => {
    const active = lower(t.status) === "active";
    const sweep = s.sweeps.find((r) => r.tenantId === t.tenantId);
    const waiting = a.backfillWaiting[t.tenantId] || 0;
    const backfill = (s.backfills || []).find((b) => b.tenants.includes(t.tenantId)
      && (b.state === "FETCHING" || b.state === "FAILED"));
    return el("tr", { "data-tenant": t.tenantId },
      el("td", { "data-label": "Business" }, el("strong", { class: "business-name", text: t.businessName }),
        " ", el("span", { class: "muted", text: t.tenantId })),
      el("td", { "data-label": "Connection" }, active
        ? el("span", { class: "ok", text: "connected" })
        : [el("span", { class: "bad", text: "needs re-authorization" }), t.statusReason ? ": " + t.statusReason : "",
          fix("mlc connect freshbooks")]),
      el("td", { "data-label": "Last sweep" }, sweep
        ? ago(sweep.finishedAt, s.at) + " (" + number(sweep.recordsRead) + " records"
          + (sweep.failedTypes.length ? "; failed: " + sweep.failedTypes.join(", ") : "") + ")"
        : "none yet"),
      el("td", { "data-label": "Backfill" }, backfill // mlc backfill or a connect: its progress first
        ? el("span", { class: backfill.state === "FAILED" ? "bad" : "warn", "data-backfill": backfill.id,
          text: backfill.id + (backfill.state === "FAILED" ? " stopped (" + backfill.error + "; run it again to continue): "
            : " reading: ") + number(backfill.recordsFetched) + " records fetched, " + number(backfill.rowsPushed)
            + " of " + number(backfill.rowsQueued) + " rows pushed"
            + (backfill.state === "FETCHING" && backfill.type ? "; " + backfill.type + " page " + backfill.page
              + "/" + (backfill.pages || "?") : "") })
        : waiting > 0
        ? el("span", { class: "warn", text: number(waiting) + " rows waiting to push" })
        : el("span", { class: "ok", text: "nothing waiting" })));
  });
  if (rows.length === 0) {
    rows.push(el("tr", {}, el("td", { colspan: "4" }, "No business connected yet. ", fix("mlc connect freshbooks"))));
  }
  byId("businesses").tBodies[0].replaceChildren(...rows);
}

function renderPowerBi(s, a) {
  const route = byId("route");
  if (!s.route) {
    route.replaceChildren("Not reached yet.");
  } else if (s.route.pausedReason) {
    route.replaceChildren(el("span", { class: "bad", text: "Paused" }), " since " + ago(s.route.pausedSince, s.at)
      + ": " + s.route.pausedReason, fix(s.route.pausedFix || "–"));
  } else {
    const owner = (s.leases || []).find((l) => String(l.name).includes(s.route.route));
    route.replaceChildren(el("span", { class: "ok", text: "Pushing" }), " to dataset " + (s.route.datasetId || "–")
      + (owner ? " · push stream owned by " + owner.owner + (owner.owner === s.instanceId ? " (this instance)" : "") : ""));
  }
  const names = new Set([...s.tables.map((t) => t.table), ...Object.keys(a.waitingByTable)]);
  const rebuilding = Object.fromEntries(s.rebuilding.map((r) => [r.table, r.reason]));
  const rows = [...names].sort().map((name) => {
    const verdict = s.tables.find((t) => t.table === name);
    const state = verdict && verdict.blocked
      ? [el("span", { class: "bad", text: "blocked" }), ": " + (verdict.reason || "–"), fix(verdict.fix || "–")]
      : rebuilding[name] ? el("span", { class: "warn", text: "rebuilding: " + rebuilding[name] })
        : el("span", { class: "ok", text: "ok" });
    return el("tr", { "data-table": name }, el("td", { "data-label": "Table", text: name }),
      el("td", { "data-label": "State" }, state),
      el("td", { "data-label": "Rows waiting", text: number(a.waitingByTable[name] || 0) }));
  });
  byId("tables").tBodies[0].replaceChildren(...rows);
}

async function post(url, button, done) {
  button.disabled = true;
  try {
    const answer = await fetch(url, { method: "POST", credentials: "same-origin" });
    done(answer.ok ? "Queued again." : "Refused (" + answer.status + "); it may have been replayed already.");
  } catch (e) {
    done("Not sent: " + e.message);
  }
  poll();
}

function renderQuarantine(s) {
  const items = s.quarantined.map((b) => {
    const result = el("span", { class: "muted replay-result" });
    const button = el("button", { type: "button", class: "replay", "data-batch": b.batchId, text: "Replay" });
    button.addEventListener("click", () => post("/api/batches/" + encodeURIComponent(b.batchId) + "/replay", button,
      (text) => { result.textContent = " " + text; }));
    return el("li", { "data-batch": b.batchId }, el("code", { text: b.batchId }), " " + b.table + " ("
      + number(b.rowCount) + (b.rowCount === 1 ? " row" : " rows") + "): " + (b.lastError || "–"),
    el("div", {}, button, result));
  });
  if (items.length === 0) items.push(el("li", { class: "muted none", text: "None." }));
  byId("quarantined").replaceChildren(...items);
}

function renderDeadLetters(s) {
  const d = s.deadLetters;
  const box = byId("dead-letters");
  if (!d || d.count === 0) {
    box.replaceChildren(el("p", { class: "muted none", text: "None." }));
    return;
  }
  const list = el("ul", { class: "items" }, d.newest.map((l) => el("li", {}, el("code", { text: l.record }),
    " of " + l.tenantId + " (" + l.attempts + " attempts, since " + ago(l.since, s.at) + "): " + (l.reason || "–"),
    fix(l.fix || "mlc replay --dead-letters"))));
  const result = el("span", { class: "muted" });
  const button = el("button", { type: "button", id: "replay-dead-letters", text: "Replay all dead letters" });
  button.addEventListener("click", () => post("/api/replay/dead-letters", button,
    (text) => { result.textContent = " " + text; }));
  box.replaceChildren(el("p", { text: number(d.count) + " records" + (d.count > d.newest.length ? " (the newest "
    + d.newest.length + " below)" : "") }), list, el("div", {}, button, result));
}

function renderTotals(s, names) {
  const results = s.controlTotals;
  const checked = results.map((r) => r.checkedAt).filter(Boolean).sort().pop();
  setText("totals-checked", results.length === 0 ? "Not checked yet." : "Checked " + ago(checked, s.at) + ".");
  const css = { MATCH: "ok", DIFFERS: "bad", CATCHING_UP: "warn", UNAVAILABLE: "muted" };
  const rows = results.map((r) => el("tr", { "data-table": r.table, "data-tenant": r.tenant },
    el("td", { "data-label": "Business", text: names[r.tenant] || r.tenant }),
    el("td", { "data-label": "Table", text: r.table }),
    el("td", { "data-label": "Verdict" }, el("span", { class: css[r.verdict] || "", text: lower(r.verdict).replace("_", " ") }),
      r.differences && r.differences.length ? ": " + r.differences.map((d) => d.measure + " " + d.ledger + " vs "
        + d.powerBi).join(", ") : "", r.detail && r.verdict !== "MATCH" ? " (" + r.detail + ")" : ""),
    el("td", { "data-label": "Ledger rows", text: number(r.ledgerCount) }),
    el("td", { "data-label": "Power BI rows", text: number(r.powerBiCount) })));
  byId("totals").tBodies[0].replaceChildren(...rows);
  byId("totals").hidden = rows.length === 0;
}

document.addEventListener("DOMContentLoaded", poll);
