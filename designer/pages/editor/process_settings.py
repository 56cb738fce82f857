"""The data tab's process settings: name, owner, description, language and the service level of the whole case."""

from __future__ import annotations

from nicegui import ui

from designer.editing.node_settings import set_process_settings
from designer.pages.editor.panel import Panel
from designer.pages.editor.setting_fields import heading, sla_settings, text_setting


class ProcessSettingsPanel(Panel):
    """What the process is and who owns it, and how long a whole case may take."""

    @ui.refreshable_method
    def show(self) -> None:
        bundle = self.draft.bundle
        settings = {"name": bundle.name, "owner": bundle.owner, "description": bundle.description,
                    "language": bundle.language}

        def apply(setting: str, value: str) -> None:
            self.edit(lambda: self.draft.apply(set_process_settings, **(settings | {setting: value})))

        ui.label("Process").classes("text-lg").mark("process-settings-title")
        ui.label(f"Key: {bundle.key}").classes("text-slate-600")
        text_setting("Name", bundle.name, lambda value: apply("name", value), marker="process-name")
        text_setting("Owner", bundle.owner, lambda value: apply("owner", value), marker="process-owner",
                     placeholder="e.g. Billing team lead")
        text_setting("Description", bundle.description, lambda value: apply("description", value),
                     marker="process-description", multiline=True)
        text_setting("Language of its texts", bundle.language, lambda value: apply("language", value),
                     marker="process-language", placeholder="e.g. nl")
        heading("Service level of the whole case")
        sla_settings(self, None, bundle.case_sla, marker="case-sla")
