"""How long compiling and evaluating typical Flowdesk expressions takes.

Run: .venv/bin/python bench/bench_expressions.py
Prints, per expression, the median microseconds per `evaluate` over several
runs, and the median compile time. No pytest: timings belong here, not in tests.
"""

from __future__ import annotations

import statistics
import sys
import time
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from models.expressions import ExprType, compile_expression
from models.expressions.types import CUSTOMER_TYPE

LINE = ExprType.record({"description": ExprType.TEXT, "amount": ExprType.MONEY, "quantity": ExprType.NUMBER})
NAMES = {
    "claim_amount": ExprType.MONEY,
    "status": ExprType.TEXT,
    "approved": ExprType.BOOLEAN,
    "score": ExprType.NUMBER,
    "received": ExprType.DATE,
    "lines": ExprType.list_of(LINE),
    "customer": CUSTOMER_TYPE,
    "today": ExprType.DATE,
    "now": ExprType.DATETIME,
}
VALUES = {
    "claim_amount": Decimal("1250.50"),
    "status": "open",
    "approved": True,
    "score": 7,
    "received": date(2024, 5, 1),
    "lines": [{"description": f"line {i}", "amount": Decimal("10.10") * i, "quantity": i} for i in range(1, 11)],
    "customer": {
        "id": "c1", "number": "1001", "name": "Ann de Vries", "email": "ann@example.com", "phone": "",
        "language": "nl", "segment": "premium", "payment_method": "invoice", "iban": "",
        "address": {"street": "Main", "house_number": "1", "postcode": "1000AA", "city": "Delft", "country": "NL"},
        "consents": {"email": True, "sms": False, "marketing": False},
    },
    "today": date(2024, 5, 10),
    "now": datetime(2024, 5, 10, 9, 30, tzinfo=UTC),
}
EXPRESSIONS = [
    ("boolean flag", "approved", ExprType.BOOLEAN),
    ("money threshold", "claim_amount > 250", ExprType.BOOLEAN),
    ("money and text", 'claim_amount > 250 && status == "open"', ExprType.BOOLEAN),
    ("VAT amount", "claim_amount * 0.21", ExprType.MONEY),
    ("number arithmetic", "score * 1.5 + 2 > 10", ExprType.BOOLEAN),
    ("customer field", 'customer.segment == "premium" && customer.consents.email', ExprType.BOOLEAN),
    ("days since", "days_between(received, today) > 7", ExprType.BOOLEAN),
    ("timer date", "add_days(today, 14)", ExprType.DATE),
    ("exists over 10 records", "lines.exists(l, l.amount > 100)", ExprType.BOOLEAN),
    ("sum over 10 records", "sum(lines.map(l, l.amount)) > 500", ExprType.BOOLEAN),
]
RUNS = 7


def _median_us(func, repeat: int) -> float:
    samples = []
    for _ in range(RUNS):
        start = time.perf_counter()
        for _ in range(repeat):
            func()
        samples.append((time.perf_counter() - start) / repeat * 1e6)
    return statistics.median(samples)


def main() -> None:
    print(f"{'expression':<26} {'compile µs':>11} {'evaluate µs':>12}  result")
    for label, source, expect in EXPRESSIONS:
        compiled = compile_expression(source, NAMES, expect=expect)
        compile_us = _median_us(lambda s=source, e=expect: compile_expression(s, NAMES, expect=e), 200)
        for _ in range(1000):  # warm up
            compiled.evaluate(VALUES)
        evaluate_us = _median_us(lambda c=compiled: c.evaluate(VALUES), 5000)
        print(f"{label:<26} {compile_us:>11.1f} {evaluate_us:>12.2f}  {compiled.evaluate(VALUES)!r}")


if __name__ == "__main__":
    main()
