// The letter editor: one text of a letter edited as it reads (see letter_editor.py).
//
// The document (codegen/letter_document.py, as JSON) is drawn into a contenteditable area:
//   text          a text node (never HTML: every authored text and label is set with textContent);
//   value         a chip <span data-fd="value"> showing the value's label, format and default text;
//   element       the element itself (p, h2, ul/li, table/tr/td, b...), in HTML letters;
//   condition     a frame <div|span|tbody data-fd="condition"> with a label per way ("Only when ...") and the
//                 ways' content in editable parts (.fd-branch, or the rows' cells in a table);
//   repeat        the same with one way, "For each record in ...";
//   locked        template code the editor cannot show otherwise, read-only.
// Chips, labels and locked code are not editable; they are clicked (or Enter) to change them on the server.
// After every edit the area is read back into the same JSON (`read`) and sent, as typed and at once on leaving.
// Markups: "html" (blocks; Enter makes a paragraph), "text" and "plain" (text with line ends, shown as typed:
// Enter adds a line end). The server inserts and wraps at the last cursor position (`insert`, `wrap`).

const STYLE_ID = "fd-letter-editor-style";
const CSS = `
.fd-letter{border:1px solid #d0d7de;border-radius:6px;background:#fff;width:100%}
.fd-toolbar{display:flex;flex-wrap:wrap;gap:2px;padding:4px;border-bottom:1px solid #d0d7de;background:#f6f8fa;
  border-radius:6px 6px 0 0}
.fd-tool{border:1px solid transparent;background:none;border-radius:4px;padding:2px 8px;font:13px sans-serif;
  color:#24292f;cursor:pointer}
.fd-tool:hover,.fd-tool:focus-visible{background:#eaeef2;border-color:#d0d7de}
.fd-host{padding:8px 12px;min-height:2.2em;outline:none;font:15px/1.5 sans-serif;color:#24292f;overflow-wrap:anywhere}
.fd-letter:focus-within{border-color:#0969da;box-shadow:0 0 0 2px #0969da33}
.fd-letter[data-markup=text] .fd-host,.fd-letter[data-markup=plain] .fd-host{white-space:pre-wrap}
.fd-host p{margin:0 0 .6em}
.fd-host h1,.fd-host h2,.fd-host h3{margin:.4em 0;line-height:1.25}
.fd-host h2{font-size:1.3em}.fd-host h1{font-size:1.5em}
.fd-host ul,.fd-host ol{margin:0 0 .6em 1.4em;padding:0}.fd-host ul{list-style:disc}.fd-host ol{list-style:decimal}
.fd-host table{border-collapse:collapse;margin:.4em 0 .6em}
.fd-host td,.fd-host th{border:1px solid #8c959f;padding:.2em .5em;min-width:4em;vertical-align:top}
.fd-host th{background:#f6f8fa}
.fd-chip{display:inline-block;border-radius:10px;padding:0 8px;margin:0 1px;background:#ddf4ff;color:#0a3069;
  border:1px solid #54aeff;font:13px/1.5 sans-serif;cursor:pointer;white-space:nowrap;user-select:none;
  vertical-align:baseline;text-indent:0}
.fd-chip:focus-visible,.fd-label:focus-visible,.fd-locked:focus-visible{outline:2px solid #0969da;outline-offset:1px}
.fd-chip .fd-extra{color:#57606a;margin-left:5px}
.fd-chip.fd-problem{background:#fff8c5;border-color:#bf8700;color:#4d2d00}
.fd-chip.fd-problem::before,.fd-label.fd-problem::before{content:"\\26A0  ";}
.fd-label.fd-problem{color:#7d4e00;background:#fff8c5}
div.fd-frame{border-left:3px solid #8250df;background:#fbf7ff;margin:.3em 0 .6em;padding:2px 4px 2px 8px;
  border-radius:0 4px 4px 0}
.fd-label{display:inline-block;font:12px/1.6 sans-serif;color:#6639ba;cursor:pointer;user-select:none;
  white-space:normal}
div.fd-frame>.fd-label{display:block;font-weight:600}
span.fd-frame{background:#f5eeff;border-bottom:2px solid #c297ff;border-radius:3px;padding:0 1px;
  box-decoration-break:clone;-webkit-box-decoration-break:clone}
span.fd-frame>.fd-label{padding:0 4px;margin-right:3px;border-radius:3px;background:#eddeff}
.fd-branch{outline:none}
span.fd-branch:empty{display:inline-block;min-width:2em}
div.fd-branch{min-height:1.5em}
tbody.fd-frame>tr.fd-label-row>td{border:none;border-left:3px solid #8250df;background:#fbf7ff;padding:1px 6px}
.fd-locked{font:12px/1.5 monospace;background:#f6f8fa;border:1px dashed #8c959f;border-radius:4px;padding:0 4px;
  color:#57606a;cursor:pointer;white-space:pre-wrap;user-select:none}
div.fd-locked{display:block;margin:.3em 0;padding:4px 6px}
`;
const ALLOWED = new Set(["h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "blockquote", "ul", "ol", "li",
  "table", "thead", "tbody", "tr", "th", "td", "b", "strong", "i", "em", "u"]);
