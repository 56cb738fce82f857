"""The data tab's process settings: name, owner, description, language, the prefix of its case references and the
service level of the whole case."""

from __future__ import annotations

from collections.abc import Callable

from babel import Locale, UnknownLocaleError
from nicegui import ui

from designer.i18n import LANGUAGE_NAMES, _
from designer.pages.editor.panel import Panel
from designer.pages.editor.setting_fields import choice_setting, heading, sla_settings, text_setting
from models.editing.node_settings import set_process_settings
from models.references import default_prefix


class ProcessSettingsPanel(Panel):
    """What the process is and who owns it, and how long a whole case may take."""

    def shows(self, element_id: str) -> bool:
        return element_id == "reference_prefix"  # a clash with another process's prefix is fixed here

    @ui.refreshable_method
    def show(self) -> None:
        bundle = self.draft.bundle

        def apply(setting: str) -> Callable[[str], None]:
            return lambda value: self.draft.apply(set_process_settings, **{setting: value})

        ui.label(_("Process")).classes("text-lg").mark("process-settings-title")
        ui.label(_("Key: {key}").format(key=bundle.key)).classes("text-slate-600")
        text_setting(self, _("Name"), bundle.name, apply("name"), marker="process-name")
        text_setting(self, _("Owner"), bundle.owner, apply("owner"), marker="process-owner",
                     placeholder=_("e.g. Billing team lead"))
        text_setting(self, _("Description"), bundle.description, apply("description"),
                     marker="process-description", multiline=True)
        choice_setting(_("Language of its texts"), language_choices(bundle.language), bundle.language,
                       lambda language: self.edit(lambda: apply("language")(language)), marker="process-language")
        text_setting(self, _("Prefix of case references (e.g. BC-2026-00123)"), bundle.reference_prefix,
                     apply("reference_prefix"), marker="process-reference-prefix",
                     placeholder=_("{prefix} (from the name)").format(prefix=default_prefix(bundle.name, bundle.key)))
        heading(_("Service level of the whole case"))
        sla_settings(self, None, bundle.case_sla, marker="case-sla")


def language_choices(current: str) -> dict[str, str]:
    """The languages a process's texts may be in, each named in itself as the language switch names them; a
    language set elsewhere (an imported process) is offered too, under its own name where Babel knows it."""
    if current in LANGUAGE_NAMES:
        return dict(LANGUAGE_NAMES)
    try:
        name = Locale.parse(current).get_display_name(current) or current
    except (UnknownLocaleError, ValueError):
        name = current
    return {**LANGUAGE_NAMES, current: name}
