"""The web app: wires the route groups, the guard, the runtime and the worker together.

`build` opens the data folder's embedded store, publishes the examples into a
store without processes and creates the demo users in one without users, includes the pages of every area behind the one
guard (`designer.auth.Guard`), and starts the worker (due timers, SLA jobs and
outbox delivery) in a background thread for as long as the app runs. `run`
does that and serves it; `flowdesk serve` calls `run`.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path

from nicegui import app, ui
from nicegui.storage import Storage

from designer.api import routes as api
from designer.auth import Guard, hash_password
from designer.documents import publication_order, read_documents
from designer.pages import audit, case, design, editor, intake, monitor, sent, session, work
from runtime.access import system_user
from runtime.documents import User
from runtime.intake import Intake
from runtime.outbox import Deliverer, default_sinks
from runtime.service import PublishError, Runtime
from runtime.storage.base import Changes
from runtime.storage.tinydb_store import TinyDBStore
from runtime.worker import Worker

log = logging.getLogger(__name__)

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
#: Who publishes the examples and loads the sample customers on a first start.
INSTALLER = system_user("flowdesk")
SECRET_FILE = "session_secret"


@dataclass(frozen=True)
class DemoUser:
    id: str
    name: str
    roles: tuple[str, ...]
    password: str


#: Created on the first start of an empty store; passwords are in the README, change them for real use.
DEMO_USERS = (
    DemoUser("ann", "Ann Designer", ("designer",), "ann-demo"),
    DemoUser("bob", "Bob Agent", ("agent",), "bob-demo"),
    DemoUser("sue", "Sue Supervisor", ("supervisor",), "sue-demo"),
    DemoUser("abe", "Abe Auditor", ("auditor",), "abe-demo"),
    DemoUser("root", "Root Admin", ("admin",), "root-demo"),
)


def storage_secret(data: Path) -> str:
    """The secret that signs session cookies: made once, then kept in the data folder."""
    path = data / SECRET_FILE
    if not path.exists():
        data.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(32))
    return path.read_text().strip()


def publish_examples(runtime: Runtime, folder: Path = EXAMPLES) -> list[str]:
    """Publish every example process (called processes first) and load the sample customers, as the installation
    itself (`INSTALLER`).

    Returns what was done, one line each; an example that does not publish is reported, not fatal.
    """
    done = []
    documents = read_documents(sorted(folder.glob("*.json")))
    for document in documents:
        if document.customers is not None:
            Intake(runtime).load_customers(INSTALLER, document.customers)
            done.append(f"{document.path.name}: {len(document.customers)} customers loaded")
    bundles = {d.bundle.key: d.bundle for d in documents if d.bundle is not None and not d.load_problems}
    for key in publication_order(bundles):
        try:
            version = runtime.publish(INSTALLER, bundles[key], note="example, published on first start")
            done.append(f"{key}: published version {version.number}")
        except PublishError as error:
            done.append(f"{key}: not published — {error}")
    return done


def create_demo_users(runtime: Runtime) -> list[User]:
    """The demo users; the agent works every queue the published processes use."""
    queues = sorted({q.id for v in runtime.store.versions() for q in runtime.bundle(v).queues})
    users = [User(id=d.id, name=d.name, roles=list(d.roles), queues=queues if "agent" in d.roles else [],
                  password_hash=hash_password(d.password)) for d in DEMO_USERS]
    runtime.store.commit(Changes(users=users))
    return users


def build(data: Path, *, smtp_host: str = "localhost", smtp_port: int = 25, worker: bool = True,
          examples: bool = True, worker_interval: float = 5.0) -> str:
    """Set up the app on the data folder's store; returns the storage secret to pass to `ui.run`."""
    data = Path(data)
    store = TinyDBStore.open(data)
    runtime = Runtime(store)
    if examples and not store.versions():
        for line in publish_examples(runtime):
            log.info("first start: %s", line)
    if examples and not store.users():
        create_demo_users(runtime)
        log.warning("first start: demo users %s created with the passwords in the README; change them "
                    "before real use", ", ".join(d.id for d in DEMO_USERS))
    app.state.runtime = runtime
    Storage.path = (data / "sessions").resolve()

    for group in (session, design, editor, work, intake, case, monitor, audit, sent):
        app.include_router(group.routes())
    app.include_router(api.routes())
    app.add_middleware(Guard, store=store)

    stop = threading.Event()
    thread = threading.Thread(target=_work, name="flowdesk-worker", daemon=True,
                              args=(runtime, data / "outbox", smtp_host, smtp_port, worker_interval, stop))

    def start() -> None:
        if worker:
            thread.start()

    def shut_down() -> None:
        stop.set()
        if thread.is_alive():
            thread.join(timeout=30)
        store.close()

    app.on_startup(start)
    app.on_shutdown(shut_down)
    return storage_secret(data)


def _work(runtime: Runtime, outbox: Path, smtp_host: str, smtp_port: int, interval: float,
          stop: threading.Event) -> None:
    deliverer = Deliverer(runtime.store, default_sinks(outbox, smtp_host, smtp_port), runtime.clock)
    log.info("worker running (letters and SMS in %s)", outbox)
    Worker(runtime, deliverer, interval=interval).run_forever(stop, first_pass_after=interval)


def run(data: Path, *, host: str = "127.0.0.1", port: int = 8080, smtp_host: str = "localhost",
        smtp_port: int = 25, examples: bool = True) -> None:
    """Build the app and serve it until stopped."""
    secret = build(data, smtp_host=smtp_host, smtp_port=smtp_port, examples=examples)
    ui.run(host=host, port=port, title="Flowdesk", storage_secret=secret, reload=False, show=False,
           show_welcome_message=False, favicon="🗂️", fastapi_docs=api.OPENAPI)
