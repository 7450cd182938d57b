// The arcemu web view: reads the admin API of the emulator that served it (same origin, paths
// relative to the page so that /worlds/NAME/ shows that world), draws the world as SVG, and
// redraws when the answer changes (polled every second). No dependencies, no build step.
"use strict";

const POLL_MS = 1000;
const TOKEN_KEY = "arcemu-admin-token";
const SVG_NS = "http://www.w3.org/2000/svg";
const $ = (id) => document.getElementById(id);

let lastTopologyText = "";
let lastRefusalsText = "";
let rules = {};
let scenarios = [];
const demo = { scenario: null, index: 0, vars: {} };
let selectedCluster = null;

// ---- the admin API -------------------------------------------------------------------------

function authHeaders(extra) {
  const headers = Object.assign({}, extra || {});
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers["Authorization"] = "Bearer " + token;
  return headers;
}

async function api(path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = authHeaders(opts.headers);
  const res = await fetch(path, opts);
  if (res.status === 401) {
    $("token-form").hidden = false;
    throw new Error("the admin API wants the admin token");
  }
  return res;
}

async function getJson(path) {
  const res = await api(path);
  const body = await res.json();
  if (!res.ok) throw new Error((body.error && body.error.message) || res.status);
  return body;
}

// ---- small DOM helpers ----------------------------------------------------------------------

function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "class") e.className = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function ruleChip(id) {
  if (!id) return null;
  const r = rules[id];
  return el("span", { class: "rule", title: r ? r.summary + " (seed: " + r.seedSection + ")" : id }, id);
}

function showDetails(...children) {
  const body = $("details-body");
  body.replaceChildren(...children);
}

// ---- resource ids ---------------------------------------------------------------------------

function parseId(id) {
  const parts = id.split("/").filter(Boolean);
  const out = { subscription: parts[1] || "", group: parts[3] || "", type: "", name: parts[parts.length - 1] || "" };
  const p = parts.findIndex((x) => x.toLowerCase() === "providers");
  if (p >= 0) {
    const rest = parts.slice(p + 1);
    const types = [rest[0]];
    for (let i = 1; i < rest.length; i += 2) types.push(rest[i]);
    out.type = types.join("/");
    out.parent = parts.length - p - 1 > 3 ? "/" + parts.slice(0, p + 4).join("/") : null;
  }
  return out;
}

const lastSegment = (id) => (id ? String(id).split("/").filter(Boolean).pop() : "");
const lower = (s) => String(s || "").toLowerCase();

function ipv4(text) {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(String(text).trim());
  if (!m) return null;
  const addr = ((+m[1] << 24) >>> 0) + (+m[2] << 16) + (+m[3] << 8) + +m[4];
  return { addr, bits: m[5] === undefined ? 32 : +m[5] };
}

// Whether prefix `inner` lies inside prefix `outer` (to draw a site next to its gateway).
function within(inner, outer) {
  const a = ipv4(inner), b = ipv4(outer);
  if (!a || !b || a.bits < b.bits) return false;
  const mask = b.bits === 0 ? 0 : (~0 << (32 - b.bits)) >>> 0;
  return ((a.addr & mask) >>> 0) === ((b.addr & mask) >>> 0);
}

// ---- the verdict of a cluster: the worst of its Arc endpoints' verdicts ---------------------

const VERDICT_ORDER = ["Refused", "Unreachable", "Public", "Private"];

function clusterVerdict(report) {
  if (!report || report.error || !Array.isArray(report.endpoints) || report.endpoints.length === 0) return "unreachable";
  for (const v of VERDICT_ORDER) if (report.endpoints.some((e) => e.verdict === v)) return v.toLowerCase();
  return "unreachable";
}

// ---- the picture ----------------------------------------------------------------------------

const COL_W = 250, GAP = 12, LINE = 14;

