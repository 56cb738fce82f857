// The flow canvas: draws the flow the server holds as SVG and reports edits as events.
// It never changes the model itself; only drag state, focus, selection, pan and zoom live here.
// Every authored text is rendered with {{ }} (a text node), as a <title> or an aria-label: never as HTML.
// The server sends each node's centre and half size and each edge's path around the other steps
// (codegen/edge_routing.py); while a node is dragged its edges are drawn straight to it here.
// A read-only canvas (e.g. a test-run's) has no palette and reports no edits; `highlighted` nodes
// (where a test-run's tokens are) get a green ring. `nodeFills` and `edgeCounts` paint figures on the
// diagram (the monitor's bottleneck view: nodes coloured by waiting time, how often each edge was taken).
//
// Readable: labels wrap onto up to three lines inside a step's box (below a round or diamond shape),
// shrinking from 14 to 12 px before a word is broken; the flow opens fitted to the view, but never smaller
// than labels of READABLE_PX on screen; a flow that does not fit then, or has over MINIMAP_NODES steps,
// gets a minimap. Keyboard: Tab reaches every step, then every connection; arrow keys move a step (or pan
// the view from the canvas itself), Enter selects (opens its settings), Delete removes, Escape clears the
// selection; the palette's items add a step in the middle of the view with Enter. A live region says what
// happened.

const ICON = {
  start: "▶", end: "■", task: "", automatic: "⚙", send: "✉",
  decision: "?", parallel: "+", wait: "", subprocess: "⊞",
};
const ROUND = ["start", "end", "wait"];
const DIAMOND = ["decision", "parallel"];
const LABEL_SIZES = [14, 13, 12]; // px in the diagram, largest first
const LINE_HEIGHT = 1.15;
const MAX_LINES = 3; // a subprocess has two, above its marker
const BOX_TEXT_WIDTH = 124; // inside a step's box, beside the kind's icon
const BELOW_TEXT_WIDTH = 150; // under a round or diamond shape
const READABLE_PX = 11; // the smallest label on screen when a flow opens
const MAX_OPEN_ZOOM = 1.25;
const MINIMAP_NODES = 30;
const MINIMAP = { w: 200, h: 130 };
const PAN_STEP = 40;

let uid = 0;
let measuring = null;
const wrapped = new Map(); // text + width -> label layout, shared by every canvas on the page

function textWidth(text, size) {
  if (!measuring) measuring = document.createElement("canvas").getContext("2d");
  measuring.font = `${size}px sans-serif`;
  return measuring.measureText(text).width;
}

// The words of `text` in lines no wider than `width`; a word too wide is split (with a hyphen) only
// when `split` is set, else null.
function wrapWords(text, width, size, split) {
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const joined = line ? line + " " + word : word;
    if (textWidth(joined, size) <= width) {
      line = joined;
      continue;
    }
    if (line) lines.push(line);
    line = word;
    if (textWidth(word, size) > width) {
      if (!split) return null;
      let rest = word;
      while (textWidth(rest, size) > width) {
        let cut = rest.length - 1;
        while (cut > 1 && textWidth(rest.slice(0, cut) + "-", size) > width) cut--;
        lines.push(rest.slice(0, cut) + "-");
        rest = rest.slice(cut);
      }
      line = rest;
    }
  }
  if (line) lines.push(line);
  return lines;
}

// How a label is drawn: {size, lines, cut, width}. The largest size whose lines fit without splitting a word;
// else the smallest size with words split; `cut` when even that needs more than `maxLines` (the last
// line then ends in an ellipsis, and the whole label stays in the title and the aria-label).
function labelLayout(text, width, maxLines) {
  const key = width + "|" + maxLines + "|" + text;
  if (wrapped.has(key)) return wrapped.get(key);
  let layout = null;
  for (const size of LABEL_SIZES) {
    const lines = wrapWords(text, width, size, false);
    if (lines && lines.length <= maxLines) {
      layout = { size, lines, cut: false };
      break;
    }
  }
  if (!layout) {
    const size = LABEL_SIZES[LABEL_SIZES.length - 1];
    const lines = wrapWords(text, width, size, true);
    const cut = lines.length > maxLines;
    if (cut) {
      let last = lines.slice(maxLines - 1).join(" ");
      while (last && textWidth(last + "…", size) > width) last = last.slice(0, -1);
      lines.splice(maxLines - 1, lines.length, last.trimEnd() + "…");
    }
    layout = { size, lines, cut };
  }
  layout.width = Math.max(0, ...layout.lines.map((line) => textWidth(line, layout.size)));
  wrapped.set(key, layout);
  return layout;
}

