"""What the letter editor costs the server: opening a letter, and each change the browser sends while typing.

Run: `.venv/bin/python bench/bench_letter_editor.py [--repeats N] [--json FILE]`. For the longest example
letter body and for a generated letter at the size limit of a text (20,000 characters, HTML with chips,
conditions and a repeated table) it times reading the template into the editor's document and drawing it
(`parse_template` + `editor_json`), and what one change costs (`edited_document` of the JSON the browser
sends, then `template_source`). Each change is a new text, so nothing is read from a cache. Rounds interleave
the scenarios; medians are printed, and written as JSON with --json.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interleaved import interleaved_ms, spread, write_json

from codegen.letter_document import document_json
from codegen.letter_names import Names
from codegen.letter_template import markup_of, parse_template, template_source
from codegen.letter_view import edited_document, editor_json
from models import load_bundle

ROOT = Path(__file__).resolve().parent.parent
#: The size limit of a text (`models.base.LongText`).
LIMIT = 20_000


def example_letter() -> tuple[str, str, Names]:
    """The longest body among the example letters, with the names of its process."""
    found = []
    for path in sorted((ROOT / "examples").glob("*.json")):
        if path.name == "customers.json":
            continue
        bundle = load_bundle(path.read_bytes(), path.name)
        for letter in bundle.letters:
            for variant in letter.variants:
                found.append((len(variant.body), f"{path.stem}/{letter.id}", variant.body, Names.of(bundle.variables)))
    _, name, body, names = max(found)
    return name, body, names


def generated_letter() -> str:
    """An HTML letter of about `LIMIT` characters: paragraphs with chips, conditional paragraphs, a repeated table."""
    parts = ["<p>Beste {{ customer.name }},</p>\n"]
    for number in itertools.count():
        paragraph = (f"<p>Over factuur {{{{ invoice_number }}}} ({number}): u betwist {{{{ disputed_amount|money }}}}"
                     " van de factuur. Wij zoeken het graag voor u uit.</p>\n")
        if number % 5 == 0:
            paragraph = f"{{% if complaint_justified %}}\n{paragraph}{{% endif %}}\n"
        if number % 9 == 0:
            paragraph += ("<table>\n<tr><th>Regel</th><th>Bedrag</th></tr>\n{% for row in lines %}\n"
                          "<tr><td>{{ row.item }}</td><td>{{ row.amount|money }}</td></tr>\n{% endfor %}\n</table>\n")
        if sum(map(len, parts)) + len(paragraph) > LIMIT:
            break
        parts.append(paragraph)
    return "".join(parts)


def scenarios(body: str, names: Names) -> dict[str, Callable[[], object]]:
    markup = markup_of(body, html_body=True)
    sent = document_json(parse_template(body, markup))
    changes = itertools.count()

    def change() -> str:  # a keystroke: the first text grows by one letter
        data = json.loads(json.dumps(sent))
        first = next(node for node in _walk(data["children"]) if node["type"] == "text")
        first["text"] += "x" * (next(changes) % 50 + 1)
        return template_source(edited_document(data, markup))

    def open_letter() -> object:  # a text not read before (every reading cache misses)
        return editor_json(parse_template(f"{body} {next(changes)}", markup), names)

    return {"open (read + draw)": open_letter, "one change (read back + write)": change}


def _walk(nodes: list[dict[str, Any]]) -> Any:
    for node in nodes:
        yield node
        for branch in node.get("branches", []):
            yield from _walk(branch["children"])
        yield from _walk(node.get("children", []))


def measure(repeats: int) -> list[dict[str, Any]]:
    name, body, names = example_letter()
    letters = {f"example {name}": body, f"generated ({LIMIT:,} characters)": generated_letter()}
    calls = {(letter, scenario): call for letter, text in letters.items()
             for scenario, call in scenarios(text, names).items()}
    return [{"letter": letter, "characters": len(letters[letter]), "scenario": scenario, **timing}
            for (letter, scenario), timing in interleaved_ms(calls, repeats).items()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=21, help="timed rounds (default 21)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="also write the results as JSON here")
    args = parser.parse_args()
    rows = measure(args.repeats)
    print(f"flowdesk letter editor bench — medians of {args.repeats} interleaved rounds, "
          f"Python {sys.version.split()[0]}")
    print(f"{'letter':<52} {'chars':>6}  {'scenario':<32} {'median ms':>10} {'min-max ms':>16}")
    for row in rows:
        print(f"{row['letter']:<52} {row['characters']:>6}  {row['scenario']:<32} {row['median_ms']:>10.2f} "
              f"{spread(row):>16}")
    write_json(args.json, args.repeats, rows)


if __name__ == "__main__":
    main()