function resourceLines(r, byId) {
  const t = lower(r.type), p = r.body.properties || {};
  const lines = [];
  if (t === "microsoft.hybridcompute/privatelinkscopes") {
    lines.push("public access: " + (p.publicNetworkAccess || "?"));
  } else if (t === "microsoft.kubernetes/connectedclusters") {
    lines.push("connectivityStatus: " + (p.connectivityStatus || "?"));
    lines.push("private link: " + (p.privateLinkState || "Disabled") + (p.privateLinkScopeResourceId ? " → " + lastSegment(p.privateLinkScopeResourceId) : ""));
  } else if (t === "microsoft.network/virtualnetworks") {
    lines.push(((p.addressSpace || {}).addressPrefixes || []).join(", "));
    for (const s of p.subnets || []) lines.push("▪ " + s.name + " " + ((s.properties || {}).addressPrefix || ""));
    for (const f of byId.forwarders.filter((f) => lower(f.virtualNetwork) === lower(r.id))) lines.push("DNS forwarder VM " + f.name + " " + f.address);
  } else if (t === "microsoft.network/privateendpoints") {
    lines.push("subnet: " + lastSegment((p.subnet || {}).id));
    for (const c of (p.privateLinkServiceConnections || []).concat(p.manualPrivateLinkServiceConnections || [])) {
      const cp = c.properties || {};
      const state = (cp.privateLinkServiceConnectionState || {}).status || "?";
      lines.push("→ " + lastSegment(cp.privateLinkServiceId) + ": " + state);
    }
    for (const d of p.customDnsConfigs || []) lines.push((d.ipAddresses || []).join(", ") + " " + d.fqdn);
  } else if (t === "microsoft.network/privatednszones") {
    for (const link of byId.children[lower(r.id)] || []) {
      if (lower(link.type).endsWith("/virtualnetworklinks")) {
        lines.push("link → " + lastSegment(((link.body.properties || {}).virtualNetwork || {}).id));
      }
    }
  } else if (t === "microsoft.network/connections") {
    lines.push((p.connectionType || "") + ": " + lastSegment((p.virtualNetworkGateway1 || {}).id) + " ↔ " +
      lastSegment((p.localNetworkGateway2 || {}).id || (p.peer || {}).id));
  } else if (t === "microsoft.network/localnetworkgateways") {
    lines.push(((p.localNetworkAddressSpace || {}).addressPrefixes || []).join(", "));
  } else if (t === "microsoft.network/virtualnetworkgateways") {
    lines.push((p.gatewayType || "") + " in " + lastSegment(parseId(((p.ipConfigurations || [])[0] || { properties: {} }).properties.subnet ? p.ipConfigurations[0].properties.subnet.id : "").parent));
  } else if (t === "microsoft.network/dnsresolvers") {
    for (const c of byId.children[lower(r.id)] || []) {
      for (const ip of ((c.body.properties || {}).ipConfigurations || [])) lines.push(lastSegment(c.id) + " " + (ip.privateIpAddress || ""));
    }
  }
  return lines.filter((l) => l !== "");
}

// Top-level resources only; children (zone links, resolver endpoints, zone groups) are drawn in their parent.
function columnOf(type) {
  const t = lower(type);
  if (t.startsWith("microsoft.hybridcompute") || t.startsWith("microsoft.kubernetes") || t.startsWith("microsoft.extendedlocation") || t.startsWith("microsoft.kubernetesconfiguration")) return 0;
  if (t.startsWith("microsoft.network/privatednszones") || t.startsWith("microsoft.network/dnsresolvers") || t.startsWith("microsoft.network/dnsforwardingrulesets")) return 2;
  return 1;
}