const INLINE = new Set(["b", "strong", "i", "em", "u", "br"]);
const HOLDERS = new Set(["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "td", "th", "blockquote"]);
const BLOCK_CONTAINERS = new Set(["ul", "ol", "blockquote"]);
const ATTRIBUTES = { p: ["align"], td: ["align", "colspan"], th: ["align", "colspan"] };
const ZERO_WIDTH = /\u200b/g;
// What a copy from one letter carries for a paste into another: its nodes, chips and all.
const CLIPBOARD_TYPE = "application/x-flowdesk-letter+json";

// `words` (one of the editor's words, from Python) with each `{name}` filled in from `values`.
function fill(words, values) {
  return words.replace(/\{(\w+)\}/g, (whole, name) => values[name] ?? whole);
}

function make(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export default {
  template: `
  <div class="fd-letter" :class="{'fd-single': singleLine}" :data-markup="document.markup">
    <div v-if="toolbar" class="fd-toolbar" role="toolbar" :aria-label="say('formatting', { label })">
      <button v-for="tool in tools" :key="tool[0]" type="button" class="fd-tool" :data-tool="tool[0]"
              :title="tool[2]" :aria-label="tool[2]" @mousedown.prevent @click="format(tool[0])">{{ tool[1] }}</button>
    </div>
    <div ref="host" class="fd-host" contenteditable="true" role="textbox" :aria-label="label"
         :aria-multiline="singleLine ? 'false' : 'true'" spellcheck="true"></div>
  </div>`,
  props: {
    document: Object,
    revision: Number,
    label: String,
    toolbar: Boolean,
    singleLine: Boolean,
    addressBlock: Array,
    problems: Array,
    after: Object,
    words: Object,
  },
  computed: {
    tools() {
      return this.words.tools[this.document.markup] || [];
    },
    html() {
      return this.document.markup === "html";
    },
  },
  watch: {
    revision() {
      this.render();
      this.applyAfter();
    },
    problems() {
      this.markProblems();
    },
  },
  mounted() {
    if (!window.document.getElementById(STYLE_ID)) {
      const style = make("style");
      style.id = STYLE_ID;
      style.textContent = CSS;
      window.document.head.appendChild(style);
    }
    this.range = null;
    this.timer = null;
    const host = this.$refs.host;
    const listeners = {
      beforeinput: (e) => this.beforeInput(e),
      input: () => this.typed(),
      paste: (e) => this.paste(e),
      copy: (e) => this.copy(e, false),
      cut: (e) => this.copy(e, true),
      drop: (e) => e.preventDefault(),
      click: (e) => this.clicked(e),
      keydown: (e) => this.keydown(e),
      focusin: () => this.$emit("focus", {}),
      focusout: (e) => { if (!host.contains(e.relatedTarget)) this.send(true); },
    };
    for (const [name, listener] of Object.entries(listeners)) host.addEventListener(name, listener);
    window.document.execCommand("defaultParagraphSeparator", false, "p"); // Enter makes a paragraph, not a <div>
    this.onSelection = () => this.keepSelection();
    window.document.addEventListener("selectionchange", this.onSelection);
    this.render();
    this.applyAfter();
  },
  beforeUnmount() {
    if (this.timer) this.send(true);
    window.document.removeEventListener("selectionchange", this.onSelection);
  },
  methods: {
    // What the editor says (`EDITOR_WORDS` in letter_editor.py), with `values` filled in.
    say(key, values = {}) {
      return fill(this.words[key], values);
    },
    // Drawing the document.

    render() {
      const host = this.$refs.host;
      host.replaceChildren(...this.document.children.map((n) => this.draw(n, this.html ? "block" : "inline")));
      this.range = null;
      this.fill();
      this.markProblems();
    },
    // One node; `where` is how conditions and repeats show here: among blocks, as table rows, or in a line.
    draw(node, where) {
      if (node.type === "text") return window.document.createTextNode(node.text);
      if (node.type === "value") return this.chip(node);
      if (node.type === "locked") {
        const code = make(where === "inline" ? "span" : "div", "fd-locked", node.source);
        code.contentEditable = "false";
        code.dataset.fd = "locked";
        code.dataset.node = JSON.stringify({ type: "locked", source: node.source });
        code.tabIndex = 0;
        code.setAttribute("role", "button");
        code.title = this.say("locked");
        return code;
      }
      if (node.type === "element") {
        const element = make(node.tag);
        for (const [name, value] of node.attributes || []) element.setAttribute(name, value);
        const inside = node.tag === "table" ? "rows" : BLOCK_CONTAINERS.has(node.tag) ? "block" : "inline";
        for (const child of node.children || []) element.appendChild(this.draw(child, inside));
        return element;
      }
      const ways = node.type === "condition" ? node.branches : [{ words: node.words, children: node.children }];
      const data = node.type === "condition"
        ? { type: "condition", branches: node.branches.map((b) => ({ condition: b.condition })) }
        : { type: "repeat", name: node.name, items: node.items };
      const frame = make(where === "rows" ? "tbody" : where === "block" ? "div" : "span", "fd-frame");
      frame.contentEditable = "false";
      frame.dataset.fd = node.type;
      frame.dataset.node = JSON.stringify(data);
      frame.setAttribute("role", "group");
      frame.setAttribute("aria-label", ways.map((w) => w.words).join("; "));
      ways.forEach((way, number) => {
        const label = make(where === "rows" ? "td" : "span", "fd-label", way.words || "");
        label.dataset.branch = String(number);
        label.tabIndex = 0;
        label.setAttribute("role", "button");
        label.title = this.say("condition");
        if (where === "rows") {
          label.colSpan = 99;
          const row = make("tr", "fd-label-row");
          row.dataset.branch = String(number);
          row.appendChild(label);
          frame.appendChild(row);
          for (const child of way.children) {
            const drawn = this.draw(child, "rows");
            for (const cell of drawn.querySelectorAll ? drawn.querySelectorAll("td:not(.fd-label),th") : []) {
              cell.contentEditable = "true";
            }
            frame.appendChild(drawn);
          }
          return;
        }
        frame.appendChild(label);
        const body = make(where === "block" ? "div" : "span", "fd-branch");
        body.contentEditable = "true";
        body.dataset.branch = String(number);
        for (const child of way.children) body.appendChild(this.draw(child, where));
        frame.appendChild(body);
      });
      return frame;
    },
    chip(node) {
      const chip = make("span", "fd-chip");
      chip.contentEditable = "false";
      chip.tabIndex = 0;
      chip.setAttribute("role", "button");
      chip.dataset.fd = "value";
      chip.dataset.node = JSON.stringify({ type: "value", path: node.path, format: node.format || "",
                                           fallback: node.fallback ?? null });
      chip.dataset.label = node.label || node.path;
      chip.appendChild(window.document.createTextNode(node.label || node.path));
      const extras = [];
      if (node.format) extras.push(this.words.formats[node.format] || node.format);
      if (node.fallback !== null && node.fallback !== undefined) extras.push(this.say("fallback", { text: node.fallback }));
      if (extras.length) chip.appendChild(make("span", "fd-extra", extras.join(" · ")));
      chip.title = this.say("chip", { label: node.label || node.path });
      chip.setAttribute("aria-label", this.say("chipName", { label: node.label || node.path }) +
                                      (extras.length ? `, ${extras.join(", ")}` : ""));
      return chip;
    },
    // What keeps every editable part usable: an empty paragraph or cell gets a <br> to hold the cursor; plain text
    // ending in a line end gets one so that the new line shows.
    fill() {
      const host = this.$refs.host;
      for (const filler of host.querySelectorAll("br[data-filler]")) filler.remove();
      const addFiller = (parent) => {
        const br = make("br");
        br.dataset.filler = "";
        parent.appendChild(br);
      };
      if (this.html) {
        for (const part of [host, ...host.querySelectorAll("div.fd-branch")]) {
          if (!part.firstChild) part.appendChild(make("p"));
        }
        for (const block of host.querySelectorAll("p,h1,h2,h3,h4,h5,h6,li,td,th")) {
          if (!block.classList.contains("fd-label") && !block.textContent.replace(ZERO_WIDTH, "") &&
              !block.querySelector("br,.fd-chip,.fd-frame,.fd-locked")) addFiller(block);
        }
        return;
      }
      if (this.textOf(host).endsWith("\n")) addFiller(host); // (inside a passage, the text after it follows)
    },
    textOf(part) {
      let text = "";
      for (const child of part.childNodes) {
        if (child.nodeType === 3) text += child.data;
        else if (child.nodeType === 1 && !child.dataset.filler) text += child.dataset.fd ? "x" : child.textContent;
      }
      return text;
    },
    // Marks chips and conditions' labels the server found something wrong with ({kind, ordinal, branch, message}:
    // the ordinal-th chip or condition in reading order), with what is wrong in their title.
    markProblems() {
      const host = this.$refs.host;
      const problems = new Map((this.problems || []).map((p) => [`${p.kind}:${p.ordinal}:${p.branch ?? 0}`, p.message]));
      host.querySelectorAll(".fd-chip").forEach((chip, ordinal) => {
        this.mark(chip, problems.get(`value:${ordinal}:0`), this.say("chip", { label: chip.dataset.label }));
      });
      host.querySelectorAll("[data-fd=condition]").forEach((frame, ordinal) => {
        for (const label of frame.querySelectorAll(":scope > .fd-label, :scope > tr > .fd-label")) {
          this.mark(label, problems.get(`condition:${ordinal}:${label.dataset.branch}`),
                    this.say("condition"));
        }
      });
    },
    mark(element, message, title) {
      element.classList.toggle("fd-problem", Boolean(message));
      element.title = message || title;
      if (element.dataset.name === undefined) element.dataset.name = element.getAttribute("aria-label") || element.textContent;
      const name = element.dataset.name;
      element.setAttribute("aria-label", message ? this.say("warning", { name, message }) : name);
    },

    // Reading the document back.

    read() {
      this.ordinals = new Map();
      this.counts = { value: 0, condition: 0, repeat: 0, locked: 0 };
      return { markup: this.document.markup, children: this.readChildren(this.$refs.host) };
    },
    // The nodes of `parent`'s children (or of `children`, e.g. the rows of one way of a condition in a table).
    // Chips, conditions, repeats and locked code are counted in reading order: `ordinals` (what a click names).
    readChildren(parent, children = [...parent.childNodes]) {
      const nodes = [];
      const push = (node) => {
        const last = nodes[nodes.length - 1];
        if (node.type === "text" && !node.text) return;
        if (node.type === "text" && last && last.type === "text") last.text += node.text;
        else nodes.push(node);
      };
      const count = (element) => this.ordinals.set(element, this.counts[element.dataset.fd]++);
      children.forEach((child, index) => {
        if (child.nodeType === 3) { push({ type: "text", text: child.data.replace(ZERO_WIDTH, "") }); return; }
        if (child.nodeType !== 1 || child.dataset.filler !== undefined) return;
        const kind = child.dataset.fd;
        if (kind === "locked") {
          const last = nodes[nodes.length - 1];
          const source = JSON.parse(child.dataset.node).source;
          if (last && last.type === "locked") {
            last.source += source; // one piece of code, as the server keeps it
            this.ordinals.set(child, this.counts.locked - 1);
          } else {
            count(child);
            push({ type: "locked", source });
          }
          return;
        }
        if (kind === "value") { count(child); push(JSON.parse(child.dataset.node)); return; }
        if (kind === "condition" || kind === "repeat") { count(child); push(this.readFrame(child)); return; }
        const tag = child.tagName.toLowerCase();
        if (tag === "br") {
          if (!this.html) { push({ type: "text", text: "\n" }); return; }
          const rest = children.slice(index + 1).filter((n) => n.nodeType !== 3 || n.data.replace(ZERO_WIDTH, ""));
          if (!rest.length && parent !== this.$refs.host && (HOLDERS.has(parent.tagName.toLowerCase()) ||
              parent.classList.contains("fd-branch"))) return; // a browser's <br> holding an empty block open
        }
        if (tag === "div" && !this.html) {
          push({ type: "text", text: "\n" });
          this.readChildren(child).forEach(push);
          return;
        }
        if (tag === "tbody" && !child.dataset.keep) { this.readChildren(child).forEach(push); return; }
        if (ALLOWED.has(tag) || (tag === "div" && this.html)) {
          const attributes = (ATTRIBUTES[tag] || []).filter((a) => child.hasAttribute(a))
            .map((a) => [a, child.getAttribute(a)]);
          push({ type: "element", tag, attributes, children: tag === "br" || tag === "hr" ? [] : this.readChildren(child) });
          return;
        }
        this.readChildren(child).forEach(push); // a <span> or <font> a browser made: its content
      });
      return nodes;
    },
    readFrame(frame) {
      const data = JSON.parse(frame.dataset.node);
      const ways = [];
      if (frame.tagName === "TBODY") {
        for (const row of frame.children) {
          if (row.classList.contains("fd-label-row")) ways.push([]);
          else if (ways.length) ways[ways.length - 1].push(row);
        }
      } else {
        for (const part of frame.children) if (part.classList.contains("fd-branch")) ways.push([part]);
      }
      const contents = ways.map((parts) => frame.tagName === "TBODY"
        ? this.readChildren(frame, parts) : this.readChildren(parts[0]));
      if (data.type === "repeat") return { ...data, children: contents[0] || [] };
      return { type: "condition", branches: data.branches.map((b, i) => ({ condition: b.condition,
                                                                           children: contents[i] || [] })) };
    },

    // Sending it.

    typed() {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.send(false), 300);
    },
    send(done) {
      clearTimeout(this.timer);
      this.timer = null;
      this.fill();
      this.$emit("change", { document: this.read(), done });
    },

    // Keys, pasting and clicks.

    beforeInput(e) {
      const kind = e.inputType;
      if (kind === "insertParagraph" || kind === "insertLineBreak") {
        if (this.html) return;
        e.preventDefault();
        if (!this.singleLine) this.typeText("\n");
      } else if (kind.startsWith("format")) {
        const inline = ["formatBold", "formatItalic", "formatUnderline"].includes(kind);
        if (!inline || this.document.markup === "plain") e.preventDefault();
      } else if (kind === "insertFromDrop" || kind === "insertFromPaste") {
        e.preventDefault();
      }
    },
    typeText(text) {
      const selection = window.getSelection();
      if (!selection.rangeCount) return;
      const range = selection.getRangeAt(0);
      range.deleteContents();
      const at = range.startContainer;
      if (at.nodeType === 3) {
        at.insertData(range.startOffset, text);
        range.setStart(at, range.startOffset + text.length);
      } else {
        const node = window.document.createTextNode(text);
        range.insertNode(node);
        range.setStartAfter(node);
      }
      range.collapse(true);
      selection.removeAllRanges();
      selection.addRange(range);
      this.fill();
      this.typed();
    },
    paste(e) {
      e.preventDefault();
      this.keepSelection();
      const data = e.clipboardData;
      let nodes = null;
      try {
        nodes = JSON.parse(data.getData(CLIPBOARD_TYPE) || "null");
      } catch (error) {
        nodes = null;
      }
      this.$emit("paste", { html: this.html ? data.getData("text/html") : "", text: data.getData("text/plain"),
                            nodes: Array.isArray(nodes) ? nodes : null });
    },
    // The selection as the letter's nodes (chips stay chips when pasted into a letter) and as plain text.
    copy(e, cut) {
      const selection = window.getSelection();
      if (!selection.rangeCount || selection.isCollapsed) return;
      const range = selection.getRangeAt(0);
      if (!this.$refs.host.contains(range.commonAncestorContainer)) return;
      e.preventDefault();
      const holder = make("div");
      holder.appendChild(range.cloneContents());
      this.ordinals = new Map();
      this.counts = { value: 0, condition: 0, repeat: 0, locked: 0 };
      e.clipboardData.setData(CLIPBOARD_TYPE, JSON.stringify(this.readChildren(holder)));
      e.clipboardData.setData("text/plain", holder.textContent.replace(ZERO_WIDTH, ""));
      if (cut && this.editable(range.startContainer) && this.editable(range.endContainer)) {
        range.deleteContents();
        this.send(true);
      }
    },
    keydown(e) {
      const target = e.target.closest ? e.target : null;
      if ((e.key === "Enter" || e.key === " ") && target &&
          (target.classList.contains("fd-chip") || target.classList.contains("fd-label") ||
           target.classList.contains("fd-locked"))) {
        e.preventDefault();
        this.clicked(e);
      }
    },
    clicked(e) {
      const target = e.target.nodeType === 1 ? e.target : e.target.parentElement;
      const chip = target.closest(".fd-chip");
      const label = target.closest(".fd-label");
      const code = target.closest(".fd-locked");
      const clicked = chip || (label && label.closest("[data-fd]")) || code;
      if (!clicked || !this.$refs.host.contains(clicked)) return;
      e.preventDefault();
      const edited = this.read();
      clearTimeout(this.timer);
      this.timer = null;
      this.$emit("node", { document: edited, kind: clicked.dataset.fd, ordinal: this.ordinals.get(clicked) ?? -1,
                           branch: label ? Number(label.dataset.branch) : 0 });
    },

    // Where the cursor is.

    keepSelection() {
      const selection = window.getSelection();
      if (!selection.rangeCount) return;
      const range = selection.getRangeAt(0);
      if (this.$refs.host && this.$refs.host.contains(range.commonAncestorContainer) && this.editable(range.startContainer)) {
        this.range = range.cloneRange();
      }
    },
    editable(node) {
      const element = node.nodeType === 1 ? node : node.parentElement;
      return Boolean(element && element.isContentEditable);
    },
    // The cursor in this text (where it was last, when the focus is elsewhere now), else the end of the text.
    cursor() {
      const host = this.$refs.host;
      this.keepSelection();
      if (this.range && host.contains(this.range.startContainer) && this.editable(this.range.startContainer)) {
        return this.range.cloneRange();
      }
      const range = window.document.createRange();
      const last = this.html ? [...host.children].filter((c) => HOLDERS.has(c.tagName.toLowerCase())).pop() : null;
      range.selectNodeContents(last || host);
      range.collapse(false);
      if (!last && host.lastChild && host.lastChild.dataset && host.lastChild.dataset.filler !== undefined) {
        range.setStartBefore(host.lastChild);
        range.collapse(true);
      }
      return range;
    },
    // Put the cursor at `range`, in the editable part holding it (focused, so that formatting applies there).
    place(range) {
      const part = this.partOf(range.startContainer) || this.$refs.host;
      if (window.document.activeElement !== part) part.focus({ preventScroll: true });
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      this.range = range.cloneRange();
    },
    // The editable part holding `node` (the whole text, or a way of a condition).
    partOf(node) {
      let element = node.nodeType === 1 ? node : node.parentElement;
      while (element && element !== this.$refs.host && !element.classList.contains("fd-branch")) {
        element = element.parentElement;
      }
      return element;
    },
    // The block (a child of its editable part) holding `node`.
    blockOf(node) {
      const part = this.partOf(node);
      let element = node.nodeType === 1 ? node : node.parentElement;
      if (element === part) return null;
      while (element && element.parentElement !== part) element = element.parentElement;
      return element;
    },
    isBlockNode(node) {
      return ["condition", "repeat", "locked"].includes(node.type) ||
        (node.type === "element" && !INLINE.has(node.tag));
    },

    // What the server asks for.

    insert(nodes) {
      if (!nodes.length) return;
      const range = this.cursor();
      if (this.html && nodes.some((n) => this.isBlockNode(n))) {
        this.insertBlocks(nodes.map((n) => this.draw(n, "block")), range);
      } else {
        const drawn = nodes.map((n) => this.draw(n, "inline"));
        range.deleteContents();
        const fragment = window.document.createDocumentFragment();
        drawn.forEach((n) => fragment.appendChild(n));
        const last = fragment.lastChild;
        range.insertNode(fragment);
        const after = window.document.createRange();
        after.setStartAfter(last);
        after.collapse(true);
        this.place(after);
      }
      this.send(true);
    },
    insertBlocks(blocks, range) {
      const part = this.partOf(range.startContainer) || this.$refs.host;
      const block = this.blockOf(range.startContainer);
      const empty = block && block.tagName === "P" && !block.textContent.replace(ZERO_WIDTH, "") &&
        !block.querySelector(".fd-chip,.fd-locked,.fd-frame");
      let previous = block;
      for (const drawn of blocks) {
        part.insertBefore(drawn, previous ? previous.nextSibling : null);
        previous = drawn;
      }
      if (empty) block.remove();
      this.fill();
      const after = window.document.createRange();
      const cell = blocks[0].querySelector && blocks[0].querySelector("td,th,p,li");
      after.selectNodeContents(cell || blocks[blocks.length - 1]);
      after.collapse(true);
      this.place(after);
    },
    wrap(condition) {
      const range = this.cursor();
      if (this.html) {
        const part = this.partOf(range.startContainer) || this.$refs.host;
        let first = this.blockOf(range.startContainer);
        let last = this.partOf(range.endContainer) === part ? this.blockOf(range.endContainer) : first;
        if (!first) {
          first = last = make("p");
          part.appendChild(first);
        }
        const frame = this.draw({ ...condition, branches: [{ ...condition.branches[0], children: [] }] }, "block");
        const body = frame.querySelector(".fd-branch");
        part.insertBefore(frame, first);
        let node = first;
        while (node) {
          const next = node.nextSibling;
          body.appendChild(node);
          if (node === last) break;
          node = next;
        }
        this.fill();
        const inside = window.document.createRange();
        inside.selectNodeContents(body.firstElementChild || body);
        inside.collapse(false);
        this.place(inside);
      } else {
        const frame = this.draw(condition, "inline");
        const body = frame.querySelector(".fd-branch");
        const sameSpot = this.partOf(range.startContainer) === this.partOf(range.endContainer);
        if (!range.collapsed && sameSpot) {
          body.replaceChildren(range.extractContents());
        }
        range.insertNode(frame);
        const inside = window.document.createRange();
        inside.selectNodeContents(body);
        this.place(inside);
        body.focus();
      }
      this.send(true);
    },
    format(tool) {
      let range = this.cursor();
      const passage = (range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement)
        .closest("span.fd-frame");
      if (passage && ["heading", "list", "numbered"].includes(tool)) {
        // a passage inside a line: the block holding the line (with the passage) gets the format
        let outer = passage;
        while (outer.parentElement.closest("span.fd-frame")) outer = outer.parentElement.closest("span.fd-frame");
        range = window.document.createRange();
        range.setStartAfter(outer);
        range.collapse(true);
      }
      this.place(range);
      if (!this.html && ["heading", "list", "numbered", "table"].includes(tool)) {
        this.$emit("convert", { format: tool, caret: this.caretMark(range) });
        return;
      }
      const block = this.blockOf(range.startContainer);
      if (tool === "heading") {
        window.document.execCommand("formatBlock", false, block && block.tagName === "H2" ? "p" : "h2");
      } else if (tool === "bold") {
        window.document.execCommand("bold");
      } else if (tool === "list" || tool === "numbered") {
        this.toggleList(tool === "list" ? "ul" : "ol", range);
      } else if (tool === "table") {
        const row = (cell) => ({ type: "element", tag: "tr", attributes: [],
                                 children: [0, 1].map(() => ({ type: "element", tag: cell, attributes: [], children: [] })) });
        this.insertBlocks([this.draw({ type: "element", tag: "table", attributes: [], children: [row("th"), row("td")] },
                                     "block")], range);
      } else if (tool === "row" || tool === "removeRow") {
        const start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
        const row = start.closest("tr");
        if (!row || row.classList.contains("fd-label-row") || !this.$refs.host.contains(row)) return;
        if (tool === "row") {
          const copy = make("tr");
          for (const cell of row.children) {
            const fresh = make("td");
            if (cell.getAttribute("contenteditable")) fresh.contentEditable = cell.getAttribute("contenteditable");
            copy.appendChild(fresh);
          }
          row.after(copy);
        } else {
          const table = row.closest("table");
          row.remove();
          if (table && !table.querySelector("tr:not(.fd-label-row)")) table.remove();
        }
      } else if (tool === "address") {
        this.insert(this.addressBlock);
        return;
      }
      this.fill();
      this.send(true);
    },
    // The block at the cursor becomes an item of a list of `tag` (ul, ol); an item of such a list a paragraph again.
    // (A browser's own list command nests the list inside the paragraph.)
    toggleList(tag, range) {
      const start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
      const item = start.closest("li");
      if (item && this.$refs.host.contains(item)) {
        const list = item.parentElement;
        if (list.tagName.toLowerCase() !== tag) {
          const other = make(tag);
          other.append(...list.childNodes);
          list.replaceWith(other);
          return;
        }
        const paragraph = make("p");
        paragraph.append(...item.childNodes);
        const after = make(tag);
        let next = item.nextSibling;
        while (next) {
          const moving = next;
          next = next.nextSibling;
          after.appendChild(moving);
        }
        item.remove();
        list.after(paragraph);
        if (after.children.length) paragraph.after(after);
        if (!list.children.length) list.remove();
        this.caretInto(paragraph);
        return;
      }
      const block = this.blockOf(range.startContainer);
      if (!block || !/^(P|H[1-6]|DIV)$/.test(block.tagName)) return;
      const entry = make("li");
      entry.append(...block.childNodes);
      const previous = block.previousElementSibling;
      if (previous && previous.tagName.toLowerCase() === tag) {
        previous.appendChild(entry);
        block.remove();
      } else {
        const list = make(tag);
        list.appendChild(entry);
        block.replaceWith(list);
      }
      this.caretInto(entry);
    },
    caretInto(element) {
      const range = window.document.createRange();
      range.selectNodeContents(element);
      range.collapse(false);
      const last = element.lastChild;
      if (last && last.nodeName === "BR") range.setStartBefore(last);
      this.place(range);
    },
    // How many letters (not spaces) come before the cursor: where to put it again after the text is drawn anew.
    caretMark(range) {
      let count = 0;
      const walker = window.document.createTreeWalker(this.$refs.host, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!this.editable(node)) continue;
        if (node === range.startContainer) return count + node.data.slice(0, range.startOffset).replace(/\s|\u200b/g, "").length;
        if (range.startContainer.nodeType === 1 && range.startContainer.contains(node) &&
            range.startContainer.childNodes[range.startOffset] &&
            (range.startContainer.childNodes[range.startOffset] === node ||
             range.startContainer.childNodes[range.startOffset].contains(node))) return count;
        count += node.data.replace(/\s|\u200b/g, "").length;
      }
      return count;
    },
    applyAfter() {
      const after = this.after;
      if (!after || after.caret === null || after.caret === undefined) return;
      let left = after.caret;
      const walker = window.document.createTreeWalker(this.$refs.host, NodeFilter.SHOW_TEXT);
      const range = window.document.createRange();
      range.selectNodeContents(this.$refs.host);
      range.collapse(false);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (!this.editable(node)) continue;
        let offset = 0;
        while (offset < node.data.length && left > 0) {
          if (!/\s|\u200b/.test(node.data[offset])) left -= 1;
          offset += 1;
        }
        if (left === 0) {
          range.setStart(node, offset);
          range.collapse(true);
          break;
        }
      }
      this.place(range);
      if (after.format) this.format(after.format);
    },
  },
};
