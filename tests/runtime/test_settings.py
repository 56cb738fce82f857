"""Installation settings: defaults until an administrator saves some, checked per setting, shared via the store."""

from __future__ import annotations

import pytest

from runtime.errors import AccessDenied, DataError
from runtime.service import Runtime
from runtime.settings import change_settings, installation_settings, read_settings
from tests.people import person

ADMIN = person("root", "admin")


def test_settings_start_as_defaults_and_keep_what_an_administrator_saves(harness):
    runtime: Runtime = harness.runtime
    assert installation_settings(runtime).four_eyes is False and installation_settings(runtime).mail is None
    change_settings(runtime, ADMIN, four_eyes=True, mail={"host": "smtp.example.nl", "port": 587, "starttls": True})
    runtime = harness.restart()
    settings = read_settings(runtime, ADMIN)
    assert settings.four_eyes and settings.mail.host == "smtp.example.nl" and settings.mail.port == 587
    assert settings.default_language == "nl"


def test_wrong_settings_are_named_and_only_administrators_change_them(runtime: Runtime):
    with pytest.raises(DataError, match="default_language"):
        change_settings(runtime, ADMIN, default_language="fr")
    with pytest.raises(DataError, match=r"mail\.port"):
        change_settings(runtime, ADMIN, mail={"host": "smtp", "port": 0})
    with pytest.raises(AccessDenied):
        change_settings(runtime, person("ann", "designer"), four_eyes=True)
    assert installation_settings(runtime).four_eyes is False