// The on-premises sites (and a place for clusters in Azure subnets), with what each box says.
function sitePlaces(topo, top, byId) {
  const connections = top.filter((r) => lower(r.type) === "microsoft.network/connections");
  const clustersBySite = {};
  for (const c of topo.clusters) (clustersBySite[c.cluster.site || ""] = clustersBySite[c.cluster.site || ""] || []).push(c);
  const places = topo.sites.map((s) => ({ name: s.name, site: s })).concat(clustersBySite[""] ? [{ name: "", site: null }] : []);
  for (const place of places) {
    const s = place.site;
    const lines = [];
    let joined = [];
    if (s) {
      lines.push("address space: " + (s.addressSpace || []).join(", "));
      const dns = s.dns || {};
      for (const f of dns.forwarders || []) lines.push("forward " + f.domain + " → " + (f.targets || []).join(", "));
      for (const z of dns.zones || []) lines.push("zone " + z.zone + " (on-premises DNS)");
      if (dns.publicFallback === false) lines.push("no public DNS fallback");
      if (s.expressRouteCircuit) lines.push("ExpressRoute: " + lastSegment(s.expressRouteCircuit));
      joined = connections.filter((c) => {
        const p = c.body.properties || {};
        const lng = byId.all[lower((p.localNetworkGateway2 || {}).id)];
        const prefixes = lng ? (((lng.body.properties || {}).localNetworkAddressSpace || {}).addressPrefixes || []) : [];
        const viaCircuit = s.expressRouteCircuit && lower((p.peer || {}).id) === lower(s.expressRouteCircuit);
        return viaCircuit || (s.addressSpace || []).some((a) => prefixes.some((pre) => within(a, pre)));
      });
      for (const c of joined) lines.push((lower((c.body.properties || {}).connectionType) === "expressroute" ? "ExpressRoute" : "VPN") + " connection: " + c.name);
    }
    const clusters = clustersBySite[place.name] || [];
    const w = Math.max(400, clusters.length * 150 + 20);
    const h = 24 + LINE * lines.length + (clusters.length ? 64 : 0) + 8;
    place.lines = lines;
    place.joined = joined;
    place.clusters = clusters;
    place.w = w;
    place.h = h;
  }
  return places;
}