export default {
  template: `
  <div class="fc-root" tabindex="0" @keydown="onKey" role="application" aria-roledescription="flow diagram"
       :aria-label="t('flow', { steps: drawnNodes.length, connections: drawnEdges.length })"
       :aria-describedby="markerId + '-help'"
       style="display:flex;width:100%;height:100%;min-height:420px;font-family:sans-serif;user-select:none;
              border:1px solid #d0d7de;border-radius:6px;overflow:hidden;background:#fff;position:relative">
    <div :id="markerId + '-help'" style="display:none">
      {{ t("help_reach") }} {{ readOnly ? "" : t("help_edit") }} {{ t("help_view") }}
    </div>
    <div class="fc-live" role="status" aria-live="polite"
         style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap">
      {{ announcement }}</div>
    <div v-if="!readOnly" class="fc-palette" role="toolbar" :aria-label="t('add_step')"
         style="width:150px;flex:none;border-right:1px solid #d0d7de;background:#f6f8fa;
                padding:6px;overflow-y:auto;user-select:none">
      <div style="font-size:12px;color:#57606a;margin:2px 4px 6px">{{ t("drag_hint") }}</div>
      <div v-for="item in palette" :key="item.kind" class="fc-palette-item" :data-kind="item.kind"
           tabindex="0" role="button" :aria-label="t('add_item', { label: item.label })"
           @pointerdown.prevent="startPaletteDrag($event, item)" @keydown="onPaletteKey($event, item)"
           style="display:flex;align-items:center;gap:8px;padding:6px;margin-bottom:4px;border-radius:4px;
                  background:#fff;border:1px solid #d0d7de;cursor:grab;font-size:12px;color:#24292f">
        <span aria-hidden="true" style="width:20px;text-align:center;font-size:14px">
          <svg v-if="item.kind === 'task' || item.kind === 'wait'" width="16" height="16" viewBox="-8 -8 16 16"
               style="vertical-align:middle">
            <g v-if="item.kind === 'task'" fill="#24292f"><circle cy="-3" r="3.2" /><path d="M -6 7 A 6 6 0 0 1 6 7 Z" /></g>
            <g v-else fill="none" stroke="#24292f" stroke-width="1.4"><circle r="6.5" /><path d="M 0 -4 L 0 0 L 3 2" /></g>
          </svg>{{ icon(item.kind) }}</span>
        <span>{{ item.label }}</span>
      </div>
    </div>
    <div style="flex:1;position:relative;min-width:0">
      <svg ref="svg" class="fc-svg" width="100%" height="100%" style="display:block;touch-action:none;cursor:default"
           @pointerdown="onBackgroundDown" @wheel.prevent="onWheel">
        <defs>
          <marker :id="markerId" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8"
                  orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#57606a" />
          </marker>
          <marker :id="markerId + '-sel'" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8"
                  orient="auto-start-reverse">
            <path d="M 0 0 L 10 5 L 0 10 z" fill="#0969da" />
          </marker>
          <pattern :id="markerId + '-grid'" :width="grid * view.k" :height="grid * view.k"
                   :x="view.x" :y="view.y" patternUnits="userSpaceOnUse">
            <circle cx="1" cy="1" r="1" fill="#e1e4e8" />
          </pattern>
        </defs>
        <rect class="fc-background" x="0" y="0" width="100%" height="100%" :fill="'url(#' + markerId + '-grid)'" />
        <g :transform="'translate(' + view.x + ',' + view.y + ') scale(' + view.k + ')'">
          <g v-for="edge in drawnEdges" :key="edge.id" class="fc-edge" :data-edge-id="edge.id" aria-hidden="true"
             @pointerdown.stop="onEdgeDown($event, edge)" style="cursor:pointer">
            <path :d="edge.d" fill="none" stroke="transparent" stroke-width="12" />
            <path :d="edge.d" fill="none" :stroke="isMarked(edge.id) ? '#0969da' : '#57606a'"
                  :stroke-width="edge.id === focused ? 3.5 : edge.id === selected ? 2.5 : 1.5"
                  :marker-end="'url(#' + markerId + (isMarked(edge.id) ? '-sel' : '') + ')'" />
            <text v-if="edge.label" class="fc-edge-label" :x="edge.tx" :y="edge.ty" text-anchor="middle" font-size="12"
                  dominant-baseline="central" fill="#24292f" stroke="#fff" stroke-width="3" paint-order="stroke">{{ short(edge.label, 28) }}<title>{{ edge.label }}</title></text>
            <text v-if="edgeCounts[edge.id] !== undefined" class="fc-edge-count" :x="edge.lx" :y="edge.ly + 14"
                  text-anchor="middle" font-size="12" font-weight="bold" fill="#0969da" stroke="#fff" stroke-width="3"
                  paint-order="stroke">{{ edgeCounts[edge.id] }}</text>
            <g v-if="marks[edge.id]" class="fc-finding" :data-severity="marks[edge.id].severity">
              <circle :cx="edge.lx" :cy="edge.ly + 8" r="8" :fill="color(marks[edge.id].severity)" />
              <text :x="edge.lx" :y="edge.ly + 12" text-anchor="middle" font-size="11" font-weight="bold"
                    fill="#fff">!</text>
              <title>{{ marks[edge.id].text }}</title>
            </g>
          </g>
          <g v-for="node in drawnNodes" :key="node.id" class="fc-node" :data-node-id="node.id" :data-kind="node.kind"
             :transform="'translate(' + node.x + ',' + node.y + ')'" tabindex="0" role="button"
             :aria-roledescription="kindName(node.kind)" :aria-label="nodeDescription(node)"
             @focus="focused = node.id" @blur="onBlur(node.id)"
             @pointerdown.stop="onNodeDown($event, node)" :style="(readOnly ? 'cursor:pointer' : 'cursor:move') + ';outline:none'">
            <title>{{ node.name || node.id }}</title>
            <rect v-if="tokens.has(node.id)" class="fc-token" :x="-node.hw - 9" :y="-node.hh - 9"
                  :width="2 * node.hw + 18" :height="2 * node.hh + 18" rx="16"
                  fill="#dafbe1" stroke="#1a7f37" stroke-width="4" />
            <rect v-if="node.id === selected" class="fc-selection" :x="-node.hw - 6" :y="-node.hh - 6"
                  :width="2 * node.hw + 12" :height="2 * node.hh + 12" rx="12"
                  fill="none" stroke="#0969da" stroke-width="2" stroke-dasharray="5 3" />
            <rect v-if="node.id === connectingFrom" class="fc-connecting" :x="-node.hw - 8" :y="-node.hh - 8"
                  :width="2 * node.hw + 16" :height="2 * node.hh + 16" rx="14"
                  fill="none" stroke="#8250df" stroke-width="3" stroke-dasharray="8 4" />
            <rect v-if="node.id === focused" class="fc-focus" :x="-node.hw - 4" :y="-node.hh - 4"
                  :width="2 * node.hw + 8" :height="2 * node.hh + 8" rx="11"
                  fill="none" stroke="#0969da" stroke-width="3" />
            <circle v-if="isRound(node)" :r="node.hw" :fill="fill(node)" stroke="#24292f"
                    :stroke-width="node.kind === 'end' ? 4 : 1.5" />
            <circle v-if="node.kind === 'wait'" :r="node.hw - 4" fill="none" stroke="#24292f" stroke-width="1" />
            <path v-if="isDiamond(node)" :d="diamond(node)" :fill="fill(node)" stroke="#24292f" stroke-width="1.5" />
            <rect v-if="!isRound(node) && !isDiamond(node)" :x="-node.hw" :y="-node.hh" :width="2 * node.hw"
                  :height="2 * node.hh" :rx="node.kind === 'subprocess' ? 2 : 10" :fill="fill(node)" stroke="#24292f"
                  stroke-width="1.5" />
            <text v-if="isRound(node) || isDiamond(node)" y="6" text-anchor="middle" font-size="16"
                  fill="#24292f" style="pointer-events:none">{{ nodeIcon(node) }}</text>
            <text v-if="!isRound(node) && !isDiamond(node)" class="fc-icon" :x="-node.hw + 6" :y="-node.hh + 13"
                  font-size="11" fill="#57606a" style="pointer-events:none">{{ nodeIcon(node) }}</text>
            <text class="fc-label" text-anchor="middle" :font-size="node.label.size" fill="#24292f"
                  style="pointer-events:none" :data-cut="node.label.cut ? 'yes' : null">
              <tspan v-for="(line, index) in node.label.lines" :key="index" x="0" :y="lineY(node, index)"
                     dominant-baseline="central">{{ line }}</tspan>
            </text>
            <g v-if="node.kind === 'task'" class="fc-icon" fill="#57606a" style="pointer-events:none"
               :transform="'translate(' + (-node.hw + 9) + ',' + (-node.hh + 6) + ')'">
              <circle cy="0" r="2.6" /><path d="M -4.5 7.5 A 4.5 4.5 0 0 1 4.5 7.5 Z" />
            </g>
            <g v-if="node.kind === 'wait' && node.wait_for !== 'message'" fill="none" stroke="#24292f"
               stroke-width="1.5" style="pointer-events:none">
              <circle r="11" /><path d="M 0 -7 L 0 0 L 5 3" />
            </g>
            <g v-if="node.kind === 'subprocess'" class="fc-icon" style="pointer-events:none">
              <rect x="-6" :y="node.hh - 13" width="12" height="12" fill="#fff" stroke="#24292f" />
              <path :d="'M 0 ' + (node.hh - 10) + ' L 0 ' + (node.hh - 4) + ' M -3 ' + (node.hh - 7) + ' L 3 ' + (node.hh - 7)"
                    stroke="#24292f" stroke-width="1.5" />
            </g>
            <circle v-if="!readOnly" class="fc-handle" :cx="node.hw" cy="0" r="6" fill="#fff" stroke="#0969da"
                    stroke-width="1.5" style="cursor:crosshair" @pointerdown.stop="startEdgeDrag($event, node)">
              <title>Drag to connect</title>
            </circle>
            <g v-if="marks[node.id]" class="fc-finding" :data-severity="marks[node.id].severity"
               :transform="'translate(' + (node.hw - 4) + ',' + (-node.hh - 2) + ')'">
              <circle r="9" :fill="color(marks[node.id].severity)" stroke="#fff" stroke-width="1.5" />
              <text y="4" text-anchor="middle" font-size="12" font-weight="bold" fill="#fff">!</text>
              <title>{{ marks[node.id].text }}</title>
            </g>
          </g>
          <g v-for="edge in drawnEdges" :key="'key-' + edge.id" class="fc-edge-key" :data-edge-key="edge.id"
             tabindex="0" role="button" :aria-roledescription="t('connection')" :aria-label="edgeDescription(edge)"
             @focus="focused = edge.id" @blur="onBlur(edge.id)" style="pointer-events:none;outline:none">
            <path :d="edge.d" fill="none" stroke="none" />
          </g>
          <path v-if="link" class="fc-link" :d="link" fill="none" stroke="#0969da" stroke-width="1.5"
                stroke-dasharray="4 3" :marker-end="'url(#' + markerId + '-sel)'" style="pointer-events:none" />
        </g>
      </svg>
      <svg v-if="showMinimap" class="fc-minimap" aria-hidden="true" :width="minimap.w" :height="minimap.h"
           @pointerdown.stop.prevent="onMinimapDown"
           style="position:absolute;left:8px;bottom:8px;background:#fff;border:1px solid #d0d7de;border-radius:4px;
                  cursor:pointer;box-shadow:0 1px 3px rgba(0,0,0,.12)">
        <g :transform="'translate(' + minimap.x + ',' + minimap.y + ') scale(' + minimap.k + ')'">
          <path v-for="edge in drawnEdges" :key="edge.id" :d="edge.d" fill="none" stroke="#8c959f"
                stroke-width="1" vector-effect="non-scaling-stroke" />
          <rect v-for="node in drawnNodes" :key="node.id" :x="node.x - node.hw" :y="node.y - node.hh"
                :width="2 * node.hw" :height="2 * node.hh" :rx="isRound(node) ? node.hw : 6"
                :fill="node.id === selected ? '#0969da' : '#d0d7de'" />
          <rect class="fc-minimap-view" :x="-view.x / view.k" :y="-view.y / view.k" :width="size.w / view.k"
                :height="size.h / view.k" fill="rgba(9,105,218,0.08)" stroke="#0969da" stroke-width="1.5"
                vector-effect="non-scaling-stroke" />
        </g>
      </svg>
      <div class="fc-zoom" style="position:absolute;right:8px;bottom:8px;display:flex;gap:4px">
        <button type="button" class="fc-zoom-in" :title="t('zoom_in')" :aria-label="t('zoom_in')" @click="zoomBy(1.2)" :style="buttonStyle">+</button>
        <button type="button" class="fc-zoom-out" :title="t('zoom_out')" :aria-label="t('zoom_out')" @click="zoomBy(1 / 1.2)" :style="buttonStyle">−</button>
        <button type="button" class="fc-fit" :title="t('fit')" @click="fit" :style="buttonStyle + ';width:auto;padding:0 8px'">{{ t("fit") }}</button>
      </div>
      <div v-if="ghost" class="fc-ghost"
           :style="'position:fixed;pointer-events:none;left:' + (ghost.cx - 40) + 'px;top:' + (ghost.cy - 14) + 'px;' +
                   'background:#ddf4ff;border:1px dashed #0969da;border-radius:4px;padding:4px 8px;font-size:12px;z-index:10'">
        {{ icon(ghost.kind) }} {{ ghost.label }}
      </div>
    </div>
  </div>`,
  props: {
    nodes: Array,
    edges: Array,
    findings: Array,
    palette: Array,
    words: { type: Object, default: () => ({}) }, // what the canvas says, in the reader's language (flow_canvas.py)
    grid: { type: Number, default: 20 },
    readOnly: { type: Boolean, default: false },
    highlighted: { type: Array, default: () => [] },
    nodeFills: { type: Object, default: () => ({}) },
    edgeCounts: { type: Object, default: () => ({}) },
  },
  data() {
    return {
      markerId: "fc-arrow-" + ++uid,
      view: { x: 0, y: 0, k: 1 },
      size: { w: 0, h: 0 },
      viewChosen: false, // the person panned or zoomed: a resize no longer re-opens the view
      selected: null,
      focused: null,
      moving: {}, // node id -> {x, y} while dragging or moved by key, until the server's model arrives
      drag: null, // {type: 'node'|'pan'|'edge'|'palette'|'minimap', ...}
      link: null,
      ghost: null,
      announcement: "",
      deleting: null, // {ids, names}: announced once the server's model no longer has them
      connectingFrom: null, // a step's id after C was pressed on it: C on another step connects the two
      buttonStyle: "width:28px;height:28px;border:1px solid #d0d7de;border-radius:4px;background:#fff;cursor:pointer;font-size:16px",
    };
  },
  computed: {
    byId() {
      const nodes = {};
      for (const node of this.nodes || []) {
        const moved = this.moving[node.id];
        const below = ROUND.includes(node.kind) || DIAMOND.includes(node.kind);
        const label = labelLayout(String(node.name || node.id), below ? BELOW_TEXT_WIDTH : BOX_TEXT_WIDTH,
                                  node.kind === "subprocess" ? MAX_LINES - 1 : MAX_LINES);
        nodes[node.id] = { ...node, x: moved ? moved.x : node.x, y: moved ? moved.y : node.y, label, below };
      }
      return nodes;
    },
    tokens() {
      return new Set(this.highlighted || []);
    },
    drawnNodes() {
      return Object.values(this.byId);
    },
    drawnEdges() {
      const edges = [];
      for (const edge of this.edges || []) {
        const s = this.byId[edge.source];
        const t = this.byId[edge.target];
        if (!s || !t) continue;
        if (edge.d && !this.moving[edge.source] && !this.moving[edge.target]) {
          edges.push(edge);
        } else {
          edges.push({ ...edge, ...this.straightPath(s, t) });
        }
      }
      return edges;
    },
    marks() {
      const marks = {};
      for (const finding of this.findings || []) {
        if (!finding.element) continue;
        const mark = marks[finding.element] || (marks[finding.element] = { severity: "warning", lines: [] });
        if (finding.severity === "error") mark.severity = "error";
        mark.lines.push(this.t(finding.severity === "error" ? "error" : "warning", { message: finding.message }));
      }
      for (const mark of Object.values(marks)) mark.text = mark.lines.join("\n");
      return marks;
    },
    kindNames() {
      const names = {};
      for (const item of this.palette || []) names[item.kind] = item.label;
      return names;
    },
    bounds() {
      const nodes = this.drawnNodes;
      if (!nodes.length) return null;
      const below = (n) => (n.below ? n.label.lines.length * n.label.size * LINE_HEIGHT + 8 : 0);
      const half = (n) => Math.max(n.hw, n.below ? n.label.width / 2 : 0);
      const extents = this.drawnEdges.filter((e) => e.extent).map((e) => e.extent); // loops run outside the steps
      return {
        left: Math.min(...nodes.map((n) => n.x - half(n)), ...extents.map((e) => e[0])) - 20,
        right: Math.max(...nodes.map((n) => n.x + half(n)), ...extents.map((e) => e[2])) + 20,
        top: Math.min(...nodes.map((n) => n.y - n.hh), ...extents.map((e) => e[1])) - 20,
        bottom: Math.max(...nodes.map((n) => n.y + n.hh + below(n)), ...extents.map((e) => e[3])) + 20,
      };
    },
    readableZoom() {
      // The smallest label drawn reaches READABLE_PX on screen.
      return READABLE_PX / Math.min(LABEL_SIZES[0], ...this.drawnNodes.map((n) => n.label.size));
    },
    showMinimap() {
      const b = this.bounds;
      if (!b || !this.size.w) return false;
      const k = this.readableZoom;
      return this.drawnNodes.length > MINIMAP_NODES || (b.right - b.left) * k > this.size.w ||
        (b.bottom - b.top) * k > this.size.h;
    },
    minimap() {
      const b = this.bounds || { left: 0, right: 1, top: 0, bottom: 1 };
      const k = Math.min((MINIMAP.w - 8) / (b.right - b.left), (MINIMAP.h - 8) / (b.bottom - b.top));
      const w = Math.round((b.right - b.left) * k + 8);
      const h = Math.round((b.bottom - b.top) * k + 8);
      return { w, h, k, x: 4 - b.left * k, y: 4 - b.top * k };
    },
  },
  watch: {
    nodes() {
      // The server's model is the truth again: drop local drag positions.
      if (!this.drag || this.drag.type !== "node") this.moving = {};
      if (this.selected && !this.byId[this.selected] && !(this.edges || []).some((e) => e.id === this.selected)) {
        this.selected = null;
      }
      this.announceDeleted();
    },
    edges() {
      this.announceDeleted();
    },
  },
  mounted() {
    this.onMove = (event) => this.pointerMove(event);
    this.onUp = (event) => this.pointerUp(event);
    document.addEventListener("pointermove", this.onMove);
    document.addEventListener("pointerup", this.onUp);
    this.resized = new ResizeObserver(() => {
      const rect = this.$refs.svg.getBoundingClientRect();
      this.size = { w: rect.width, h: rect.height };
      if (!this.viewChosen) this.openView();
    });
    this.resized.observe(this.$refs.svg);
  },
  beforeUnmount() {
    document.removeEventListener("pointermove", this.onMove);
    document.removeEventListener("pointerup", this.onUp);
    this.resized.disconnect();
    this.drag = null;
  },
  methods: {
    icon(kind) {
      return kind in ICON ? ICON[kind] : "□";
    },
    nodeIcon(node) {
      if (node.kind === "wait" && node.wait_for === "message") return "✉";
      return this.icon(node.kind);
    },
    t(key, values = {}) {
      // The reader's words for `key` with {name}s filled in; the key itself when the page sent none.
      return String(this.words[key] || key).replace(/\{(\w+)\}/g, (all, name) => (name in values ? values[name] : all));
    },
    kindName(kind) {
      return this.kindNames[kind] || kind;
    },
    nodeDescription(node) {
      const mark = this.marks[node.id];
      return this.kindName(node.kind) + ": " + (node.name || node.id) + (mark ? ". " + mark.lines.join(". ") : "");
    },
    edgeDescription(edge) {
      const name = (id) => (this.byId[id] ? this.byId[id].name || id : id);
      const mark = this.marks[edge.id];
      return this.t("edge", { source: name(edge.source), target: name(edge.target) }) +
        (edge.label ? ", " + edge.label : "") + (mark ? ". " + mark.lines.join(". ") : "");
    },
    isRound(node) {
      return ROUND.includes(node.kind);
    },
    isDiamond(node) {
      return DIAMOND.includes(node.kind);
    },
    isMarked(id) {
      return id === this.selected || id === this.focused;
    },
    diamond(node) {
      return `M 0 ${-node.hh} L ${node.hw} 0 L 0 ${node.hh} L ${-node.hw} 0 Z`;
    },
    lineY(node, index) {
      const step = node.label.size * LINE_HEIGHT;
      if (node.below) return node.hh + 6 + step / 2 + index * step;
      // Below the kind's icon in the top-left corner; a subprocess's above its marker at the bottom.
      const top = -node.hh + 16, bottom = node.kind === "subprocess" ? node.hh - 15 : node.hh - 1;
      return (top + bottom) / 2 + (index - (node.label.lines.length - 1) / 2) * step;
    },
    straightPath(s, t) {
      // While a node is moved here, before the server routes its edges again.
      const sx = s.x + s.hw, sy = s.y, tx = t.x - t.hw, ty = t.y;
      if (tx > sx + 10) {
        const c = Math.max(30, (tx - sx) / 2);
        const lx = (sx + tx) / 2, ly = (sy + ty) / 2;
        return { d: `M ${sx} ${sy} C ${sx + c} ${sy} ${tx - c} ${ty} ${tx} ${ty}`, lx, ly, tx: lx, ty: ly - 10 };
      }
      const bottom = Math.max(s.y + s.hh, t.y + t.hh) + 40;
      const lx = (s.x + t.x) / 2, ly = bottom - 8;
      return { d: `M ${s.x} ${s.y + s.hh} C ${s.x} ${bottom} ${t.x} ${bottom} ${t.x} ${t.y + t.hh}`,
               lx, ly, tx: lx, ty: ly - 10 };
    },
    fill(node) {
      if (this.nodeFills[node.id]) return this.nodeFills[node.id];
      if (node.kind === "start") return "#dafbe1";
      if (node.kind === "end") return "#ffebe9";
      if (DIAMOND.includes(node.kind)) return "#fff8c5";
      return "#ffffff";
    },
    color(severity) {
      return severity === "error" ? "#cf222e" : "#d4760a";
    },
    short(text, max) {
      text = String(text);
      return text.length > max ? text.slice(0, max - 1) + "…" : text;
    },
    say(text) {
      // Cleared first, so the same words said twice are announced twice.
      this.announcement = "";
      this.$nextTick(() => { this.announcement = text; });
    },
    name(id) {
      const node = this.byId[id];
      if (node) return this.kindName(node.kind) + " " + (node.name || node.id);
      const edge = (this.edges || []).find((e) => e.id === id);
      return edge ? this.t("the_connection", { description: this.edgeDescription(edge) }) : id;
    },
    toWorld(event) {
      const rect = this.$refs.svg.getBoundingClientRect();
      return { x: (event.clientX - rect.left - this.view.x) / this.view.k, y: (event.clientY - rect.top - this.view.y) / this.view.k };
    },
    snap(value) {
      return Math.round(value / this.grid) * this.grid;
    },
    setSelected(id) {
      if (this.selected === id) return;
      this.selected = id;
      this.$emit("selected", { id });
    },
    focusRoot() {
      this.$el.focus({ preventScroll: true });
    },
    focusElement(id) {
      const element = this.$el.querySelector(`[data-node-id="${CSS.escape(id)}"], [data-edge-key="${CSS.escape(id)}"]`);
      if (element) element.focus({ preventScroll: true });
    },
    onBlur(id) {
      if (this.focused === id) this.focused = null;
    },
    onBackgroundDown(event) {
      if (event.button !== 0) return;
      this.focusRoot();
      this.setSelected(null);
      this.viewChosen = true;
      this.drag = { type: "pan", cx: event.clientX, cy: event.clientY, x: this.view.x, y: this.view.y };
    },
    onNodeDown(event, node) {
      if (event.button !== 0) return;
      this.focusElement(node.id);
      this.setSelected(node.id);
      if (this.readOnly) return;
      const at = this.toWorld(event);
      this.drag = { type: "node", id: node.id, dx: node.x - at.x, dy: node.y - at.y, x0: node.x, y0: node.y };
    },
    onEdgeDown(event, edge) {
      if (event.button !== 0) return;
      this.focusElement(edge.id);
      this.setSelected(edge.id);
    },
    startEdgeDrag(event, node) {
      if (event.button !== 0 || this.readOnly) return;
      this.focusRoot();
      this.drag = { type: "edge", source: node.id };
    },
    startPaletteDrag(event, item) {
      if (event.button !== 0 || this.readOnly) return;
      this.focusRoot();
      this.drag = { type: "palette", kind: item.kind };
      this.ghost = { kind: item.kind, label: item.label, cx: event.clientX, cy: event.clientY };
    },
    onMinimapDown(event) {
      this.drag = { type: "minimap" };
      this.panToMinimap(event);
    },
    panToMinimap(event) {
      const rect = event.currentTarget && event.currentTarget.getBoundingClientRect
        ? event.currentTarget.getBoundingClientRect() : this.$el.querySelector(".fc-minimap").getBoundingClientRect();
      const m = this.minimap;
      const x = (event.clientX - rect.left - m.x) / m.k;
      const y = (event.clientY - rect.top - m.y) / m.k;
      this.viewChosen = true;
      this.view = { ...this.view, x: this.size.w / 2 - x * this.view.k, y: this.size.h / 2 - y * this.view.k };
    },
    pointerMove(event) {
      const drag = this.drag;
      if (!drag) return;
      if (drag.type === "pan") {
        this.view.x = drag.x + event.clientX - drag.cx;
        this.view.y = drag.y + event.clientY - drag.cy;
      } else if (drag.type === "node") {
        const at = this.toWorld(event);
        this.moving = { ...this.moving, [drag.id]: { x: at.x + drag.dx, y: at.y + drag.dy } };
      } else if (drag.type === "edge") {
        const s = this.byId[drag.source];
        if (!s) return;
        const at = this.toWorld(event);
        this.link = `M ${s.x + s.hw} ${s.y} L ${at.x} ${at.y}`;
      } else if (drag.type === "palette") {
        this.ghost = { ...this.ghost, cx: event.clientX, cy: event.clientY };
      } else if (drag.type === "minimap") {
        const minimap = this.$el.querySelector(".fc-minimap");
        if (minimap) this.panToMinimap({ clientX: event.clientX, clientY: event.clientY, currentTarget: minimap });
      }
    },
    pointerUp(event) {
      const drag = this.drag;
      this.drag = null;
      if (!drag) return;
      if (drag.type === "node") {
        const moved = this.moving[drag.id];
        if (!moved) return;
        const x = this.snap(moved.x), y = this.snap(moved.y);
        if (x === drag.x0 && y === drag.y0) {
          this.moving = {};
          return;
        }
        this.moving = { ...this.moving, [drag.id]: { x, y } }; // stays until the server answers
        this.$emit("node_moved", { id: drag.id, x, y });
      } else if (drag.type === "edge") {
        this.link = null;
        const hit = document.elementFromPoint(event.clientX, event.clientY);
        const target = hit && hit.closest && hit.closest("[data-node-id]");
        if (target && this.$el.contains(target) && target.dataset.nodeId !== drag.source) {
          this.$emit("edge_added", { source: drag.source, target: target.dataset.nodeId });
        }
      } else if (drag.type === "palette") {
        this.ghost = null;
        const rect = this.$refs.svg.getBoundingClientRect();
        const inside = event.clientX >= rect.left && event.clientX <= rect.right &&
          event.clientY >= rect.top && event.clientY <= rect.bottom;
        if (inside) {
          const at = this.toWorld(event);
          this.$emit("node_added", { kind: drag.kind, x: this.snap(at.x), y: this.snap(at.y) });
        }
      }
    },
    onPaletteKey(event, item) {
      if (event.key !== "Enter" && event.key !== " ") return;
      event.preventDefault();
      event.stopPropagation();
      const x = this.snap((this.size.w / 2 - this.view.x) / this.view.k);
      const y = this.snap((this.size.h / 2 - this.view.y) / this.view.k);
      this.$emit("node_added", { kind: item.kind, x, y });
      this.say(this.t("added", { label: item.label }));
    },
    onKey(event) {
      const key = event.key;
      const ctrl = event.ctrlKey || event.metaKey;
      const element = event.target.closest ? event.target.closest("[data-node-id], [data-edge-key]") : null;
      const target = element ? element.dataset.nodeId || element.dataset.edgeKey : null;
      const arrows = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      if (this.readOnly && (ctrl || key === "Delete" || key === "Backspace")) return;
      if (ctrl && (key === "z" || key === "Z")) {
        event.preventDefault();
        this.$emit(event.shiftKey ? "redo" : "undo", {});
      } else if (ctrl && (key === "y" || key === "Y")) {
        event.preventDefault();
        this.$emit("redo", {});
      } else if ((key === "Delete" || key === "Backspace") && (target || this.selected)) {
        event.preventDefault();
        this.remove(target || this.selected);
      } else if ((key === "Enter" || key === " ") && target) {
        event.preventDefault();
        this.setSelected(target);
        this.say(this.t("selected", { name: this.name(target) }));
      } else if (!ctrl && (key === "c" || key === "C") && target && this.byId[target] && !this.readOnly) {
        event.preventDefault();
        this.connectByKey(target);
      } else if (key === "Escape" && this.connectingFrom) {
        this.connectingFrom = null;
        this.say(this.t("no_connection"));
      } else if (key === "Escape" && this.selected) {
        this.setSelected(null);
        this.say(this.t("nothing_selected"));
      } else if (key in arrows && !ctrl) {
        event.preventDefault();
        const [dx, dy] = arrows[key];
        if (target && this.byId[target] && !this.readOnly) {
          this.moveByKey(target, dx, dy, event.shiftKey ? 5 : 1);
        } else if (!target) {
          this.viewChosen = true;
          this.view = { ...this.view, x: this.view.x - dx * PAN_STEP, y: this.view.y - dy * PAN_STEP };
        }
      } else if (!ctrl && (key === "+" || key === "=")) {
        this.zoomBy(1.2);
      } else if (!ctrl && key === "-") {
        this.zoomBy(1 / 1.2);
      }
    },
    connectByKey(id) {
      const from = this.connectingFrom;
      if (!from || !this.byId[from] || from === id) {
        this.connectingFrom = id;
        this.say(this.t("connecting", { name: this.name(id) }));
        return;
      }
      this.connectingFrom = null;
      this.$emit("edge_added", { source: from, target: id });
      this.say(this.t("connected", { source: this.name(from), target: this.name(id) }));
    },
    moveByKey(id, dx, dy, steps) {
      const node = this.byId[id];
      const x = this.snap(node.x) + dx * steps * this.grid;
      const y = this.snap(node.y) + dy * steps * this.grid;
      this.moving = { ...this.moving, [id]: { x, y } };
      this.$emit("node_moved", { id, x, y });
      const way = dx < 0 ? "moved_left" : dx > 0 ? "moved_right" : dy < 0 ? "moved_up" : "moved_down";
      this.say(this.t(way, { name: node.name || node.id }));
      this.keepInView(x, y);
    },
    keepInView(x, y) {
      const px = this.view.x + x * this.view.k, py = this.view.y + y * this.view.k;
      const margin = 60;
      let { x: vx, y: vy } = this.view;
      if (px < margin) vx += margin - px;
      if (px > this.size.w - margin) vx -= px - (this.size.w - margin);
      if (py < margin) vy += margin - py;
      if (py > this.size.h - margin) vy -= py - (this.size.h - margin);
      this.view = { ...this.view, x: vx, y: vy };
    },
    remove(id) {
      this.deleting = { id, name: this.name(id) };
      this.$emit("deleted", { ids: [id] });
    },
    announceDeleted() {
      const deleting = this.deleting;
      if (!deleting) return;
      const still = this.byId[deleting.id] || (this.edges || []).some((e) => e.id === deleting.id);
      if (still) return;
      this.deleting = null;
      this.say(this.t("deleted", { name: deleting.name }));
      this.$nextTick(() => this.focusRoot());
    },
    onWheel(event) {
      const rect = this.$refs.svg.getBoundingClientRect();
      this.viewChosen = true;
      this.zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
    },
    zoomBy(factor) {
      this.viewChosen = true;
      this.zoomAt(factor, this.size.w / 2, this.size.h / 2);
    },
    zoomAt(factor, px, py) {
      const k = Math.min(3, Math.max(0.2, this.view.k * factor));
      const f = k / this.view.k;
      this.view = { x: px - (px - this.view.x) * f, y: py - (py - this.view.y) * f, k };
    },
    openView() {
      // Fitted, but never smaller than readable: a flow too large then starts at its left (the start) edge.
      const b = this.bounds;
      if (!b || !this.size.w || !this.size.h) return;
      const width = b.right - b.left, height = b.bottom - b.top;
      const fitted = Math.min(this.size.w / width, this.size.h / height);
      const k = Math.min(MAX_OPEN_ZOOM, Math.max(fitted, this.readableZoom));
      const x = width * k <= this.size.w ? (this.size.w - width * k) / 2 - b.left * k : -b.left * k;
      const y = height * k <= this.size.h ? (this.size.h - height * k) / 2 - b.top * k : -b.top * k;
      this.view = { x, y, k };
    },
    fit() {
      const b = this.bounds;
      if (!b || !this.size.w) return;
      const width = b.right - b.left, height = b.bottom - b.top;
      const k = Math.min(MAX_OPEN_ZOOM, Math.max(0.2, Math.min(this.size.w / width, this.size.h / height)));
      this.viewChosen = true;
      this.view = { x: (this.size.w - width * k) / 2 - b.left * k, y: (this.size.h - height * k) / 2 - b.top * k, k };
    },
    select(id) {
      this.selected = id == null ? null : String(id);
    },
    center_on(id) {
      let point = this.byId[id];
      if (!point) point = this.drawnEdges.find((e) => e.id === id);
      if (!point) return;
      const x = point.lx !== undefined ? point.lx : point.x;
      const y = point.ly !== undefined ? point.ly : point.y;
      this.viewChosen = true;
      this.view = { ...this.view, x: this.size.w / 2 - x * this.view.k, y: this.size.h / 2 - y * this.view.k };
    },
  },
};
