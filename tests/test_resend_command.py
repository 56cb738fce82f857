"""`flowdesk resend` and `flowdesk worker`'s e-mail as a user runs them, in a subprocess: resending e-mails a real SMTP
server refused once it takes them (exactly once each), and e-mail kept in the data folder without a mail server."""

from __future__ import annotations

import re
from pathlib import Path

from tests.failed_mail import failed_acknowledgements
from tests.local_servers import RefusingInbox, smtp_server
from tests.test_cli import flowdesk


def test_agents_resend_a_case_supervisors_everything_and_the_worker_sends_each_once(tmp_path: Path):
    data = str(tmp_path / "data")
    inbox = RefusingInbox()
    with smtp_server(inbox) as port:
        failed = failed_acknowledgements(tmp_path / "data", port, 3)
        (first_case, first_email), *_ = failed

        listed = flowdesk("resend", "--list", "--as", "sue", "--data", data)
        assert listed.returncode == 0, listed.stderr
        assert len(listed.stdout.splitlines()) == 3
        assert f"case {first_case}  {first_email}  the e-mail to sanne.devries@example.nl: the mail server " \
               f"127.0.0.1:{port} refused the message (technical detail: 451 4.3.0" in listed.stdout
        shown = flowdesk("case", first_case, "--data", data)
        assert f"could not be sent: the mail server 127.0.0.1:{port}" in shown.stdout
        assert f"(flowdesk resend {first_case} {first_email})" in shown.stdout
        incident = re.search(r"INCIDENT (\S+)", shown.stdout)[1]
        retried = flowdesk("retry", first_case, incident, "--data", data)
        assert retried.returncode == 1 and "is a delivery that failed, not a stopped step: resend it" in retried.stderr

        inbox.refusing = False  # the mail server is fixed
        refused = flowdesk("resend", "--all", "--as", "bob", "--data", data)
        assert refused.returncode == 1
        assert refused.stderr == ("flowdesk: not allowed: to resend every failed delivery at once you need one of "
                                  "the roles supervisor, admin; Bob Agent has agent\n")
        one = flowdesk("resend", first_case, first_email, "--as", "bob", "--data", data)
        assert one.returncode == 0, one.stderr
        assert one.stdout == (f"case {first_case}: message {first_email} queued again; the worker sends it on its "
                              "next pass\n")
        again = flowdesk("resend", first_case, first_email, "--as", "bob", "--data", data)
        assert again.returncode == 1 and "is pending, not failed; nothing was resent" in again.stderr
        everything = flowdesk("resend", "--all", "--as", "sue", "--data", data)
        assert everything.stdout == "2 failed messages of 2 cases queued again\n", everything.stderr

        worked = flowdesk("worker", "--once", "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--data", data)
        assert worked.returncode == 0, worked.stderr
        assert "3 sent, 0 kept in the data folder, 0 retrying, 0 failed" in worked.stdout
        flowdesk("worker", "--once", "--smtp-host", "127.0.0.1", "--smtp-port", str(port), "--data", data)
    ids = sorted(message["Message-ID"] for _, message in inbox.messages)
    assert len(ids) == 3 and all(email in " ".join(ids) for _, email in failed)
    assert "INCIDENT" not in flowdesk("case", first_case, "--data", data).stdout
    assert flowdesk("resend", "--list", "--data", data).stdout == "no delivery failed\n"


def test_without_a_mail_server_the_worker_keeps_email_as_eml_files_in_the_data_folder(tmp_path: Path):
    data = tmp_path / "data"
    inbox = RefusingInbox()
    with smtp_server(inbox) as port:
        [(_, email)] = failed_acknowledgements(data, port, 1)
    started = flowdesk("start", "billing_complaint", "--customer", "C-1001", "--as", "bob", "--data", str(data), "-d",
                       '{"invoice_number": "F2026-000001", "invoice_date": "2026-01-01", "disputed_amount": "30.00",'
                       ' "complaint_category": "amount_too_high", "complaint_description": "te hoog"}')
    assert started.returncode == 0, started.stderr
    worked = flowdesk("worker", "--once", "--data", str(data))
    assert "0 sent, 1 kept in the data folder" in worked.stdout, worked.stderr
    [kept] = (data / "outbox" / "mail").glob("*.eml")
    assert "To: sanne.devries@example.nl" in kept.read_text()
    assert email not in kept.name  # the failed one stays failed: keeping is only for new ones


def test_the_smtp_options_are_checked(tmp_path: Path):
    lone_port = flowdesk("worker", "--once", "--smtp-port", "2525", "--data", str(tmp_path / "data"))
    assert (lone_port.returncode, lone_port.stderr) == (1, "flowdesk: --smtp-port needs --smtp-host\n")
    bad_port = flowdesk("worker", "--once", "--smtp-host", "mail", "--smtp-port", "0", "--data", str(tmp_path))
    assert bad_port.returncode == 1 and bad_port.stderr.startswith("flowdesk: --smtp-port: ")
    nothing = flowdesk("resend", "--data", str(tmp_path / "data"))
    assert (nothing.returncode, nothing.stderr) == (1, "flowdesk: name a case (and a message of it), or give --all, "
                                                       "--list or --kept\n")