function drawTopology(topo) {
  const byId = { all: {}, children: {}, forwarders: topo.forwarders || [] };
  const resources = topo.resources.map((r) => Object.assign({}, r, parseId(r.id)));
  for (const r of resources) byId.all[lower(r.id)] = r;
  for (const r of resources) if (r.parent) (byId.children[lower(r.parent)] = byId.children[lower(r.parent)] || []).push(r);
  const top = resources.filter((r) => !r.parent && r.type && !lower(r.type).endsWith("/subnets"));

  const root = svg("svg", { role: "img", "aria-labelledby": "picture-title", id: "topology" });
  const positions = {};
  // On-premises first (top row), Azure below: the sites' height is known before drawing them.
  const places = sitePlaces(topo, top, byId);
  const siteRowH = places.reduce((m, p) => Math.max(m, p.h), 0);
  let y = places.length ? siteRowH + 40 : 4;
  const width = 3 * (COL_W + GAP) + 40;

  for (const sub of topo.subscriptions) {
    const mine = top.filter((r) => lower(r.subscription) === lower(sub));
    if (mine.length === 0) continue;
    const subG = svg("g", { "aria-label": "subscription " + sub });
    root.append(subG);
    const subTop = y;
    y += 22;
    const regions = [...new Set(mine.map((r) => r.body.location || "global"))].sort();
    for (const region of regions) {
      const regionTop = y;
      y += 18;
      const heights = [y, y, y];
      const inRegion = mine.filter((r) => (r.body.location || "global") === region);
      for (const r of inRegion) {
        const col = columnOf(r.type);
        const lines = resourceLines(r, byId);
        const h = 20 + LINE * lines.length + 4;
        const x = 20 + col * (COL_W + GAP);
        const g = svg("g", { class: "node", tabindex: "0", role: "button", "aria-label": lastSegment(r.type) + " " + r.name });
        g.append(svg("rect", { class: "res", x, y: heights[col], width: COL_W, height: h, rx: 4 }));
        g.append(svg("text", { class: "title", x: x + 6, y: heights[col] + 14 }, r.name.length > 36 ? r.name.slice(0, 35) + "…" : r.name));
        // The type, when the name leaves room for it (the tooltip and the details say it anyway).
        if (r.name.length <= 22) g.append(svg("text", { class: "small", x: x + COL_W - 6, y: heights[col] + 14, "text-anchor": "end" }, lastSegment(r.type)));
        lines.forEach((l, i) => g.append(svg("text", { x: x + 8, y: heights[col] + 28 + i * LINE }, l.length > 44 ? l.slice(0, 43) + "…" : l)));
        g.append(svg("title", {}, r.id));
        const open = () => showResource(r);
        g.addEventListener("click", open);
        g.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } });
        subG.append(g);
        positions[lower(r.id)] = { x, y: heights[col], w: COL_W, h };
        heights[col] += h + 8;
      }
      const bottom = Math.max(...heights) + 2;
      subG.insertBefore(svg("text", { class: "small", x: 16, y: regionTop + 13 }, "region " + region), subG.firstChild);
      subG.insertBefore(svg("rect", { class: "region-box", x: 12, y: regionTop, width: width - 24, height: bottom - regionTop, rx: 4 }), subG.firstChild);
      y = bottom + 8;
    }
    subG.insertBefore(svg("text", { class: "title", x: 10, y: subTop + 15 }, "subscription " + sub), subG.firstChild);
    subG.insertBefore(svg("rect", { class: "sub-box", x: 4, y: subTop, width: width - 8, height: y - subTop, rx: 6 }), subG.firstChild);
    y += 10;
  }

  // On-premises sites, with their DNS, connections and clusters.
  const links = svg("g", { "aria-hidden": "true" });
  let x = 4;
  const siteTop = 4;
  const azureBottom = y;
  for (const place of places) {
    const s = place.site, lines = place.lines, joined = place.joined, clusters = place.clusters, w = place.w, h = place.h;
    const g = svg("g", { "aria-label": s ? "on-premises site " + s.name : "clusters in Azure" });
    g.append(svg("rect", { class: "site-box", x, y: siteTop, width: w, height: h, rx: 6 }));
    g.append(svg("text", { class: "title", x: x + 8, y: siteTop + 16 }, s ? "on-premises site " + s.name : "clusters in Azure subnets"));
    lines.forEach((l, i) => g.append(svg("text", { x: x + 10, y: siteTop + 32 + i * LINE }, l.length > 60 ? l.slice(0, 59) + "…" : l)));
    clusters.forEach((c, i) => {
      const cx = x + 10 + i * 150, cy = siteTop + 26 + LINE * lines.length + 4;
      const verdict = clusterVerdict(c.report);
      const name = c.cluster.name;
      const node = svg("g", {
        class: "node cluster " + verdict, tabindex: "0", role: "button", "data-cluster": name, "data-verdict": verdict,
        "aria-label": "cluster " + name + ": " + verdict + " (" + ((c.report || {}).status || "no report") + "); show its admission trace",
      });
      node.append(svg("rect", { x: cx, y: cy, width: 140, height: 54, rx: 5 }));
      node.append(svg("text", { class: "title", x: cx + 8, y: cy + 16 }, "cluster " + name));
      node.append(svg("text", { x: cx + 8, y: cy + 31 }, verdict));
      node.append(svg("text", { x: cx + 8, y: cy + 46 }, (c.report || {}).status || ""));
      const open = () => showCluster(name, c);
      node.addEventListener("click", open);
      node.addEventListener("keydown", (e) => { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); open(); } });
      g.append(node);
      const target = positions[lower(c.cluster.connectedCluster)];
      if (target) links.append(svg("path", { class: "link", d: `M${cx + 70},${cy + 54} C${cx + 70},${cy + 120} ${target.x + target.w / 2},${target.y - 60} ${target.x + target.w / 2},${target.y}` }));
    });
    for (const c of joined) {
      const p = c.body.properties || {};
      const gw = byId.all[lower((p.virtualNetworkGateway1 || {}).id)];
      const target = gw && positions[lower(gw.id)];
      if (target) links.append(svg("path", { class: "link vpn", d: `M${x + w / 2},${siteTop + h} L${target.x + target.w / 2},${target.y}` }));
    }
    root.append(g);
    x += w + 12;
  }
  root.append(links);
  const total = Math.max(width, x);
  root.setAttribute("viewBox", `0 0 ${total} ${azureBottom + 6}`);
  root.setAttribute("width", total);
  root.setAttribute("height", azureBottom + 6);
  const focused = document.activeElement && document.activeElement.getAttribute && document.activeElement.getAttribute("data-cluster");
  $("svg-holder").replaceChildren(root);
  if (focused) {
    const again = root.querySelector(`[data-cluster="${CSS.escape(focused)}"]`);
    if (again) again.focus();
  }
  if (selectedCluster) {
    const c = topo.clusters.find((x) => x.cluster.name === selectedCluster);
    if (c) showCluster(selectedCluster, c, true);
  }
}

