"""A variable nobody has set is not in the case's data (pages show "—"); the process reads its declared default."""

from __future__ import annotations

import json

from models import load_bundle
from runtime.service import Runtime
from tests.people import person
from tests.runtime.builders import auto, end, process, start


def test_a_connector_gets_the_declared_default_of_what_nobody_set_and_the_case_keeps_only_what_was_set(
        runtime: Runtime):
    document = process("p", variables={"approved": "boolean", "tries": "number", "note": "text"},
                       nodes=[start(), auto("book", connector="billing.book", note='"booked"'), end()],
                       flow="s>book book>e").model_dump(mode="json")
    document["variables"][0]["default"] = False
    document["variables"][1]["default"] = 0
    runtime.publish(person("owner"), load_bundle(json.dumps(document)))
    case = runtime.start_case(person("bob"), "p")
    assert case.data == {"note": "booked"}  # an unanswered yes/no is not a "no" on the case
    [request] = runtime.store.outbox(case_id=case.id)
    payload = json.loads(request.body)
    assert payload["data"] == {"approved": False, "tries": 0, "note": "booked"}
    assert payload["reference"] == case.reference
