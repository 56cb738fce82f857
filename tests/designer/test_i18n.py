"""The app in Dutch and English: every text has a Dutch translation, each user reads their own language (else the
installation's), with Dutch dates and numbers, and the runtime's refusals said in it.

The catalogue test extracts the texts from the code again (`pybabel extract`, configured in pyproject.toml), so a
new English text without Dutch fails here, naming it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from designer import display, i18n
from designer.i18n import SPOKEN_ENUMS, WORDS, Reader
from models.data import Variable
from models.phrases import Phrase
from runtime.access import ROLES, SYSTEM_ROLE, UseCase
from runtime.storage.base import WorkQuery
from tests.designer.conftest import COMPLAINT
from tests.designer.helpers import sign_in
from tests.people import person

ROOT = Path(__file__).resolve().parents[2]
NL_CATALOGUE = ROOT / "designer" / "locale" / "nl" / "LC_MESSAGES" / "messages.po"
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def extracted(tmp_path: Path) -> dict[str | tuple[str, ...], object]:
    """The texts of the code now, by message id, as `pybabel extract` finds them."""
    template = tmp_path / "messages.pot"
    result = subprocess.run([str(Path(sys.executable).with_name("pybabel")), "extract", "-o", str(template)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    with template.open("rb") as file:
        return {message.id: message for message in read_po(file) if message.id}


def test_every_text_of_the_code_has_a_dutch_translation_with_the_same_placeholders(tmp_path: Path):
    texts = extracted(tmp_path)
    with NL_CATALOGUE.open("rb") as file:
        dutch = read_po(file, locale="nl")
    assert len(texts) > 500  # the pages' texts were found, not an empty extraction
    untranslated, mismatched = [], []
    for text in texts:
        entry = dutch.get(text)
        forms = entry.string if entry is not None and isinstance(entry.string, tuple) else \
            (entry.string,) if entry is not None else ()
        if entry is None or entry.fuzzy or not all(forms):
            untranslated.append(text)
            continue
        english = text if isinstance(text, tuple) else (text,)
        if any(set(PLACEHOLDER.findall(form)) != set(PLACEHOLDER.findall(english[-1])) for form in forms):
            mismatched.append(text)
    assert untranslated == [], "no Dutch yet (run 'pybabel extract && pybabel update', then translate in " \
                               f"{NL_CATALOGUE.relative_to(ROOT)}): {untranslated}"
    assert mismatched == [], f"Dutch with other placeholders than the English: {mismatched}"
    gone = [entry.id for entry in dutch if entry.id and entry.id not in texts]
    assert gone == [], f"translations of texts the code no longer has (run 'pybabel update'): {gone}"


def test_every_role_and_every_value_of_the_spoken_enumerations_has_a_word():
    missing = [(enum.__name__, member.value) for enum in SPOKEN_ENUMS for member in enum
               if (enum.__name__, member.value) not in WORDS]
    missing += [("role", role) for role in (*ROLES, SYSTEM_ROLE) if ("role", role) not in WORDS]
    assert missing == []


def read_as(monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    """Say things as a page read in `language` (in Amsterdam's zone) would, outside a page."""
    for module in (i18n, display):
        monkeypatch.setattr(module, "reader", lambda: Reader(language, "Europe/Amsterdam"))


def test_a_runtime_phrase_is_said_in_the_readers_language_with_its_moment_in_their_zone(monkeypatch):
    claimed = Phrase("task '{task}' is {claim}; ask them or a supervisor to release or reassign it", task="Bellen",
                     claim=Phrase("claimed by {who} since {since}", who="Amy",
                                  since=datetime(2026, 3, 2, 9, 12, tzinfo=UTC)))
    read_as(monkeypatch, "nl")
    assert i18n.said(claimed) == "taak 'Bellen' is opgepakt door Amy sinds 2 maart 2026 10:12; vraag die persoon " \
                                 "of een teamleider de taak terug te geven of over te dragen"
    refused = Phrase("not allowed: to {use_case} you need one of the roles {roles}; {who} has {their_roles}",
                     use_case=UseCase.MONITOR, roles=["supervisor", "admin"],
                     who="Bob", their_roles=[])
    assert i18n.said(refused) == "niet toegestaan: om de monitor te zien heb je een van de rollen teamleider, " \
                                 "beheerder nodig; Bob heeft geen"
    read_as(monkeypatch, "en")
    assert i18n.said(refused) == str(refused)  # English pages say what the command line and the API say


def test_a_case_value_is_written_the_readers_way_in_records_too_and_unset_reads_a_dash(monkeypatch):
    lines = Variable(name="lines", type="records", fields=[
        Variable(name="amount", type="money", label="Bedrag"), Variable(name="paid", type="boolean", label="Betaald?"),
        Variable(name="on", type="date", label="Op")])
    rows = [{"amount": "1234.5", "paid": True, "on": "2026-03-02"}, {"amount": "3.10", "paid": None, "on": None}]
    read_as(monkeypatch, "nl")
    assert display.case_value_text(rows, lines) == "Bedrag: €\u00a01.234,50, Betaald?: ja, Op: 2 maart 2026\n" \
                                                   "Bedrag: €\u00a03,10, Betaald?: —, Op: —"
    read_as(monkeypatch, "en")
    assert display.case_value_text(rows, lines) == "Bedrag: €1,234.50, Betaald?: yes, Op: 2 March 2026\n" \
                                                   "Bedrag: €3.10, Betaald?: —, Op: —"
    assert display.case_value_text(None) == display.case_value_text("") == "—"


# Pages ------------------------------------------------------------------------------------------------------------


def the_runtime():
    from nicegui import app

    return app.state.runtime


async def switch_to(user, language: str) -> None:
    """Choose `language` in the header's switch, as a click on it does."""
    switch = next(iter(user.find(marker="language").elements))
    with user.client:
        switch.value = language


@pytest.mark.anyio
async def test_a_supervisor_who_switches_to_dutch_reads_worklist_case_and_monitor_in_dutch(user):
    await sign_in(user, "sue", "sue-demo", target="/work")
    await user.should_see("Open work")
    await switch_to(user, "nl")
    await user.should_see("Openstaand werk", retries=20)  # the page is drawn again, in Dutch
    await user.should_see("Mijn werkbakken")
    await user.should_see("Uitloggen")
    assert the_runtime().store.user("sue").language == "nl"  # kept with her: every page and every sign-in
    [row] = next(iter(user.find(marker="worklist").elements)).rows
    assert re.fullmatch(r"\d{1,2} (januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|"
                        r"december) \d{4} \d{2}:\d{2}", row["due"]), row["due"]
    assert row["sla_label"] == "op schema"

    await user.open(f"/work/case/{row['case']}")
    await user.should_see("Tijdlijn")
    await user.should_see("Verstuurd naar de klant")
    assert COMPLAINT["disputed_amount"] == "80.00"
    await user.should_see("€\u00a080,00")  # the disputed amount as Dutch writes it (€ and amount kept together)
    await user.should_see("1 februari 2026")  # the invoice date
    await user.should_see(content="open sinds ")

    await user.open("/monitor")
    await user.should_see("Monitor voor teamleiders")
    await user.should_see("1 open werkitem in 1 werkbak", retries=30)
    await user.should_see("Tijd tot eerste reactie")

    await switch_to(user, "en")
    await user.should_see("Supervisor monitor", retries=20)


@pytest.mark.anyio
async def test_a_user_who_chose_no_language_reads_the_installations_default(user):
    from nicegui import ui

    from runtime.settings import change_settings

    change_settings(the_runtime(), person("ann"), default_language="nl")
    await user.open("/login?redirect_to=/work")
    await user.should_see("Inloggen bij Flowdesk")
    user.find("Gebruikersnaam").type("bob")
    user.find("Wachtwoord").type("wrong")
    user.find(kind=ui.button, content="Inloggen").click()
    await user.should_see("Verkeerde gebruikersnaam of verkeerd wachtwoord.")  # the runtime's refusal, in Dutch
    user.find("Wachtwoord").type("bob-demo")
    user.find(kind=ui.button, content="Inloggen").click()
    await user.should_see("Openstaand werk")
    await user.should_see("Klantcontact aannemen (intake)")
    assert the_runtime().store.user("bob").language is None  # he chose nothing: the default speaks


@pytest.mark.anyio
async def test_a_dutch_agent_is_told_in_dutch_who_claimed_the_task_and_since_when(user):
    from runtime.accounts import Accounts
    from runtime.casework import CaseWork

    runtime = the_runtime()
    [item] = runtime.store.work_items(WorkQuery(process_key="billing_complaint"))
    CaseWork(runtime).claim(runtime.store.user("sue"), item.id)
    Accounts(runtime).set_language(person("ann"), "bob", "nl")  # an administrator chose it for him
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{item.case_id}?item={item.id}")
    await user.should_see(content="Je kunt deze taak lezen, maar niet behandelen: taak 'Klacht onderzoeken' is "
                                  "opgepakt door Sue Supervisor sinds ")



# The letter editor, failed deliveries, the admin log, forms and upload sizes ----------------------------------------


def test_the_letter_editors_own_words_and_upload_sizes_are_dutch_for_a_dutch_reader(monkeypatch):
    from designer.elements.drop_zone import size_in_words
    from designer.elements.letter_editor import EDITOR_WORDS, editor_words

    read_as(monkeypatch, "nl")
    words = editor_words()
    assert words["tools"]["html"][0] == ["heading", "Kop", "Kop (of terug naar een alinea)"]  # the action stays
    assert [tool[0] for tool in words["tools"]["text"]] == [tool[0] for tool in EDITOR_WORDS["tools"]["text"]]
    assert words["chip"] == "{label}: klik om te wijzigen hoe het verschijnt"
    assert words["formats"] == {"money": "bedrag", "date": "datum", "number": "getal"}
    assert size_in_words(1536 * 1024) == "1,5 MB" and size_in_words(10 * 1024 * 1024) == "10 MB"
    read_as(monkeypatch, "en")
    assert editor_words() == EDITOR_WORDS and size_in_words(1536 * 1024) == "1.5 MB"


def test_a_forms_read_only_values_and_buttons_are_in_the_readers_language(monkeypatch):
    from codegen.forms.view import ENGLISH

    yes_no = Variable(name="paid", type="boolean", label="Betaald?")
    amount = Variable(name="amount", type="money", label="Bedrag")
    read_as(monkeypatch, "nl")
    words = display.form_words()
    assert (words.add_row, words.value(True, yes_no), words.value(False, yes_no)) == ("Rij toevoegen", "ja", "nee")
    assert words.value("80.00", amount) == "€\u00a080,00"
    assert (ENGLISH.add_row, ENGLISH.value(True, yes_no), ENGLISH.value("80.00", amount)) == ("Add row", "yes", "80.00")


def test_the_letter_editors_conditions_and_chip_warnings_are_in_the_readers_language(monkeypatch):
    from codegen.letter_document import Markup
    from codegen.letter_names import Names
    from codegen.letter_template import parse_template
    from codegen.letter_view import editor_json, node_problems

    variables = [Variable(name="justified", type="boolean", label="Klacht terecht"),
                 Variable(name="amount", type="money", label="Bedrag"), Variable(name="note", type="text"),
                 Variable(name="lines", type="records", label="Regels", fields=[{"name": "item", "type": "text"}])]
    letter = parse_template("{% if justified and amount >= 10 %}{{ note }}{% elif not note %}-{% else %}+{% endif %}"
                            "{% if amount > 1 and note != 'x' %}!{% endif %}{% for row in lines %}{{ row }}{% endfor %}"
                            "{{ customer.nmae }}",
                            Markup.PLAIN)

    def said(names: Names) -> tuple[list[str], list[str]]:
        shown = editor_json(letter, names)["children"]
        words = [b["words"] for b in shown[0]["branches"] + shown[1]["branches"]] + [shown[2]["words"],
                                                                                    shown[2]["children"][0]["label"]]
        problems = node_problems(letter, names, maybe_empty={"amount", "note"}, unknown={"customer.nmae"})
        return words, [p["message"] for p in problems]

    read_as(monkeypatch, "nl")
    assert said(Names.of(variables, display.letter_words())) == ([
        "Alleen als 'Klacht terecht' is ja en 'Bedrag' is minstens 10", "Anders, als 'note' is leeg", "Anders",
        "Alleen als 'Bedrag' is groter dan 1 en 'note' is niet 'x'", "Voor elke regel in 'Regels'",
        "Elke regel van 'Regels'"], [
        *["'Bedrag' kan leeg zijn als deze brief wordt verstuurd, en deze voorwaarde heeft een waarde nodig: test "
          "eerst of het er een heeft"] * 2,  # both ways of the first condition compare it
        "'note' kan leeg zijn als deze brief wordt verstuurd: toon het alleen als het een waarde heeft, of geef een "
        "standaardtekst",
        "'Bedrag' en 'note' kunnen leeg zijn als deze brief wordt verstuurd, en deze voorwaarde heeft een waarde "
        "nodig: test eerst of ze er een hebben",
        "'Customer nmae' is geen zaakgegeven, klantveld of berekende waarde"])
    read_as(monkeypatch, "en")
    english = said(Names.of(variables))
    assert said(Names.of(variables, display.letter_words())) == english
    assert english[0][0] == "Only when 'Klacht terecht' is yes and 'Bedrag' is at least 10"


def test_every_customer_field_and_computed_value_a_letter_reads_has_a_label_in_the_catalogues():
    from codegen.letter_names import letter_names

    built_in = {name.path for name in letter_names([])}
    assert built_in == set(display.LETTER_NAME_LABELS)


def test_a_log_entry_from_before_phrases_were_kept_shows_its_stored_text():
    from runtime.installation_log import LogEntry

    old = LogEntry(at=datetime(2026, 3, 2, tzinfo=UTC), actor="ann", kind="password set", subject="bob",
                   summary="User bob got a new password")
    assert old.phrase == "User bob got a new password"
    kept = old.model_copy(update={"said": Phrase("User {user} got a new password", user="bob").as_data()})
    assert kept.phrase == Phrase("User {user} got a new password", user="bob")


@pytest.mark.anyio
async def test_a_dutch_designer_writes_letters_in_dutch(user):
    from runtime.accounts import Accounts
    from tests.designer.helpers import open_editor_tab

    Accounts(the_runtime()).set_language(person("ann"), "ann", "nl")
    await open_editor_tab(user, "billing_complaint", "letters", "letters-title")
    await user.should_see(content="Brieven (")
    user.find(marker="letter-credit_note").click()
    await user.should_see("Brief: Creditbrief")
    await user.should_see("Sjablooncode (voor experts)")
    await user.should_see("Voorbeeldgegevens")
    body = next(iter(user.find(marker="letter-body").elements))
    assert body.props["label"] == "Tekst"
    assert body.props["words"]["tools"]["text"][0] == ["heading", "Kop", "Kop (maakt van de brief opgemaakte tekst)"]
    assert body.props["words"]["locked"].startswith("Sjablooncode die de editor niet")
    conditions = [n for n in body.props["document"]["children"] if n["type"] == "condition"]
    assert [b["words"] for c in conditions for b in c["branches"]] == [
        "Alleen als 'Te crediteren bedrag' is kleiner dan 'Betwist bedrag'",
        "Alleen als 'Betaalwijze klant' is 'Automatische incasso'", "Anders"]
    chips = [n["label"] for n in body.props["document"]["children"] if n["type"] == "value"]
    assert chips[0] == "Klantnaam"  # "Beste <Klantnaam>,"
    picker = next(iter(user.find(marker="letter-pick").elements))
    assert picker.options["customer.payment_method"] == "Klant: Betaalwijze klant"
    assert picker.options["today"] == "Berekend: Vandaag"


def shown_texts(user, marker: str) -> set[tuple[str, ...]]:
    """What each element marked `marker` shows now: its labels, in order."""
    from nicegui import ui

    return {tuple(label.text for label in item.descendants() if isinstance(label, ui.label))
            for item in user.find(marker=marker).elements}


@pytest.mark.anyio
async def test_a_dutch_designer_reads_a_letters_findings_in_dutch_naming_placeholders_as_their_chips_do(user):
    from runtime.accounts import Accounts
    from tests.designer.helpers import open_editor_tab

    Accounts(the_runtime()).set_language(person("ann"), "ann", "nl")
    await open_editor_tab(user, "billing_complaint", "letters", "letters-title")
    await user.should_see(content="Ontvangstbevestiging klacht")
    user.find(marker="letter-code-body").clear().type("Beste {{ customer.nmae }}, {{ credit_amount }}") \
        .trigger("blur")
    unknown = ("De tekst van 'Ontvangstbevestiging klacht' (nl) gebruikt 'Customer nmae', en dat is geen zaakgegeven, "
               "klantveld of berekende waarde.")
    maybe_empty = ("'Ontvangstbevestiging klacht' gebruikt 'Te crediteren bedrag', maar als de brief wordt "
                   "verstuurd (bij 'Ontvangstbevestiging e-mailen') heeft de zaak misschien geen Te crediteren bedrag: "
                   "op een van de wegen ernaartoe vult niets het. De brief zou worden tegengehouden met een incident.")
    await user.should_see(marker="letter-problem")
    assert shown_texts(user, "letter-problem") == {
        (maybe_empty, "Klik op het gemarkeerde invulveld: toon het alleen als het een waarde heeft, of geef een "
                      "standaardtekst. Of zorg dat elke weg naar de stap het vult: een verplicht formulierveld, een "
                      "toewijzing of een standaardwaarde."),
        (unknown, "Bedoelde je 'Klantnaam'?")}
    await user.should_see(marker="problem-complaint_received")  # the problems list beside the canvas
    listed = shown_texts(user, "problem-complaint_received")
    assert (unknown, "Bedoelde je 'Klantnaam'?") in listed
    assert maybe_empty in {texts[0] for texts in listed}
    chips = next(iter(user.find(marker="letter-body").elements)).props["problems"]
    assert [(p["kind"], p["ordinal"]) for p in chips] == [("value", 0), ("value", 1)]  # both chips marked

    user.find(marker="letter-code-body").clear().type("Beste {{ customer.name }").trigger("blur")
    await user.should_see("De tekst van 'Ontvangstbevestiging klacht' (nl) klopt niet op regel 1: unexpected '}'.",
                          marker="letter-problem")
    await user.should_see("Kies invulvelden uit de lijst, of controleer dat elke {{ zijn }} heeft en elke {% if %} / "
                          "{% for %} zijn {% endif %} / {% endfor %}.", marker="letter-problem")


@pytest.mark.anyio
async def test_a_dutch_supervisor_reads_a_failed_delivery_and_its_resend_in_dutch(user):
    from runtime.accounts import Accounts
    from runtime.deliveries import give_up
    from runtime.outbox import sent_to_customer

    runtime = the_runtime()
    Accounts(runtime).set_language(person("ann"), "sue", "nl")
    [case] = runtime.store.cases()
    [email] = sent_to_customer(runtime.store, case.id)
    give_up(runtime, email, Phrase("{problem} (gave up after {count} attempts)", problem="the mail server said no",
                                   count=5))
    await sign_in(user, "sue", "sue-demo", target="/monitor")
    await user.should_see(marker="failed-count", content="1 verzending mislukt", retries=30)
    await user.should_see("de e-mail aan sanne.devries@example.nl: the mail server said no (opgegeven na 5 pogingen)")
    user.find(marker="resend-everything").click()
    await user.should_see("Opnieuw in de wachtrij: 1 bericht van 1 zaak.")
    await user.open(f"/work/case/{case.id}")
    await user.should_see("De e-mail aan sanne.devries@example.nl opnieuw verstuurd door Sue Supervisor (mislukt: the "
                          "mail server said no (gave up after 5 attempts))")  # the reason as kept with the entry


@pytest.mark.anyio
async def test_a_failed_delivery_is_an_incident_on_the_case_said_in_dutch(user):
    from runtime.accounts import Accounts
    from runtime.deliveries import give_up
    from runtime.outbox import sent_to_customer

    runtime = the_runtime()
    Accounts(runtime).set_language(person("ann"), "bob", "nl")
    [case] = runtime.store.cases()
    [email] = sent_to_customer(runtime.store, case.id)
    give_up(runtime, email, Phrase("delivery was interrupted: it may or may not have arrived; check by hand"))
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{case.id}")
    await user.should_see(marker="incident", content="De e-mail aan sanne.devries@example.nl kon niet worden "
                                                     "verstuurd: verzenden werd onderbroken: het kan wel of niet zijn "
                                                     "aangekomen; controleer het zelf")


@pytest.mark.anyio
async def test_a_dutch_administrator_reads_the_admin_log_in_dutch(user):
    from runtime.accounts import Accounts

    accounts = Accounts(the_runtime())
    accounts.set_language(person("ann"), "root", "nl")
    accounts.set_language(person("ann"), "bob", "en")
    accounts.set_language(person("ann"), "bob", None)
    await sign_in(user, "root", "root-demo", target="/admin?tab=log")
    await user.should_see("Gebruiker bob leest de app nu in de standaardtaal van de installatie", retries=30)
    await user.should_see("Gebruiker root leest de app nu in nl")


# The checks' findings ----------------------------------------------------------------------------------------------

CHECK_FIXTURES = sorted((ROOT / "tests" / "checks").glob("*/invalid-*.json"))


def fixture_findings(name: str) -> list:
    from models import load_bundle
    from models.checks import check

    path = ROOT / "tests" / "checks" / name
    return check(load_bundle(path.read_bytes(), str(path)))


def test_a_finding_reads_dutch_in_the_designer_and_the_same_english_everywhere_else(monkeypatch):
    [finding] = fixture_findings("soundness_deadlock/invalid-decision-closed-by-join.json")
    english = ("Parallel join 'Both done' can wait forever: decision 'Amount?' sends the case along one way only, so "
               "the branch from 'Approve' or 'Escalate to manager' may never arrive.")
    read_as(monkeypatch, "nl")
    assert i18n.said(finding.phrased_message) == "Parallelle samenvoeging 'Both done' kan eeuwig wachten: beslissing " \
                                                  "'Amount?' stuurt de zaak maar één kant op, dus de tak vanaf " \
                                                  "'Approve' of 'Escalate to manager' komt misschien nooit aan."
    assert finding.as_dict()["message"] == finding.message == english  # the command line and the API
    read_as(monkeypatch, "en")
    assert i18n.said(finding.phrased_message) == english


@pytest.mark.parametrize("path", CHECK_FIXTURES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_phrased_finding_of_the_rule_fixtures_has_its_dutch(monkeypatch, path: Path):
    """Catches a phrase whose template the catalogue cannot find (one built at run time, so never extracted)."""
    read_as(monkeypatch, "nl")
    for finding in fixture_findings(f"{path.parent.name}/{path.name}"):
        for phrase in (finding.message_phrase, finding.hint_phrase):
            if phrase is not None:
                assert i18n.said(phrase) != str(phrase), f"{finding.code}: no Dutch for {phrase!r}"


@pytest.mark.anyio
async def test_a_dutch_designer_reads_the_problems_list_in_dutch(user):
    from nicegui import ui

    from runtime.accounts import Accounts
    from tests.designer.helpers import open_editor_tab

    Accounts(the_runtime()).set_language(person("ann"), "ann", "nl")
    await open_editor_tab(user, "move_house")
    user.find(marker="canvas").trigger("node_added", {"kind": "task", "x": 400, "y": 600})
    await user.should_see(marker="problem-task_1")
    said = [label.text for item in user.find(marker="problem-task_1").elements for label in item.descendants()
            if isinstance(label, ui.label)]
    assert "Geen pad vanaf een start leidt naar 'Task 1', dus die wordt nooit uitgevoerd." in said, said
    assert "Verbind er een eerdere stap mee, of verwijder de stap." in said