function showResource(r) {
  selectedCluster = null;
  showDetails(el("h3", {}, r.name), el("p", { class: "hint" }, r.id), el("pre", {}, JSON.stringify(r.body.properties || r.body, null, 2)));
}

function showCluster(name, c, quiet) {
  selectedCluster = name;
  const report = c.report || {};
  const verdict = clusterVerdict(report);
  const parts = [el("h3", {}, "cluster " + name + ": ", el("span", { class: "verdict-" + verdict }, verdict))];
  if (report.error) {
    parts.push(el("p", {}, report.error.code + ": " + report.error.message));
  } else {
    parts.push(el("p", {}, "runs in " + report.runsIn + "; status " + report.status + ". " + report.summary));
    for (const ep of report.endpoints || []) {
      const steps = el("ol", { class: "trace" });
      for (const t of (ep.dns && ep.dns.trace) || []) steps.append(el("li", {}, ruleChip(t.rule), " ", t.text));
      for (const t of ep.steps || []) steps.append(el("li", {}, ruleChip(t.rule), " ", t.text));
      parts.push(el("div", {}, el("strong", {}, ep.fqdn), " ", el("span", { class: "verdict-" + lower(ep.verdict) }, ep.verdict), " ",
        ruleChip(ep.rule), ep.seedSection ? el("span", { class: "hint" }, " seed: " + ep.seedSection) : null, steps,
        ep.fix ? el("p", {}, "Fix: " + ep.fix) : null));
    }
    const blocked = (report.services || []).filter((s) => !s.allowed);
    for (const s of blocked) parts.push(el("p", { class: "bad" }, ruleChip(s.rule), " " + s.serviceTag + ": " + s.why));
  }
  showDetails(...parts);
  if (!quiet) $("details").focus();
}

// ---- refusals -------------------------------------------------------------------------------

function drawRefusals(list) {
  $("refusal-count").textContent = "(" + list.length + ")";
  const items = list.slice().reverse().slice(0, 50).map((r) => {
    const b = el("button", { type: "button", "aria-label": "refusal " + (r.ruleId || r.code) + ": " + r.method + " " + r.path },
      r.ruleId ? ruleChip(r.ruleId) : el("span", { class: "rule" }, r.code), " " + r.status + " " + r.method + " " + lastSegment(r.path));
    b.addEventListener("click", () => showRefusal(r));
    return el("li", {}, b);
  });
  $("refusals").replaceChildren(...items);
}

function showRefusal(r) {
  selectedCluster = null;
  const rule = r.ruleId ? rules[r.ruleId] : null;
  showDetails(
    el("h3", {}, "refused: " + r.code),
    el("p", {}, "rule ", r.ruleId ? ruleChip(r.ruleId) : "(none: an ARM protocol check)", rule ? " " + rule.summary : ""),
    rule ? el("p", {}, "seed section: " + rule.seedSection + " (fidelity: " + rule.fidelity + ")") : null,
    el("p", {}, "request: " + r.method + " " + r.path + " → " + r.status),
    el("pre", {}, r.message),
  );
  $("details").focus();
}

