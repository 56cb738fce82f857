"""Custom NiceGUI elements of the designer, each a .py + .js pair."""

from designer.elements.flow_canvas import FlowCanvas

__all__ = ["FlowCanvas"]
