"""The flow tab's side panel: the settings of the step or connection selected on the canvas."""

from __future__ import annotations

from nicegui import ui

from designer.editing import expression_names
from designer.elements.flow_canvas import PALETTE
from designer.pages.editor.panel import Panel
from models.nodes import Edge, NodeBase, TaskNode


class SelectionPanel(Panel):
    """Name and kind-specific settings of the selected step, or label and condition of the selected connection."""

    @ui.refreshable_method
    def show(self) -> None:
        selected = self.editor.selected
        bundle = self.draft.bundle
        node = bundle.find_node(selected) if selected else None
        edge = next((e for e in bundle.edges if e.id == selected), None)
        if edge is not None:
            self.edge_settings(edge)
        elif node is not None:
            self.node_settings(node)
        else:
            ui.label("Select a step or connection on the canvas to see its settings.").classes("text-slate-600")

    def node_settings(self, node: NodeBase) -> None:
        ui.label(PALETTE.get(node.kind, node.kind)).classes("text-lg").mark("selected-kind")
        ui.label(f"Id: {node.id}").classes("text-slate-600").mark("selected-id")
        name = ui.input("Name", value=node.name).classes("w-full").mark("selected-name")

        def rename() -> None:
            if (name.value or "") != node.name:
                self.edit(lambda: self.draft.set_name(node.id, name.value or ""))

        name.on("blur", rename)
        name.on("keydown.enter", rename)
        if isinstance(node, TaskNode):
            queues = {q.id: q.name or q.id for q in self.draft.bundle.queues}
            if node.queue not in queues:
                queues[node.queue] = f"{node.queue} (missing)"
            ui.select(queues, value=node.queue, label="Queue",
                      on_change=lambda e: e.value != node.queue and self.edit(
                          lambda: self.draft.set_queue(node.id, e.value))).classes("w-full").mark("selected-queue")
            self.sla_fields(node)

    def sla_fields(self, node: TaskNode) -> None:
        """The task's service level, written as people say it ("5 working days")."""
        target = ui.input("SLA target", value=str(node.sla.target) if node.sla else "",
                          placeholder="e.g. 5 working days").classes("w-full").mark("sla-target")
        warning = ui.input("Warn after", value=str(node.sla.warning) if node.sla and node.sla.warning else "",
                           placeholder="e.g. 4 working days").classes("w-full").mark("sla-warning")

        def save() -> None:
            before = (str(node.sla.target), str(node.sla.warning or "")) if node.sla else ("", "")
            if ((target.value or "").strip(), (warning.value or "").strip()) != before:
                self.edit(lambda: self.draft.set_sla(node.id, target.value or "", warning.value or ""))

        for field in (target, warning):
            field.on("blur", save)
            field.on("keydown.enter", save)

    def edge_settings(self, edge: Edge) -> None:
        """A connection's label and, leaving a decision, its condition (with the names it may use) or default."""
        bundle = self.draft.bundle
        source, target = bundle.find_node(edge.source), bundle.find_node(edge.target)
        ui.label("Connection").classes("text-lg").mark("selected-kind")
        ui.label(f"From '{source.display if source else edge.source}' to "
                 f"'{target.display if target else edge.target}'").classes("text-slate-600")
        label = ui.input("Label", value=edge.label).classes("w-full").mark("edge-label")
        from_decision = source is not None and source.kind == "decision"
        default = ui.checkbox("Default way (taken when no condition holds)", value=edge.default) \
            .mark("edge-default")
        default.set_visibility(from_decision)
        condition = ui.input("Condition", value=edge.condition, placeholder='e.g. claim_amount > 250',
                             autocomplete=expression_names(bundle)).classes("w-full font-mono").mark("edge-condition")
        condition.bind_visibility_from(default, "value", backward=lambda is_default: from_decision and not is_default)

        def save() -> None:
            if (label.value or "", condition.value or "", bool(default.value)) != (edge.label, edge.condition,
                                                                                  edge.default):
                self.edit(lambda: self.draft.set_edge(edge.id, condition=condition.value or "",
                                                      default=bool(default.value), label=label.value or ""))

        for field in (label, condition):
            field.on("blur", save)
            field.on("keydown.enter", save)
        default.on_value_change(save)
        if from_decision:
            with ui.expansion("Names you can use", value=True).classes("w-full text-sm").props("dense"), \
                    ui.row().classes("gap-1 max-h-48 overflow-auto"):
                for name in expression_names(bundle):
                    ui.chip(name, on_click=lambda n=name: condition.set_value(f"{condition.value or ''}{n}")) \
                        .props("dense outline").mark(f"name-{name}")
