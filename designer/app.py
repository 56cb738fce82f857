"""The web app: wires the route groups, the guard, the runtime and the worker together.

`build` opens the data folder's embedded store, publishes the examples into a
store without processes and creates the demo users in one without users, includes the pages of every area behind the one
guard (`designer.auth.Guard`), and starts the worker (due timers, SLA jobs and
outbox delivery) in a background thread for as long as the app runs. `run`
does that and serves it; `flowdesk serve` calls `run`.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from nicegui import app, ui
from nicegui.storage import Storage

from designer.api import routes as api
from designer.auth import Guard
from designer.documents import publication_order, read_documents
from designer.pages import admin, approvals, audit, case, design, editor, intake, migrate, monitor, session, work
from runtime.access import system_user
from runtime.accounts import Accounts
from runtime.documents import User
from runtime.drafts import take_over_files
from runtime.installation import data_worker, installation_mail, open_store, outbox_folder, session_secret, signing_key
from runtime.intake import Intake
from runtime.service import PublishError, Runtime
from runtime.settings import MailServer
from runtime.views.accounts import accounts

log = logging.getLogger(__name__)



def _examples_folder() -> Path:
    """The example processes: the package `flowdesk_examples`, which the wheel installs and an editable install
    maps to the checkout's examples/ folder (see setup.py).

    It is a namespace package (the folder holds JSON only), so its folder is read from its import spec: on
    Python 3.11 `importlib.resources.files` cannot read an editable install's namespace path.
    """
    spec = importlib.util.find_spec("flowdesk_examples")
    folders = [Path(p) for p in (spec.submodule_search_locations or []) if Path(p).is_dir()] if spec else []
    if not folders:
        raise RuntimeError("the example processes are not installed: reinstall flowdesk (pip install .)")
    return folders[0]


EXAMPLES = _examples_folder()
#: Who publishes the examples and loads the sample customers on a first start.
INSTALLER = system_user("flowdesk")


@dataclass(frozen=True)
class DemoUser:
    id: str
    name: str
    roles: tuple[str, ...]
    password: str


#: Created on the first start of an empty store; passwords are in the README, change them for real use.
DEMO_USERS = (
    DemoUser("ann", "Ann Designer", ("designer",), "ann-demo"),
    DemoUser("vic", "Vic Approver", ("approver",), "vic-demo"),
    DemoUser("bob", "Bob Agent", ("agent",), "bob-demo"),
    DemoUser("sue", "Sue Supervisor", ("supervisor",), "sue-demo"),
    DemoUser("abe", "Abe Auditor", ("auditor",), "abe-demo"),
    DemoUser("root", "Root Admin", ("admin",), "root-demo"),
)


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
    """The demo users, added by the installation itself; the agent works every queue the published processes use."""
    queues = sorted({q.id for v in runtime.latest_versions() for q in runtime.bundle(v).queues})
    users = Accounts(runtime)
    return [users.add_user(INSTALLER, d.id, d.password, roles=d.roles, name=d.name,
                           queues=queues if "agent" in d.roles else [])[0] for d in DEMO_USERS]


def build(data: Path, *, smtp: MailServer | None = None, worker: bool = True, examples: bool = True,
          worker_interval: float = 5.0, db_url: str | None = None, max_request_mb: float | None = None) -> str:
    """Set up the app on the data folder's store (or the database at `db_url`); returns the session secret (kept
    in the store, `session_secret`) to pass to `ui.run`. E-mail goes through the mail server of the installation
    settings, else `smtp`, else is kept in the data folder."""
    data = Path(data)
    key = signing_key(data)
    store = open_store(data, db_url)
    runtime = Runtime(store, signing_key=key)
    if examples and not runtime.latest_versions():
        for line in publish_examples(runtime):
            log.info("first start: %s", line)
    if examples and not accounts(runtime, INSTALLER):
        create_demo_users(runtime)
        log.warning("first start: demo users %s created with the passwords in the README; change them "
                    "before real use", ", ".join(d.id for d in DEMO_USERS))
    for line in take_over_files(runtime, data):
        log.info("drafts and scenarios of an older version: %s", line)
    app.state.runtime = runtime
    app.state.mail = installation_mail(runtime, data, smtp)
    Storage.path = (data / "sessions").resolve()

    for group in (session, design, migrate, editor, approvals, work, intake, case, monitor, audit, admin):
        app.include_router(group.routes())
    app.add_middleware(Guard, runtime=runtime)
    api.install(app, max_request_mb)  # after the guard: its size limits come before it

    stop = threading.Event()
    thread = threading.Thread(target=data_worker(app.state.mail, interval=worker_interval).run_forever,
                              name="flowdesk-worker", daemon=True, args=(stop,),
                              kwargs={"first_pass_after": worker_interval})  # the start and first pages go first

    def start() -> None:
        if worker:
            log.info("worker running (letters and SMS in %s)", outbox_folder(data))
            thread.start()

    def shut_down() -> None:
        stop.set()
        if thread.is_alive():
            thread.join(timeout=30)
        store.close()

    app.on_startup(start)
    app.on_shutdown(shut_down)
    return session_secret(runtime, data)


def run(data: Path, *, host: str = "127.0.0.1", port: int = 8080, smtp: MailServer | None = None,
        examples: bool = True, db_url: str | None = None, worker: bool = True,
        max_request_mb: float | None = None) -> None:
    """Build the app and serve it until stopped."""
    secret = build(data, smtp=smtp, examples=examples, db_url=db_url, worker=worker, max_request_mb=max_request_mb)
    ui.run(host=host, port=port, title="Flowdesk", storage_secret=secret, reload=False, show=False,
           show_welcome_message=False, favicon="🗂️", fastapi_docs=api.OPENAPI)
