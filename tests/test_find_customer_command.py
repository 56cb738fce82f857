"""`flowdesk find-customer` as an agent runs it, on a data folder with the sample customers."""

from __future__ import annotations

from pathlib import Path

from tests.test_cli import ROOT, flowdesk


def test_customers_are_found_however_the_caller_says_it(tmp_path: Path):
    data = str(tmp_path / "data")
    assert flowdesk("customers", str(ROOT / "examples/customers.json"), "--data", data).returncode == 0
    by_phone = flowdesk("find-customer", "06-12345678", "--data", data)
    assert by_phone.returncode == 0
    assert by_phone.stdout.splitlines() == [
        "C-1001  301001186  Sanne de Vries (consumer)  +31 6 1234 5678, sanne.devries@example.nl  "
        "Oudegracht 112, 3511 AX Utrecht"]
    by_address = flowdesk("find-customer", "3012bn", "--by", "address", "--house-number", "57 a", "--data", data)
    assert by_address.stdout.startswith("C-1005  ") and "Thijs Bakker" in by_address.stdout
    nobody = flowdesk("find-customer", "Nobody Known", "--data", data)
    assert (nobody.returncode, nobody.stdout.strip()) == (1, "no customer matches 'Nobody Known'")
