"""The embedded store's customer and contact indexes: rebuilt after damage, and reading only what matches."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.customers import Address, Customer, SearchField, name_key, phone_key
from runtime.storage import tinydb_store
from runtime.storage.base import Changes
from runtime.storage.files import decode_line, encode_line
from runtime.storage.tinydb_store import TinyDBStore
from tests.storage.storage_docs import contact


def many_customers(count: int) -> list[Customer]:
    return [Customer(id=f"k{n}", number=f"{n:09}", name=f"Klant {n} Jansen", phone=f"06 {n:08}",
                     address=Address(street="Laan", house_number=str(n % 500), postcode=f"{1000 + n % 8000} AB",
                                     city="Ede"))
            for n in range(count)]


def test_a_lost_index_snapshot_is_rebuilt_with_customers_and_contacts(tmp_path: Path):
    folder = tmp_path / "data"
    with TinyDBStore.open(folder) as store:
        store.commit(Changes(customers=many_customers(30), contacts=[contact("call", "k7")]))
    (folder / "index.json").unlink()
    with TinyDBStore.open(folder) as store:
        assert [c.id for c in store.find_customers(SearchField.PHONE, phone_key("0600000007"))] == ["k7"]
        assert [c.id for c in store.contacts(customer_id="k7")] == ["call"]
        assert store.verify_indexes()


def test_a_data_folder_from_before_customer_search_gets_its_customers_indexed(tmp_path: Path):
    folder = tmp_path / "data"
    with TinyDBStore.open(folder) as store:
        store.commit(Changes(customers=many_customers(10)))
    snapshot = decode_line((folder / "index.json").read_bytes())
    del snapshot["indexes"]["customers"], snapshot["indexes"]["contacts"]  # as an older Flowdesk wrote it
    (folder / "index.json").write_bytes(encode_line(snapshot))
    with TinyDBStore.open(folder) as store:
        assert [c.id for c in store.find_customers(SearchField.NAME, name_key("klant 3"))] == ["k3"]


def test_finding_one_customer_among_thousands_reads_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "data"
    with TinyDBStore.open(folder) as store:
        store.commit(Changes(customers=many_customers(5_000)))
    read: list[Path] = []
    original = tinydb_store.load_partition
    monkeypatch.setattr(tinydb_store, "load_partition", lambda path: read.append(path) or original(path))
    with TinyDBStore.open(folder) as store:
        found = store.find_customers(SearchField.NAME, name_key("klant 4321"))
        assert [c.name for c in found] == ["Klant 4321 Jansen"]
        assert len(read) == 1
