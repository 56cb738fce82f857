"""The flow tab's side panel: the settings of the step or connection selected on the canvas.

A step's settings are shown by `step_settings` (one function per kind); a connection's here.
"""

from __future__ import annotations

from nicegui import ui

from designer.elements.flow_canvas import PALETTE
from designer.i18n import _
from designer.pages.editor.panel import Panel
from designer.pages.editor.setting_fields import save_as_typed
from designer.pages.editor.step_settings import step_settings
from models.editing import expression_names
from models.nodes import Edge, NodeBase


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
            ui.label(_("Select a step or connection on the canvas to see its settings.")).classes("text-slate-600")

    def node_settings(self, node: NodeBase) -> None:
        ui.label(_(PALETTE[node.kind]) if node.kind in PALETTE else node.kind).classes("text-lg").mark("selected-kind")
        ui.label(_("Id: {id}").format(id=node.id)).classes("text-slate-600").mark("selected-id")
        step_settings(self, node)

    def edge_settings(self, edge: Edge) -> None:
        """A connection's label and, leaving a decision, its condition (with the names it may use) or default."""
        bundle = self.draft.bundle
        source, target = bundle.find_node(edge.source), bundle.find_node(edge.target)
        ui.label(_("Connection")).classes("text-lg").mark("selected-kind")
        ui.label(_("From '{source}' to '{target}'").format(source=source.display if source else edge.source,
                                                           target=target.display if target else edge.target)) \
            .classes("text-slate-600")
        label = ui.input(_("Label"), value=edge.label).classes("w-full").mark("edge-label")
        from_decision = source is not None and source.kind == "decision"
        default = ui.checkbox(_("Default way (taken when no condition holds)"), value=edge.default) \
            .mark("edge-default")
        default.set_visibility(from_decision)
        condition = ui.input(_("Condition"), value=edge.condition, placeholder=_("e.g. claim_amount > 250"),
                             autocomplete=expression_names(bundle)).classes("w-full font-mono").mark("edge-condition")
        condition.bind_visibility_from(default, "value", backward=lambda is_default: from_decision and not is_default)

        def save() -> None:
            changed = {name: value for name, value, before in (
                ("label", label.value or "", edge.label), ("condition", condition.value or "", edge.condition),
                ("default", bool(default.value), edge.default)) if value != before}
            if changed:  # only what changed, so the edit is repeated right on top of someone else's
                self.edit(lambda: self.draft.set_edge(edge.id, **changed))

        for field in (label, condition):
            save_as_typed(self, field, save)
        default.on_value_change(save)
        if from_decision:
            with ui.expansion(_("Names you can use"), value=True).classes("w-full text-sm").props("dense"), \
                    ui.row().classes("gap-1 max-h-48 overflow-auto"):
                for name in expression_names(bundle):
                    ui.chip(name, on_click=lambda n=name: condition.set_value(f"{condition.value or ''}{n}")) \
                        .props("dense outline").mark(f"name-{name}")
