"""A rendered e-mail as a proper MIME message: multipart/alternative with a text and an HTML part.

Mail programs show the HTML part and fall back to the text part, so both say
the same: the text part is the template's own plain-text version if it has
one, else readable text derived from the HTML. The HTML is cleaned to the
letter tags (`codegen.markup`) once more, whatever put it in the outbox; a
plain-text body becomes paragraphs.
The Message-ID is made from the outbox entry id, so the message downloaded
later is the one that was sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape

from codegen.markup import html_to_text, letter_html

MESSAGE_ID_DOMAIN = "flowdesk.local"


def email_message(*, sender: str, recipient: str, subject: str, html_body: str, text_body: str = "",
                  message_id: str, date: datetime, headers: Mapping[str, str] | None = None) -> EmailMessage:
    """The MIME message; `message_id` is a unique token (e.g. the outbox entry id).

    The Message-ID has the shape `email.utils.make_msgid` gives (<time.token@domain>) but is the
    same each time the message is made for the same token and date.

    >>> from datetime import UTC
    >>> message = email_message(sender="a@example.nl", recipient="b@example.nl", subject="Hi",
    ...                         html_body="<p>Dear <b>Sanne</b></p>", message_id="out-1",
    ...                         date=datetime(2026, 1, 2, 9, 30, tzinfo=UTC))
    >>> message.get_content_type(), message["Message-ID"], message["Date"]
    ('multipart/alternative', '<1767346200.out-1@flowdesk.local>', 'Fri, 02 Jan 2026 09:30:00 +0000')
    >>> message.get_body(("plain",)).get_content()
    'Dear Sanne\\n'
    """
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = f"<{int(date.timestamp())}.{message_id}@{MESSAGE_ID_DOMAIN}>"
    for name, value in (headers or {}).items():
        message[name] = value
    html = letter_html(html_body)
    message.set_content((text_body or html_to_text(html)).strip() + "\n")
    message.add_alternative(f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{escape(subject)}</title>'
                            f"</head><body>\n{html}\n</body></html>\n", subtype="html")
    return message
