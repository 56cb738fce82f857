"""A small back-office customer system over real HTTP, for testing `HttpCustomers`.

`serve(customers)` runs a `ThreadingHTTPServer` on a free local port in a
thread and yields its base URL. Besides the customer routes it has routes
that misbehave the ways a real system can: too slow, an error status, a
reply that is not JSON, a customer with fields that do not fit.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from models.customers import phone_key


@contextmanager
def serve(customers: list[dict[str, Any]]) -> Iterator[str]:
    registered: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            query = {name: values[0] for name, values in parse_qs(url.query).items()}
            if url.path == "/customers" and "phone" in query:
                self._json([c for c in customers if phone_key(c["phone"]) == query["phone"]])
            elif url.path == "/customers" and "postcode" in query:
                self._json({"customers": [c for c in customers if c["address"]["postcode"].replace(" ", "")
                                          == query["postcode"]]})
            elif url.path.startswith("/customers/"):
                found = [c for c in customers if c["id"] == url.path.rsplit("/", 1)[1]]
                if found:
                    self._json(found[0])
                else:
                    self._send(404, b'{"error": "unknown customer"}')
            elif url.path == "/slow":
                time.sleep(1.0)
                self._json([])
            elif url.path == "/broken":
                self._send(500, b"database connection lost")
            elif url.path == "/html":
                self._send(200, b"<html><body>Log in first</body></html>", "text/html")
            elif url.path == "/misfit":
                self._json([customers[0], customers[1] | {"email": "not an address"}])
            else:
                self._send(404, b"")

        def do_POST(self) -> None:
            details = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            customer = details | {"id": f"CRM-{len(registered) + 1}", "number": "990000001"}
            registered.append(customer)
            self._json(customer, status=201)

        def _json(self, data: Any, status: int = 200) -> None:
            self._send(status, json.dumps(data).encode())

        def _send(self, status: int, body: bytes, content_type: str = "application/json") -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
