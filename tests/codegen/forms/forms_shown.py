"""The FormViews the test app built, newest last (shared by form_app.py and the tests in one process)."""

VIEWS: list = []
