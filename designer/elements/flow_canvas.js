// The flow canvas: draws the flow the server holds as SVG and reports edits as events.
// It never changes the model itself; only drag state, selection, pan and zoom live here.
// Every authored text is rendered with {{ }} (a text node) or as a <title>: never as HTML.
// A read-only canvas (e.g. a test-run's) has no palette and reports no edits; `highlighted` nodes
// (where a test-run's tokens are) get a green ring. `nodeFills` and `edgeCounts` paint figures on the
// diagram (the monitor's bottleneck view: nodes coloured by waiting time, how often each edge was taken).

const HALF = {
  start: [22, 22], end: [22, 22], wait: [22, 22],
  decision: [30, 30], parallel: [30, 30],
  task: [70, 30], automatic: [70, 30], send: [70, 30], subprocess: [70, 30],
};
const ICON = {
  start: "▶", end: "■", task: "", automatic: "⚙", send: "✉",
  decision: "?", parallel: "+", wait: "", subprocess: "⊞",
};
const ROUND = ["start", "end", "wait"];
const DIAMOND = ["decision", "parallel"];

let uid = 0;

export default {
  template: `
  <div class="fc-root" tabindex="0" @keydown="onKey"
       style="display:flex;width:100%;height:100%;min-height:420px;outline:none;font-family:sans-serif;user-select:none;
              border:1px solid #d0d7de;border-radius:6px;overflow:hidden;background:#fff;position:relative">
    <div v-if="!readOnly" class="fc-palette"
         style="width:150px;flex:none;border-right:1px solid #d0d7de;background:#f6f8fa;
                padding:6px;overflow-y:auto;user-select:none">
      <div style="font-size:11px;color:#57606a;margin:2px 4px 6px">Drag onto the canvas</div>
      <div v-for="item in palette" :key="item.kind" class="fc-palette-item" :data-kind="item.kind"
           @pointerdown.prevent="startPaletteDrag($event, item)"
           style="display:flex;align-items:center;gap:8px;padding:6px;margin-bottom:4px;border-radius:4px;
                  background:#fff;border:1px solid #d0d7de;cursor:grab;font-size:12px;color:#24292f">
        <span style="width:20px;text-align:center;font-size:14px">
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
          <g v-for="edge in drawnEdges" :key="edge.id" class="fc-edge" :data-edge-id="edge.id"
             @pointerdown.stop="onEdgeDown($event, edge)" style="cursor:pointer">
            <path :d="edge.d" fill="none" stroke="transparent" stroke-width="12" />
            <path :d="edge.d" fill="none" :stroke="edge.id === selected ? '#0969da' : '#57606a'"
                  :stroke-width="edge.id === selected ? 2.5 : 1.5"
                  :marker-end="'url(#' + markerId + (edge.id === selected ? '-sel' : '') + ')'" />
            <text v-if="edge.label" class="fc-edge-label" :x="edge.lx" :y="edge.ly - 6" text-anchor="middle" font-size="11"
                  fill="#24292f" stroke="#fff" stroke-width="3" paint-order="stroke">{{ short(edge.label, 28) }}<title>{{ edge.label }}</title></text>
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
             :transform="'translate(' + node.x + ',' + node.y + ')'"
             @pointerdown.stop="onNodeDown($event, node)" :style="readOnly ? 'cursor:pointer' : 'cursor:move'">
            <title>{{ node.name || node.id }}</title>
            <rect v-if="tokens.has(node.id)" class="fc-token" :x="-node.hw - 9" :y="-node.hh - 9"
                  :width="2 * node.hw + 18" :height="2 * node.hh + 18" rx="16"
                  fill="#dafbe1" stroke="#1a7f37" stroke-width="4" />
            <rect v-if="node.id === selected" class="fc-selection" :x="-node.hw - 6" :y="-node.hh - 6"
                  :width="2 * node.hw + 12" :height="2 * node.hh + 12" rx="12"
                  fill="none" stroke="#0969da" stroke-width="2" stroke-dasharray="5 3" />
            <circle v-if="isRound(node)" r="22" :fill="fill(node)" stroke="#24292f"
                    :stroke-width="node.kind === 'end' ? 4 : 1.5" />
            <circle v-if="node.kind === 'wait'" r="18" fill="none" stroke="#24292f" stroke-width="1" />
            <path v-if="isDiamond(node)" d="M 0 -30 L 30 0 L 0 30 L -30 0 Z" :fill="fill(node)" stroke="#24292f"
                  stroke-width="1.5" />
            <rect v-if="!isRound(node) && !isDiamond(node)" x="-70" y="-30" width="140" height="60"
                  :rx="node.kind === 'subprocess' ? 2 : 10" :fill="fill(node)" stroke="#24292f" stroke-width="1.5" />
            <text v-if="isRound(node) || isDiamond(node)" y="6" text-anchor="middle" font-size="16"
                  fill="#24292f" style="pointer-events:none">{{ nodeIcon(node) }}</text>
            <text v-if="isRound(node) || isDiamond(node)" :y="node.hh + 16" text-anchor="middle" font-size="12"
                  fill="#24292f" style="pointer-events:none">{{ short(node.name || node.id, 24) }}</text>
            <text v-if="!isRound(node) && !isDiamond(node)" x="-62" y="-14" font-size="13" fill="#57606a"
                  style="pointer-events:none">{{ nodeIcon(node) }}</text>
            <text v-if="!isRound(node) && !isDiamond(node)" x="0" y="6" text-anchor="middle" font-size="12"
                  fill="#24292f" style="pointer-events:none">{{ short(node.name || node.id, 20) }}</text>
            <g v-if="node.kind === 'task'" transform="translate(-57,-16)" fill="#57606a" style="pointer-events:none">
              <circle cy="-3" r="3.5" /><path d="M -6.5 8 A 6.5 6.5 0 0 1 6.5 8 Z" />
            </g>
            <g v-if="node.kind === 'wait' && node.wait_for !== 'message'" fill="none" stroke="#24292f"
               stroke-width="1.5" style="pointer-events:none">
              <circle r="11" /><path d="M 0 -7 L 0 0 L 5 3" />
            </g>
            <g v-if="node.kind === 'subprocess'" style="pointer-events:none">
              <rect x="-7" y="14" width="14" height="14" fill="#fff" stroke="#24292f" />
              <path d="M 0 17 L 0 25 M -4 21 L 4 21" stroke="#24292f" stroke-width="1.5" />
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
          <path v-if="link" class="fc-link" :d="link" fill="none" stroke="#0969da" stroke-width="1.5"
                stroke-dasharray="4 3" :marker-end="'url(#' + markerId + '-sel)'" style="pointer-events:none" />
        </g>
      </svg>
      <div class="fc-zoom" style="position:absolute;right:8px;bottom:8px;display:flex;gap:4px">
        <button type="button" class="fc-zoom-in" title="Zoom in" @click="zoomBy(1.2)" :style="buttonStyle">+</button>
        <button type="button" class="fc-zoom-out" title="Zoom out" @click="zoomBy(1 / 1.2)" :style="buttonStyle">−</button>
        <button type="button" class="fc-fit" title="Fit to screen" @click="fit" :style="buttonStyle + ';width:auto;padding:0 8px'">Fit to screen</button>
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
      selected: null,
      moving: {}, // node id -> {x, y} while dragging and until the server's model arrives
      drag: null, // {type: 'node'|'pan'|'edge'|'palette', ...}
      link: null,
      ghost: null,
      buttonStyle: "width:28px;height:28px;border:1px solid #d0d7de;border-radius:4px;background:#fff;cursor:pointer;font-size:16px",
    };
  },
  computed: {
    byId() {
      const nodes = {};
      for (const node of this.nodes || []) {
        const [hw, hh] = HALF[node.kind] || HALF.task;
        const moved = this.moving[node.id];
        nodes[node.id] = { ...node, x: moved ? moved.x : node.x, y: moved ? moved.y : node.y, hw, hh };
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
        const sx = s.x + s.hw, sy = s.y, tx = t.x - t.hw, ty = t.y;
        let d, lx, ly;
        if (tx > sx + 10) {
          const c = Math.max(30, (tx - sx) / 2);
          d = `M ${sx} ${sy} C ${sx + c} ${sy} ${tx - c} ${ty} ${tx} ${ty}`;
          lx = (sx + tx) / 2;
          ly = (sy + ty) / 2;
        } else { // back edge: leave below the source, come in below the target
          const bottom = Math.max(s.y + s.hh, t.y + t.hh) + 40;
          d = `M ${s.x} ${s.y + s.hh} C ${s.x} ${bottom} ${t.x} ${bottom} ${t.x} ${t.y + t.hh}`;
          lx = (s.x + t.x) / 2;
          ly = bottom - 8;
        }
        edges.push({ ...edge, d, lx, ly });
      }
      return edges;
    },
    marks() {
      const marks = {};
      for (const finding of this.findings || []) {
        if (!finding.element) continue;
        const mark = marks[finding.element] || (marks[finding.element] = { severity: "warning", lines: [] });
        if (finding.severity === "error") mark.severity = "error";
        mark.lines.push((finding.severity === "error" ? "Error: " : "Warning: ") + finding.message);
      }
      for (const mark of Object.values(marks)) mark.text = mark.lines.join("\n");
      return marks;
    },
  },
  watch: {
    nodes() {
      // The server's model is the truth again: drop local drag positions.
      if (!this.drag || this.drag.type !== "node") this.moving = {};
      if (this.selected && !this.byId[this.selected] && !(this.edges || []).some((e) => e.id === this.selected)) {
        this.selected = null;
      }
    },
  },
  mounted() {
    this.onMove = (event) => this.pointerMove(event);
    this.onUp = (event) => this.pointerUp(event);
    document.addEventListener("pointermove", this.onMove);
    document.addEventListener("pointerup", this.onUp);
    this.$nextTick(() => this.fit());
  },
  beforeUnmount() {
    document.removeEventListener("pointermove", this.onMove);
    document.removeEventListener("pointerup", this.onUp);
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
    isRound(node) {
      return ROUND.includes(node.kind);
    },
    isDiamond(node) {
      return DIAMOND.includes(node.kind);
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
    focus() {
      this.$el.focus({ preventScroll: true });
    },
    onBackgroundDown(event) {
      if (event.button !== 0) return;
      this.focus();
      this.setSelected(null);
      this.drag = { type: "pan", cx: event.clientX, cy: event.clientY, x: this.view.x, y: this.view.y };
    },
    onNodeDown(event, node) {
      if (event.button !== 0) return;
      this.focus();
      this.setSelected(node.id);
      if (this.readOnly) return;
      const at = this.toWorld(event);
      this.drag = { type: "node", id: node.id, dx: node.x - at.x, dy: node.y - at.y, x0: node.x, y0: node.y };
    },
    onEdgeDown(event, edge) {
      if (event.button !== 0) return;
      this.focus();
      this.setSelected(edge.id);
    },
    startEdgeDrag(event, node) {
      if (event.button !== 0 || this.readOnly) return;
      this.focus();
      this.drag = { type: "edge", source: node.id };
    },
    startPaletteDrag(event, item) {
      if (event.button !== 0 || this.readOnly) return;
      this.focus();
      this.drag = { type: "palette", kind: item.kind };
      this.ghost = { kind: item.kind, label: item.label, cx: event.clientX, cy: event.clientY };
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
    onKey(event) {
      const key = event.key;
      const ctrl = event.ctrlKey || event.metaKey;
      if (this.readOnly && (ctrl || key === "Delete" || key === "Backspace")) return;
      if (ctrl && (key === "z" || key === "Z")) {
        event.preventDefault();
        this.$emit(event.shiftKey ? "redo" : "undo", {});
      } else if (ctrl && (key === "y" || key === "Y")) {
        event.preventDefault();
        this.$emit("redo", {});
      } else if ((key === "Delete" || key === "Backspace") && this.selected) {
        event.preventDefault();
        this.$emit("deleted", { ids: [this.selected] });
      } else if (!ctrl && (key === "+" || key === "=")) {
        this.zoomBy(1.2);
      } else if (!ctrl && key === "-") {
        this.zoomBy(1 / 1.2);
      }
    },
    onWheel(event) {
      const rect = this.$refs.svg.getBoundingClientRect();
      this.zoomAt(Math.exp(-event.deltaY * 0.0015), event.clientX - rect.left, event.clientY - rect.top);
    },
    zoomBy(factor) {
      const rect = this.$refs.svg.getBoundingClientRect();
      this.zoomAt(factor, rect.width / 2, rect.height / 2);
    },
    zoomAt(factor, px, py) {
      const k = Math.min(3, Math.max(0.2, this.view.k * factor));
      const f = k / this.view.k;
      this.view = { x: px - (px - this.view.x) * f, y: py - (py - this.view.y) * f, k };
    },
    fit() {
      const svg = this.$refs.svg;
      const nodes = this.drawnNodes;
      if (!svg || !nodes.length) return;
      const rect = svg.getBoundingClientRect();
      const left = Math.min(...nodes.map((n) => n.x - n.hw)) - 40;
      const right = Math.max(...nodes.map((n) => n.x + n.hw)) + 40;
      const top = Math.min(...nodes.map((n) => n.y - n.hh)) - 40;
      const bottom = Math.max(...nodes.map((n) => n.y + n.hh)) + 50;
      const k = Math.min(1.5, Math.max(0.2, Math.min(rect.width / (right - left), rect.height / (bottom - top))));
      this.view = {
        x: (rect.width - (right - left) * k) / 2 - left * k,
        y: (rect.height - (bottom - top) * k) / 2 - top * k,
        k,
      };
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
      const rect = this.$refs.svg.getBoundingClientRect();
      this.view = { ...this.view, x: rect.width / 2 - x * this.view.k, y: rect.height / 2 - y * this.view.k };
    },
  },
};