// ---- DNS ------------------------------------------------------------------------------------

async function resolve(e) {
  e.preventDefault();
  const q = new URLSearchParams({ name: $("dns-name").value.trim(), from: $("dns-from").value, type: $("dns-type").value });
  const out = $("dns-answer");
  try {
    const res = await api("_emulator/dns/resolve?" + q);
    const body = await res.json();
    if (!res.ok) { out.replaceChildren(el("p", { class: "bad" }, (body.error || {}).message || String(res.status))); return; }
    const a = body.answer || {};
    const hops = el("ol", { class: "trace" });
    for (const t of a.trace || []) hops.append(el("li", {}, ruleChip(t.rule), " ", el("span", { class: "hint" }, t.at), " ", t.text));
    const records = (a.answers || []).map((r) => el("li", {}, r.name + " " + r.data.type + " " + r.data.value));
    out.replaceChildren(el("p", {}, "rcode " + a.rcode), el("ul", {}, ...records), hops);
  } catch (err) {
    out.replaceChildren(el("p", { class: "bad" }, String(err.message || err)));
  }
}

async function loadVantages() {
  try {
    const body = await getJson("_emulator/dns/listeners");
    const sel = $("dns-from"), current = sel.value;
    const names = Object.keys(body.listeners || {}).sort();
    sel.replaceChildren(...names.map((n) => el("option", { value: n }, n.startsWith("vnet:") ? "vnet " + lastSegment(n) : n)));
    if (names.includes(current)) sel.value = current;
  } catch (_) { /* the status line says why */ }
}

// ---- demo: the page plays a scenario's steps, one request per click -------------------------

function substitute(text) {
  return text.replace(/\{(\w+)\}/g, (m, v) => (v in demo.vars ? demo.vars[v] : m));
}

function pointer(doc, ptr) {
  return ptr.split("/").slice(1).reduce((v, k) => (v == null ? v : v[k.replace(/~1/g, "/").replace(/~0/g, "~")]), doc);
}

function chooseScenario() {
  demo.scenario = scenarios.find((s) => s.name === $("demo-scenario").value) || null;
  demo.index = 0;
  demo.vars = {};
  const s = demo.scenario;
  $("demo-log").replaceChildren(s ? el("p", {}, s.title + ": " + s.summary + " (" + s.steps.length + " steps; seed: " + s.seedSection + ")") : "");
}

