"""Types, names and the compiled expression's public face."""

from __future__ import annotations

import pickle

import pytest

from models.data import DataType, Variable
from models.expressions import FUNCTION_NAMES, ExprType, compile_expression, names_for, type_of_variable


@pytest.mark.parametrize(("t", "name"), [
    (ExprType.TEXT, "text"), (ExprType.NUMBER, "number"), (ExprType.MONEY, "money"),
    (ExprType.BOOLEAN, "yes/no"), (ExprType.DATE, "date"), (ExprType.DATETIME, "date and time"),
    (ExprType.DURATION, "duration"), (ExprType.NULL, "no value"), (ExprType.ANY, "any value"),
    (ExprType.list_of(ExprType.TEXT), "list of text"),
    (ExprType.list_of(ExprType.record({"a": ExprType.MONEY})), "list of records"),
    (ExprType.record({"a": ExprType.MONEY}), "record"),
])
def test_types_have_plain_names(t, name):
    assert str(t) == name


def test_types_are_immutable_values():
    record = ExprType.record({"b": ExprType.TEXT, "a": ExprType.MONEY})
    assert record == ExprType.record({"a": ExprType.MONEY, "b": ExprType.TEXT})
    assert hash(record) == hash(ExprType.record({"a": ExprType.MONEY, "b": ExprType.TEXT}))
    assert ExprType.list_of(record).element == record
    assert dict(record.fields) == {"a": ExprType.MONEY, "b": ExprType.TEXT}
    with pytest.raises(AttributeError):
        ExprType.MONEY.kind = "text"  # type: ignore[misc]
    with pytest.raises(TypeError):
        record.fields["c"] = ExprType.TEXT  # type: ignore[index]
    assert pickle.loads(pickle.dumps(record)) == record


@pytest.mark.parametrize(("data_type", "expected"), [
    (DataType.TEXT, ExprType.TEXT), (DataType.EMAIL, ExprType.TEXT), (DataType.PHONE, ExprType.TEXT),
    (DataType.IBAN, ExprType.TEXT), (DataType.NUMBER, ExprType.NUMBER), (DataType.MONEY, ExprType.MONEY),
    (DataType.BOOLEAN, ExprType.BOOLEAN), (DataType.DATE, ExprType.DATE), (DataType.DATETIME, ExprType.DATETIME),
])
def test_type_of_a_variable(data_type, expected):
    assert type_of_variable(Variable(name="v", type=data_type)) == expected


def test_choices_are_text_and_records_are_lists_of_records():
    choice = Variable(name="c", type=DataType.CHOICE, options=[{"value": "x"}])
    assert type_of_variable(choice) == ExprType.TEXT
    lines = Variable(name="lines", type=DataType.RECORDS, fields=[Variable(name="amount", type=DataType.MONEY)])
    assert type_of_variable(lines) == ExprType.list_of(ExprType.record({"amount": ExprType.MONEY}))


def test_names_for_adds_customer_and_clock_and_extra():
    names = names_for([Variable(name="amount", type=DataType.MONEY)], extra={"value": ExprType.TEXT})
    assert set(names) == {"amount", "customer", "now", "today", "value"}
    assert names["customer"].fields["address"].fields["city"] == ExprType.TEXT
    assert names["customer"].fields["consents"].fields["email"] == ExprType.BOOLEAN
    assert names["now"] == ExprType.DATETIME and names["today"] == ExprType.DATE
    assert "customer" not in names_for([], customer=False)


def test_compiled_expression_reports_what_it_reads_and_gives(names):
    compiled = compile_expression('amount > 100 && customer.segment == "premium" && lines.exists(l, l.amount > 1)',
                                  names, expect=ExprType.BOOLEAN)
    assert compiled.type == ExprType.BOOLEAN
    assert compiled.names == frozenset({"amount", "customer", "lines"})
    assert compiled.source.startswith("amount > 100")
    assert "amount > 10000" in compiled.cel_source


def test_loop_variables_are_not_names_read(names):
    assert compile_expression("lines.all(amount, amount.quantity > 0)", names).names == frozenset({"lines"})


def test_value_of_unknown_type_in_a_validation(names):
    compiled = compile_expression("value != null", {**names, "value": ExprType.ANY}, expect=ExprType.BOOLEAN)
    assert compiled.evaluate({"value": "x"}) is True
    assert compiled.evaluate({}) is False


def test_reserved_cel_words_work_as_names():
    compiled = compile_expression("package > 1 && lines.exists(var, var.loop)", {
        "package": ExprType.NUMBER, "lines": ExprType.list_of(ExprType.record({"loop": ExprType.BOOLEAN}))})
    assert compiled.evaluate({"package": 2, "lines": [{"loop": True}]}) is True


def test_the_function_whitelist():
    assert {"size", "contains", "startsWith", "endsWith", "matches", "int", "double", "string", "sum",
            "days_between", "add_days", "has", "all", "exists", "exists_one", "map", "filter"} <= FUNCTION_NAMES