async function nextStep(e) {
  e.preventDefault();
  const s = demo.scenario;
  if (!s) return;
  const log = $("demo-log");
  if (demo.index >= s.steps.length) { log.append(el("p", {}, "The scenario is over. Reset the world to play again.")); return; }
  const step = s.steps[demo.index++];
  $("demo-next").disabled = true;
  const path = substitute(step.path).replace(/^\//, "");
  const headers = {};
  if (step.body !== null && step.body !== undefined) headers["Content-Type"] = "application/json";
  // ARM wants a bearer token (any, unless an Entra face is configured); the admin token serves.
  if (!path.startsWith("_emulator") && !sessionStorage.getItem(TOKEN_KEY)) headers["Authorization"] = "Bearer arcemu-web-view";
  let status = 0, body = null;
  try {
    const res = await api(path, { method: step.method, headers, body: step.body == null ? undefined : substitute(JSON.stringify(step.body)) });
    status = res.status;
    const text = await res.text();
    try { body = JSON.parse(text); } catch (_) { body = text; }
  } catch (err) {
    body = String(err.message || err);
  }
  if (step.capture && body && typeof body === "object") {
    const v = pointer(body, step.capture.pointer);
    if (typeof v === "string") demo.vars[step.capture.var] = v;
  }
  const want = step.want || {};
  const err = body && body.error;
  const ruleId = err && ((err.additionalInfo || []).map((i) => i.info && i.info.ruleId).find(Boolean) || null);
  // The expectation's status, code and rule (the scenario's body checks are listed, not evaluated: `arcemu demo` does that).
  const held = want.status === "2xx" ? status >= 200 && status < 300
    : status === want.status && (!want.code || (err && err.code === want.code)) && (!want.rule || ruleId === want.rule);
  const entry = el("div", {},
    el("p", {}, el("strong", {}, "Step " + demo.index + "/" + s.steps.length + ": "), step.narration || step.label || "setup"),
    el("p", { class: held ? "ok" : "bad" }, step.method + " " + decodeURIComponent(path.split("?")[0]) + " → " + status,
      err ? " " + err.code : "", " ", ruleChip(ruleId), held ? " (as the scenario expects)" : " (the scenario expected " + want.status + (want.code ? " " + want.code : "") + ")"),
    step.checks.length ? el("p", { class: "hint" }, "checks: " + step.checks.join("; ")) : null);
  entry.setAttribute("data-step", String(demo.index));
  entry.setAttribute("data-held", String(held));
  log.prepend(entry);
  $("demo-next").disabled = false;
  poll();
}

async function resetWorld() {
  try {
    const res = await api("_emulator/reset", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" });
    $("demo-log").prepend(el("p", {}, res.ok ? "World reset to its baseline." : "Reset refused: " + res.status));
  } catch (err) {
    $("demo-log").prepend(el("p", { class: "bad" }, String(err.message || err)));
  }
  chooseScenario();
  poll();
}

// ---- polling --------------------------------------------------------------------------------

async function poll() {
  try {
    const [topoRes, refRes] = await Promise.all([api("_emulator/topology"), api("_emulator/refusals")]);
    const topoText = await topoRes.text(), refText = await refRes.text();
    if (!topoRes.ok) throw new Error("topology: " + topoRes.status);
    if (topoText !== lastTopologyText) {
      lastTopologyText = topoText;
      const topo = JSON.parse(topoText);
      drawTopology(topo);
      $("status").textContent = "world generation " + topo.generation + " · " + topo.resources.length + " resources · " + topo.clusters.length + " clusters · updated " + new Date().toLocaleTimeString();
      document.body.setAttribute("data-generation", topo.generation);
      loadVantages();
    }
    if (refRes.ok && refText !== lastRefusalsText) {
      lastRefusalsText = refText;
      drawRefusals(JSON.parse(refText).value || []);
    }
  } catch (err) {
    $("status").textContent = "cannot read the emulator: " + (err.message || err);
  }
}

async function loadStatic() {
  try {
    const r = await getJson("_emulator/rules");
    rules = Object.fromEntries((r.value || []).map((x) => [x.id, x]));
  } catch (_) { /* shown by the status line */ }
  try {
    scenarios = (await getJson("_emulator/demo/scenarios")).value || [];
    $("demo-scenario").replaceChildren(...scenarios.map((s) => el("option", { value: s.name }, s.name + (s.rule ? " (" + s.rule + ")" : ""))));
    const happy = scenarios.find((s) => !s.rule);
    if (happy) $("demo-scenario").value = happy.name;
    chooseScenario();
  } catch (_) { /* idem */ }
}

function start() {
  $("token-button").addEventListener("click", () => { $("token-form").hidden = false; $("token-input").focus(); });
  $("token-form").addEventListener("submit", (e) => {
    e.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token-input").value);
    $("token-form").hidden = true;
    lastTopologyText = "";
    loadStatic().then(poll);
  });
  $("dns-form").addEventListener("submit", resolve);
  $("demo-form").addEventListener("submit", nextStep);
  $("demo-scenario").addEventListener("change", chooseScenario);
  $("demo-reset").addEventListener("click", resetWorld);
  loadStatic().then(poll);
  setInterval(poll, POLL_MS);
}

document.addEventListener("DOMContentLoaded", start);
