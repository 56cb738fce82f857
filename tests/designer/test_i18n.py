"""The app in Dutch and English: every text has a Dutch translation, each user reads their own language (else the
installation's), with Dutch dates and numbers, and the runtime's refusals said in it.

The catalogue test extracts the texts from the code again (`pybabel extract`, configured in pyproject.toml), so a
new English text without Dutch fails here, naming it.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from hypothesis import given, settings
from hypothesis import strategies as st

from designer import display, i18n
from designer.i18n import SPOKEN_ENUMS, WORDS, Reader
from models.data import Variable
from models.durations import Duration
from models.phrases import Phrase
from runtime.access import ROLES, SYSTEM_ROLE, UseCase
from runtime.storage.base import WorkQuery
from runtime.views.names import queue_names
from tests.designer.conftest import COMPLAINT
from tests.designer.helpers import sign_in
from tests.models.test_durations import durations
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


def test_every_text_the_code_translates_is_one_the_extraction_finds(tmp_path: Path):
    """A text looked up where the extractor does not look (inside an f-string) would stay English for everyone."""
    found = {text if isinstance(text, str) else text[0] for text in extracted(tmp_path)}
    looked_up = {(str(path.relative_to(ROOT)), call.lineno, call.args[0].value)
                 for folder in ("designer", "runtime", "models") for path in (ROOT / folder).rglob("*.py")
                 for call in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
                 if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                 and call.func.id in ("_", "N_", "ngettext", "Phrase")
                 and call.args and isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str)}
    assert len(looked_up) > 500
    assert [place for place in sorted(looked_up) if place[2] not in found] == []


def test_every_role_and_every_value_of_the_spoken_enumerations_has_a_word():
    missing = [(enum.__name__, member.value) for enum in SPOKEN_ENUMS for member in enum
               if (enum.__name__, member.value) not in WORDS]
    missing += [("role", role) for role in (*ROLES, SYSTEM_ROLE) if ("role", role) not in WORDS]
    assert missing == []


def test_quasar_speaks_every_language_of_the_app_from_a_pack_the_installed_nicegui_carries():
    import nicegui

    packs = Path(nicegui.__file__).parent / "static" / "lang"
    others = [language for language in i18n.LANGUAGES if language != i18n.SOURCE_LANGUAGE]
    assert others and all((packs / f"{i18n.QUASAR_PACKS[language]}.umd.prod.js").exists() for language in others)


def read_as(monkeypatch: pytest.MonkeyPatch, language: str) -> None:
    """Say things as a page read in `language` (in Amsterdam's zone) would, outside a page."""
    for module in (i18n, display):
        monkeypatch.setattr(module, "reader", lambda: Reader(language, "Europe/Amsterdam"))


def test_a_runtime_phrase_is_said_in_the_readers_language_with_its_moment_in_their_zone(monkeypatch):
    claimed = Phrase("task '{task}' is {claim}; ask them or a supervisor to release or reassign it", task="Bellen",
                     claim=Phrase("claimed by {who} since {since}", who="Amy",
                                  since=datetime(2026, 3, 2, 9, 12, tzinfo=UTC)))
    read_as(monkeypatch, "nl")
    assert display.said(claimed) == "taak 'Bellen' is opgepakt door Amy sinds 2 maart 2026 10:12; vraag die persoon " \
                                 "of een teamleider de taak terug te geven of over te dragen"
    refused = Phrase("not allowed: to {use_case} you need one of the roles {roles}; {who} has {their_roles}",
                     use_case=UseCase.MONITOR, roles=["supervisor", "admin"],
                     who="Bob", their_roles=[])
    assert display.said(refused) == "niet toegestaan: om de monitor te zien heb je een van de rollen teamleider, " \
                                 "beheerder nodig; Bob heeft geen"
    read_as(monkeypatch, "en")
    assert display.said(refused) == str(refused)  # English pages say what the command line and the API say


@given(durations, st.sampled_from(["en", "nl"]))
def test_every_duration_the_designer_shows_reads_back_as_the_same_duration(duration: Duration, language: str):
    with pytest.MonkeyPatch.context() as patch:
        read_as(patch, language)
        shown = display.model_duration_text(duration)
    assert Duration.parse(shown) == duration


def test_a_dutch_designer_reads_durations_in_dutch(monkeypatch):
    said = [display.model_duration_text(Duration.parse(kept)) for kept in ("5 working days", "1 hours", "4 hours",
                                                                           "1 working days", "2 weeks", "30 minutes")]
    assert said == ["5 working days", "1 hour", "4 hours", "1 working day", "2 weeks", "30 minutes"]
    read_as(monkeypatch, "nl")
    said = [display.model_duration_text(Duration.parse(kept)) for kept in ("5 working days", "1 hours", "4 hours",
                                                                           "1 working days", "2 weeks", "30 minutes")]
    assert said == ["5 werkdagen", "1 uur", "4 uur", "1 werkdag", "2 weken", "30 minuten"]


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
    await user.should_see(content="— actief")  # the customer's contracts: their state in Dutch too

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
        "'Klant nmae' is geen zaakgegeven, klantveld of berekende waarde"])
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
async def test_a_dutch_designers_form_preview_shows_dutch_sample_texts(user):
    from runtime.accounts import Accounts
    from tests.designer.helpers import open_editor_tab

    Accounts(the_runtime()).set_language(person("ann"), "ann", "nl")
    await open_editor_tab(user, "billing_complaint", "forms", "forms-title")
    user.find(marker="pick-form-investigation").click()  # shows the invoice number the case already has
    await user.should_see(marker="preview")
    await user.should_see("voorbeeld Factuurnummer")


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
    unknown = ("De tekst van 'Ontvangstbevestiging klacht' (Nederlands) gebruikt 'Klant nmae', en dat is geen "
               "zaakgegeven, klantveld of berekende waarde.")
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
    assert (maybe_empty, "Klik hier om de brief te openen en klik daar op het gemarkeerde invulveld: toon het alleen "
                         "als het een waarde heeft, of geef een standaardtekst. Of zorg dat elke weg naar de stap het "
                         "vult: een verplicht formulierveld, een toewijzing of een standaardwaarde.") in listed
    chips = next(iter(user.find(marker="letter-body").elements)).props["problems"]
    assert [(p["kind"], p["ordinal"]) for p in chips] == [("value", 0), ("value", 1)]  # both chips marked

    user.find(marker="letter-code-body").clear().type("Beste {{ customer.name }").trigger("blur")
    await user.should_see("De tekst van 'Ontvangstbevestiging klacht' (Nederlands) klopt niet op regel 1: "
                          "unexpected '}'.", marker="letter-problem")
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
                          "mail server said no (opgegeven na 5 pogingen))")  # the reason as kept with the entry


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
async def test_a_dutch_agent_reads_why_an_email_did_not_go_out_in_plain_dutch_with_the_detail_after_it(user):
    from runtime.accounts import Accounts
    from runtime.outbox import Deliverer, default_sinks, sent_to_customer
    from runtime.settings import MailServer
    from tests.local_servers import free_port

    runtime, nobody = the_runtime(), free_port()
    Accounts(runtime).set_language(person("ann"), "bob", "nl")
    [case] = runtime.store.cases()
    server = MailServer(host="127.0.0.1", port=nobody)
    assert Deliverer(runtime, lambda: default_sinks(Path("unused"), server)).deliver_due().retrying == 1
    [email] = sent_to_customer(runtime.store, case.id)
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{case.id}")
    await user.should_see(marker=f"status-{email.id}", content=f"in de wachtrij: de mailserver 127.0.0.1:{nobody} "
                                                               "weigerde de verbinding: draait de server, en kloppen "
                                                               "de host en poort? (technische details: [Errno 111] "
                                                               "Connection refused)", retries=30)


@pytest.mark.anyio
async def test_a_dutch_administrator_reads_the_test_email_and_the_kept_emails_in_dutch(user):
    from nicegui import app

    from runtime.accounts import Accounts
    from runtime.outbox import Deliverer
    from runtime.settings import MailServer, change_settings
    from tests.local_servers import Inbox, free_port, smtp_server

    runtime, nobody = the_runtime(), free_port()
    Accounts(runtime).set_language(person("ann"), "root", "nl")
    assert Deliverer(runtime, app.state.mail.sinks).deliver_due().kept == 1
    change_settings(runtime, person("ann"), mail=MailServer(host="127.0.0.1", port=nobody).model_dump())
    await sign_in(user, "root", "root-demo", target="/admin?tab=settings")
    await user.should_see(marker="kept-count", content="1 e-mail werd lokaal bewaard toen er geen mailserver was "
                                                       "ingesteld.", retries=30)
    user.find(marker="test-to").type("beheer@example.nl")
    user.find(marker="send-test").click()
    await user.should_see(marker="test-result", content=f"De test-e-mail is niet verstuurd: de mailserver "
                                                        f"127.0.0.1:{nobody} weigerde de verbinding", retries=50)
    with smtp_server(Inbox()) as port:
        change_settings(runtime, person("ann"), mail=MailServer(host="127.0.0.1", port=port).model_dump())
        user.find(marker="send-kept").click()
        await user.should_see(marker="kept-result", content=f"1 van de 1 lokaal bewaarde e-mails zijn via "
                                                            f"127.0.0.1:{port} verstuurd.", retries=50)


@pytest.mark.anyio
async def test_a_dutch_administrator_reads_the_admin_log_in_dutch(user):
    from runtime.accounts import Accounts

    accounts = Accounts(the_runtime())
    accounts.set_language(person("ann"), "root", "nl")
    accounts.set_language(person("ann"), "bob", "en")
    accounts.set_language(person("ann"), "bob", None)
    await sign_in(user, "root", "root-demo", target="/admin?tab=log")
    await user.should_see("Gebruiker bob leest de app nu in de standaardtaal van de installatie", retries=30)
    await user.should_see("Gebruiker root leest de app nu in Nederlands")  # the language by name
    names = queue_names(the_runtime())
    bob = the_runtime().store.user("bob")
    assert len(bob.queues) > 3 and all(names[queue] != queue for queue in bob.queues)
    await user.should_see("Gebruiker bob toegevoegd: rollen behandelaar, werkbakken "  # the queues by name, not id
                          + ", ".join(names[queue] for queue in bob.queues))


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
    assert display.said(finding.phrased_message) == (
        "Parallelle samenvoeging 'Both done' kan eeuwig wachten: beslissing 'Amount?' stuurt de zaak maar één kant op, "
        "dus de tak vanaf 'Approve' of 'Escalate to manager' komt misschien nooit aan.")
    assert finding.as_dict()["message"] == finding.message == english  # the command line and the API
    read_as(monkeypatch, "en")
    assert display.said(finding.phrased_message) == english


@pytest.mark.parametrize("path", CHECK_FIXTURES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_every_phrased_finding_of_the_rule_fixtures_has_its_dutch(monkeypatch, path: Path):
    """Catches a phrase whose template the catalogue cannot find (one built at run time, so never extracted)."""
    read_as(monkeypatch, "nl")
    for finding in fixture_findings(f"{path.parent.name}/{path.name}"):
        for phrase in (finding.message_phrase, finding.hint_phrase):
            if phrase is not None:
                assert display.said(phrase) != str(phrase), f"{finding.code}: no Dutch for {phrase!r}"


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


# The import report -------------------------------------------------------------------------------------------------


def claim_import():
    from codegen.interchange import read_files
    from tests.test_interchange_cli import CLAIM, TABLES

    return read_files([("claim.bpmn", CLAIM), ("route.dmn", TABLES)], {})


def test_an_import_report_reads_dutch_in_the_designer_and_the_same_english_on_the_command_line(monkeypatch):
    preview = claim_import()
    [draft], [tables] = preview.drafts, preview.table_reports
    by_element = {entry.element: entry for entry in draft.report.entries + tables.entries}
    read_as(monkeypatch, "nl")
    assert display.said(draft.report.phrased_summary) == "claim.bpmn: proces 'claim' — 5 geïmporteerd, 2 vertaald, " \
                                                      "0 te herstellen, 1 niet geïmporteerd"
    assert display.said(by_element["check"].phrased_detail) == "werk voor een persoon, in werkbak 'work'"
    assert display.said(by_element["odd"].phrased_detail).startswith("Flowdesk heeft geen inclusieve gateway: gebruik ")
    assert display.said(by_element["r2"].phrased_detail).startswith("cel '[100..1000)' van beslissing 'route_claim' is "
                                                                 "bewaard zoals geschreven")
    # the command line and as_dict keep the English of tests/bpmn and tests/dmn
    assert by_element["check"].detail == "work for a person, in queue 'work'"
    assert draft.report.summary == "claim.bpmn: process 'claim' — 5 imported, 2 translated, 0 to fix, 1 not imported"
    assert tables.as_dict()["subject"] == "decisions 'Claims'"
    read_as(monkeypatch, "en")
    assert [display.said(e.phrased_detail) for e in draft.report.entries] == [e.detail for e in draft.report.entries]


def test_a_timer_wait_of_an_imported_file_says_its_duration_in_dutch(monkeypatch):
    from codegen.bpmn.importer import import_bpmn

    xml = b"""<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" targetNamespace="t">
      <process id="p"><startEvent id="s"/><intermediateCatchEvent id="w"><timerEventDefinition>
        <timeDuration>P3D</timeDuration></timerEventDefinition></intermediateCatchEvent><endEvent id="e"/>
        <sequenceFlow id="f1" sourceRef="s" targetRef="w"/><sequenceFlow id="f2" sourceRef="w" targetRef="e"/>
      </process></definitions>"""
    [imported] = import_bpmn(xml, "wait.bpmn")
    [wait] = [entry for entry in imported.report.entries if entry.element == "w"]
    assert wait.detail == "waits 3 days (ISO 8601 'P3D')"
    read_as(monkeypatch, "nl")
    assert display.said(wait.phrased_detail) == "wacht 3 dagen (ISO 8601 'P3D')"


def test_why_a_file_cannot_be_imported_is_said_in_dutch_and_printed_in_english(monkeypatch):
    from codegen.interchange import read_files

    preview = read_files([("bomb.bpmn", b'<!DOCTYPE d [<!ENTITY x "y">]><definitions/>'), ("empty.dmn", b" "),
                          ("notes.txt", b"x")], {})
    problems = [unread.problem for unread in preview.unread]
    assert list(map(str, problems)) == [
        "bomb.bpmn: the file declares a document type (DTD); BPMN and DMN files never need one, and DTDs can hide "
        "entity bombs or read other files, so it is refused", "empty.dmn: the file is empty",
        "a .txt file is neither BPMN (.bpmn, .xml) nor DMN (.dmn)"]
    read_as(monkeypatch, "nl")
    assert [display.said(problem) for problem in problems] == [
        "bomb.bpmn: het bestand declareert een documenttype (DTD); BPMN- en DMN-bestanden hebben er nooit een nodig, "
        "en een DTD kan entiteitbommen verbergen of andere bestanden lezen, dus het wordt geweigerd",
        "empty.dmn: het bestand is leeg", "een .txt-bestand is geen BPMN (.bpmn, .xml) en geen DMN (.dmn)"]


def test_every_element_the_import_reads_or_refuses_has_a_word_in_the_report():
    from codegen.bpmn.importer import FLOW_NODES, NOT_RUN
    from designer.pages.design import ELEMENT_WORDS

    assert (set(FLOW_NODES) | set(NOT_RUN)) - set(ELEMENT_WORDS) == set()
    preview = claim_import()
    named = {entry.what for report in [d.report for d in preview.drafts] + preview.table_reports
             for entry in report.entries}
    assert named - set(ELEMENT_WORDS) == set()


@pytest.mark.anyio
async def test_a_dutch_designer_reads_the_import_report_in_dutch(user):
    from runtime.accounts import Accounts
    from tests.designer.test_process_list import upload
    from tests.test_interchange_cli import CLAIM

    Accounts(the_runtime()).set_language(person("ann"), "ann", "nl")
    await sign_in(user, "ann", "ann-demo", "/design")
    await user.should_see(marker="import", retries=30)
    await upload(user, "claim.bpmn", CLAIM)
    await user.should_see(marker="import-report")
    await user.should_see("claim.bpmn: proces 'claim' — 3 geïmporteerd, 2 vertaald, 0 te herstellen, "
                          "1 niet geïmporteerd")
    rows = [row for table in user.find(marker="import-report-entries").elements for row in table.rows]
    check = next(row for row in rows if row["element"] == "check")
    assert (check["outcome"], check["what"], check["detail"]) == ("geïmporteerd", "gebruikerstaak",
                                                                  "werk voor een persoon, in werkbak 'work'")


# Expressions, data types, the test-run's decisions and form fields ---------------------------------------------------

def expression_error(source: str, names: dict | None = None, expect=None):
    from models.expressions import ExpressionError, ExprType, compile_expression

    try:
        compile_expression(source, names if names is not None else {"amount": ExprType.MONEY}, expect=expect)
    except ExpressionError as error:
        return error
    raise AssertionError(f"{source!r} compiled")


def test_an_expression_error_is_dutch_for_a_dutch_reader_and_keeps_where_it_is(monkeypatch):
    from models.expressions import ExprType

    error = expression_error("amount > 1 && amont")
    assert str(error) == "unknown name 'amont'; did you mean 'amount'?"  # the command line and the API
    read_as(monkeypatch, "nl")
    assert display.said(error) == "onbekende naam 'amont'; bedoelde je 'amount'?"
    assert (error.position, error.pointer()) == (14, "amount > 1 && amont\n              ^")
    wrong_kind = expression_error('"ja" + 1', {}, ExprType.BOOLEAN)
    assert display.said(wrong_kind) == "kan tekst en een getal niet optellen; maak er eerst tekst van met string(1)"
    read_as(monkeypatch, "en")
    assert display.said(wrong_kind) == str(wrong_kind) == (
        "cannot add text and a number; turn it into text first with string(1)")


EXPRESSION_PARTS = ["amount", "amont", "lines", "note", "1", "2.505", '"x"', "'", "(", ")", "[", "]", "{", "}", "+",
                    "*", "/", "&&", "||", "!", "==", "<", "?", ":", ".", ",", "in", "and", "size(", "sum(", "money(",
                    "date(", "exists(", "x", "true", "null", "=", ";", "\u201c", "0x", "\\q", "_a", "has("]


@given(parts=st.lists(st.sampled_from(EXPRESSION_PARTS), min_size=1, max_size=8))
@settings(max_examples=300, deadline=None)
def test_whatever_is_wrong_with_an_expression_a_dutch_reader_reads_it_in_dutch(parts: list[str]):
    """Every phrase the expression checker builds, nested ones too, has its Dutch (a phrase built at run time
    would not be found in the catalogue), and said in English it is the command line's text."""
    from models.expressions import ExpressionError, ExprType, compile_expression

    names = {"amount": ExprType.MONEY, "note": ExprType.TEXT,
             "lines": ExprType.list_of(ExprType.record({"amount": ExprType.MONEY}))}
    try:
        compile_expression(" ".join(parts), names, expect=ExprType.BOOLEAN)
    except ExpressionError as error:
        dutch = i18n.catalogue("nl")
        for phrase in phrases_in(error.args[0]):
            assert dutch.gettext(phrase.template) != phrase.template or phrase.template in SAME_IN_DUTCH, phrase
        with Reading("en"):
            assert display.said(error) == str(error)


#: Templates that read the same in Dutch.
SAME_IN_DUTCH = {"{message}; {hint}", "record", "records", "record {number}, {field}: {problem}"}


def phrases_in(value) -> list[Phrase]:
    """`value` and every phrase inside it."""
    if isinstance(value, Phrase):
        return [value, *(inner for v in value.values.values() for inner in phrases_in(v))]
    if isinstance(value, list | tuple):
        return [inner for v in value for inner in phrases_in(v)]
    return []


class Reading:
    """Say things as a page read in `language` would, for a block (where the monkeypatch fixture cannot reach)."""

    def __init__(self, language: str) -> None:
        self.patch = pytest.MonkeyPatch()
        self.language = language

    def __enter__(self) -> None:
        read_as(self.patch, self.language)

    def __exit__(self, *_) -> None:
        self.patch.undo()


def test_an_expression_finding_and_a_variables_type_read_dutch_in_the_designer(monkeypatch):
    from models.bundle import Bundle
    from models.checks import check

    bundle = Bundle.model_validate({
        "key": "p", "name": "P", "variables": [{"name": "amount", "type": "money"}, {"name": "note", "type": "text"}],
        "nodes": [{"id": "s", "kind": "start"}, {"id": "d", "kind": "decision", "name": "Hoog?"},
                  {"id": "e", "kind": "end"}, {"id": "f", "kind": "end"}],
        "edges": [{"id": "a", "source": "s", "target": "d"},
                  {"id": "b", "source": "d", "target": "e", "condition": "amont > 100"},
                  {"id": "c", "source": "d", "target": "f", "condition": "note"}],
        "forms": [{"id": "form", "fields": [{"id": "n", "kind": "number", "label": "Aantal", "variable": "note"}]}]})
    findings = {f.element: f for f in check(bundle)}
    assert findings["b"].message == "In the condition of 'b' (`amont > 100`): unknown name 'amont'"
    read_as(monkeypatch, "nl")
    said = {element: display.said(finding.phrased_message) for element, finding in findings.items()}
    assert said["b"] == "In de voorwaarde van 'b' (`amont > 100`): onbekende naam 'amont'"
    assert display.said(findings["b"].phrased_hint) == "bedoelde je 'amount'?"
    assert said["c"] == "In de voorwaarde van 'c' (`note`): dit geeft tekst, maar hier is ja/nee nodig"
    assert said["n"] == "Veld 'Aantal' op formulier 'form' is een veld van soort getal, maar 'note' is van type tekst."


def test_the_test_runs_decisions_are_said_in_dutch(monkeypatch):
    from runtime.test_run import TestRun
    from runtime.views.cases import event_phrase
    from tests.runtime.test_test_run import COMPLAINT as RUN_COMPLAINT
    from tests.runtime.test_test_run import MONDAY, bundle, customer

    run = TestRun(bundle("billing_complaint"), {}, customer(), MONDAY)
    run.begin(RUN_COMPLAINT)
    checklist = [c.id for c in run.bundle.node("task_investigate").checklist]
    run.complete(run.state().open_tasks[0].item.id, {"complaint_justified": True, "disputed_amount": "40.00",
                                                     "investigation_findings": "Dubbele incasso."}, checklist)
    read_as(monkeypatch, "nl")
    assert [display.said(event_phrase(decision)) for decision in run.state().decisions] == [
        "Beslissing 'Klacht terecht?': `complaint_justified` klopt → 'Afhandeling bepalen'",
        "'Afhandeling bepalen' is uitgevoerd: beslistabel 'Afhandeling creditering' heeft ingevuld: "
        "handling = \"auto_credit\"",
        "Beslissing 'Direct crediteren?': `handling == \"auto_credit\"` klopt → 'Creditnota boeken'"]
    assert display.said(run.state().outcome.phrase()) == "eindigde bij 'Gecrediteerd'"


def test_the_test_runs_incident_says_in_dutch_where_and_why_the_case_stopped(monkeypatch):
    from runtime.test_run import TestRun
    from tests.runtime.test_test_run import ADDRESS, IDENTITY_CHECKS, IDENTITY_OK, MONDAY, bundle, identity_task

    run = TestRun(bundle("change_of_address"), {}, None, MONDAY)  # no customer: no address to read
    run.begin(ADDRESS)
    run.complete(identity_task(run), IDENTITY_OK, IDENTITY_CHECKS)
    [incident] = run.state().incidents
    read_as(monkeypatch, "nl")
    assert display.said(incident) == "'Adres wijzigen in klantsysteem': kan `customer.address.street + \" \" + " \
                                  "customer.address.house_nu...` niet uitrekenen: 'customer' heeft nog geen waarde; " \
                                  "controleer eerst of er een waarde is, bijv. x != null && ..."


def test_the_decision_table_bench_says_in_dutch_why_a_table_cannot_decide(monkeypatch):
    from models.editing.decision_tables import set_hit_policy
    from runtime.table_bench import run_bench
    from tests.designer.test_decision_tables import NOW, TABLE, billing

    draft = billing()
    draft.apply(set_hit_policy, TABLE, "UNIQUE")
    overlap = run_bench(draft.bundle, TABLE, {"disputed_amount": "80.00", "customer.segment": "premium"}, NOW)
    bad = run_bench(draft.bundle, TABLE, {"disputed_amount": "eighty"}, NOW)
    missing = run_bench(draft.bundle, TABLE, {"customer.segment": "premium"}, NOW)
    read_as(monkeypatch, "nl")
    assert display.said(overlap.problem) == "beslistabel 'Afhandeling creditering' staat maar één passende rij toe, " \
                                         "maar de rijen 2 en 4 passen allemaal"
    assert display.said(bad.problem) == (
        "Controleer de voorbeeldwaarden: disputed_amount: 'eighty' is niet een bedrag; schrijf bijv. 125.50")
    assert "'disputed_amount' heeft nog geen waarde" in display.said(missing.problem)
    assert str(overlap.problem) == overlap.error  # the English, as before


def test_what_is_wrong_with_a_form_field_is_said_in_dutch_and_stays_english_for_the_api(monkeypatch):
    from codegen.forms import check_submission
    from models.expressions import compile_expression
    from models.forms import Form

    form = Form.model_validate({"id": "f", "fields": [
        {"id": "amount", "kind": "money", "label": "Bedrag", "variable": "amount", "required": True, "min": 1},
        {"id": "day", "kind": "date", "label": "Datum", "variable": "day"},
        {"id": "note", "kind": "text", "label": "Toelichting", "variable": "note", "max": 5},
        {"id": "count", "kind": "number", "label": "Aantal", "variable": "count", "required": True}]})
    variables = {v.name: v for v in (Variable(name="amount", type="money"), Variable(name="day", type="date"),
                                     Variable(name="note", type="text"), Variable(name="count", type="number"))}
    submission = check_submission(form, variables, {"amount": "0,50", "day": "31-12-2026", "note": "te lang",
                                                    "count": "veel"}, {},
                                  lambda source, expect, extra: compile_expression(source, extra, expect=expect))
    assert submission.errors == {"amount": "'Bedrag' must be at least 1", "day": "'31-12-2026' is not a date; write "
                                 "YYYY-MM-DD", "note": "'Toelichting' may have at most 5 characters",
                                 "count": "'veel' is not a number; write e.g. 1.234,56"}
    read_as(monkeypatch, "nl")
    assert {path: display.said(problem) for path, problem in submission.phrases.items()} == {
        "amount": "'Bedrag' moet minstens 1 zijn", "day": "'31-12-2026' is geen datum; schrijf YYYY-MM-DD",
        "note": "'Toelichting' mag hoogstens 5 tekens hebben",
        "count": "'veel' is niet een getal; schrijf bijv. 1.234,56"}


@pytest.mark.anyio
async def test_a_dutch_agent_reads_under_a_task_forms_field_what_is_wrong_in_dutch(user):
    from runtime.accounts import Accounts

    runtime = the_runtime()
    case = runtime.store.cases()[0]
    Accounts(runtime).set_language(person("ann"), "bob", "nl")
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{case.id}")
    await user.should_see(marker="field-findings")
    checklist = runtime.process_version(case.version_hash).bundle.node("task_investigate").checklist
    for check in [c.id for c in checklist if c.required]:
        user.find(marker=f"check-{check}").click()
    user.find(marker="complete").click()
    await user.should_see("'Bevindingen (intern)' is verplicht")
    assert "is required" not in user.find(marker="error-findings").elements.pop().text


@pytest.mark.anyio
async def test_a_dutch_agent_reads_under_an_intake_start_forms_field_what_is_wrong_in_dutch(user):
    from runtime.accounts import Accounts
    from tests.designer.test_intake import COMPLAINT_FORM, REASON, choose, fill, find_customer, type_into

    Accounts(the_runtime()).set_language(person("ann"), "bob", "nl")
    await sign_in(user, "bob", "bob-demo", target="/work")
    await user.should_see("Openstaand werk")
    await user.open("/work/intake")
    await find_customer(user, "Telefoon", "06-12345678")
    user.find(marker="select-C-1001").click()
    type_into(user, "reason", REASON)
    user.find(marker="pick-billing_complaint").click()
    fill(user, COMPLAINT_FORM | {"disputed_amount": "64,205", "invoice_date": "1 maart"})
    choose(user, "field-category", "Twee keer gefactureerd of afgeschreven")
    user.find(marker="start-cases").click()
    await user.should_see(marker="error-disputed_amount", content="'64,205' heeft meer dan twee decimalen")
    await user.should_see(marker="error-invoice_date", content="'1 maart' is geen datum; schrijf YYYY-MM-DD")


@pytest.mark.anyio
async def test_a_dutch_designer_reads_a_bad_decision_table_cell_in_dutch_on_the_cell_and_in_the_problems_list(user):
    from runtime.accounts import Accounts
    from tests.designer.test_decision_tables import open_tables, type_into

    Accounts(the_runtime()).set_language(person("ann"), "ann", "nl")
    await open_tables(user)
    await type_into(user, "cell-small_amount-when-amount", "< fifty")
    await user.should_see(marker="problem-credit_handling")
    await user.should_see("onbekende naam 'fifty'")
    cell = user.find(marker="cell-small_amount-when-amount").elements.pop()
    assert "cell-problem" in cell._markers
    assert cell.props["error-message"] == "In regel 'small_amount', invoer 'Betwist bedrag' van 'credit_handling' " \
                                          "(`(disputed_amount) < fifty`): onbekende naam 'fifty'"


@pytest.mark.anyio
async def test_a_dutch_designer_reads_the_test_runs_state_refusals_and_decisions_in_dutch(user):
    from runtime.accounts import Accounts
    from tests.designer.test_test_run import open_test_tab, start_address_change, verify_identity

    Accounts(the_runtime()).set_language(person("ann"), "ann", "nl")
    await open_test_tab(user)
    await start_address_change(user)
    await user.should_see("De zaak wacht bij 'Identiteit controleren'")
    user.find(marker="complete-task_verify_identity").click()  # nothing filled in: refused, in Dutch
    await user.should_see("is verplicht")
    await verify_identity(user)
    await user.should_see("De zaak eindigde bij 'Adres gewijzigd'")
    await user.should_see("Beslissing 'Identiteit vastgesteld?': `identity_verified` klopt → ")


def test_an_engine_incident_is_kept_as_phrased_said_in_dutch_and_stays_english(monkeypatch):
    from runtime.test_run import TestRun
    from runtime.views.cases import incident_phrase
    from tests.runtime.test_test_run import COMPLAINT as RUN_COMPLAINT
    from tests.runtime.test_test_run import MONDAY, bundle, customer

    run = TestRun(bundle("billing_complaint"), {}, customer().model_copy(update={"email": ""}), MONDAY)
    run.begin(RUN_COMPLAINT)  # the acknowledgement e-mail has nowhere to go
    [incident] = run.state().case.incidents
    assert incident.message == "there is no email address to send 'Ontvangstbevestiging klacht' to"
    read_as(monkeypatch, "nl")
    assert display.said(incident_phrase(incident)) == \
        "er is geen e-mailadres om 'Ontvangstbevestiging klacht' naartoe te sturen"
    assert display.said(run.state().outcome.phrase()) == "is gestopt bij 'Ontvangstbevestiging e-mailen': er is geen " \
                                                      "e-mailadres om 'Ontvangstbevestiging klacht' naartoe te sturen"


def test_why_a_value_does_not_fit_the_case_is_said_in_dutch_and_the_same_english_as_before(monkeypatch):
    from models.phrases import phrase_of
    from runtime.errors import CaseStuck
    from runtime.test_run import TestRun
    from tests.runtime.test_test_run import COMPLAINT as RUN_COMPLAINT
    from tests.runtime.test_test_run import MONDAY, bundle, customer

    run = TestRun(bundle("billing_complaint"), {}, customer(), MONDAY)
    case = run.begin(RUN_COMPLAINT)
    refusals = {}
    for name, value in (("disputed_amount", "lots"), ("no_such_variable", "x")):
        with pytest.raises(CaseStuck) as stuck:  # what an assignment or a decision table's output meets
            run.runtime.step(run.user, lambda tx, n=name, v=value: run.runtime.engine.run(tx, tx.case(case.id))
                             .normalise(n, v))
        refusals[name] = phrase_of(stuck.value)
    assert {name: str(phrase) for name, phrase in refusals.items()} == {
        "disputed_amount": "the value for 'disputed_amount' does not fit: 'lots' is not an amount; write e.g. 125.50",
        "no_such_variable": "'no_such_variable' is not declared in the case data"}
    read_as(monkeypatch, "nl")
    assert display.said(refusals["disputed_amount"]) == \
        "de waarde voor 'disputed_amount' past niet: 'lots' is niet een bedrag; schrijf bijv. 125.50"
    assert display.said(refusals["no_such_variable"]) == "'no_such_variable' staat niet in de zaakgegevens"


def test_why_a_letter_cannot_be_filled_in_is_said_in_dutch_and_the_same_english_as_before(monkeypatch):
    from codegen.formatting import LetterFormats
    from codegen.letters import LetterRenderError, render_template
    from models.phrases import phrase_of

    refusals = []
    for source, context in (("Beste {{ customer.name }}", {"customer": {"name": None}}),
                            ("{{ credit_amount|money }}", {}),
                            ("{% for i in range(20000) %}.{% endfor %}", {}),
                            ("{{ 2 ** 1000 }}", {})):
        with pytest.raises(LetterRenderError) as refused:
            render_template(source, context, html=False, formats=LetterFormats("nl"))
        refusals.append(phrase_of(refused.value))
    assert [str(refusal) for refusal in refusals] == [
        "the template uses a placeholder with no value: {{ customer.name }} is empty in this case",
        "the template uses a placeholder with no value: 'credit_amount' is undefined",
        "cannot render the template: a loop may repeat at most 10,000 times",
        "cannot render the template: a power may have an exponent of at most 100"]
    read_as(monkeypatch, "nl")
    assert [display.said(refusal) for refusal in refusals] == [
        "het sjabloon gebruikt een invulveld zonder waarde: {{ customer.name }} is leeg in deze zaak",
        "het sjabloon gebruikt een invulveld zonder waarde: 'credit_amount' bestaat niet",
        "het sjabloon kan niet worden ingevuld: een herhaling mag hoogstens 10.000 keer herhalen",
        "het sjabloon kan niet worden ingevuld: een macht mag een exponent van hoogstens 100 hebben"]


def test_the_test_runs_refusals_are_said_in_dutch_and_the_same_english_as_before(monkeypatch):
    from models.editing import Draft
    from models.phrases import phrase_of
    from runtime.test_run import TestRun, TestRunError, replay
    from tests.runtime.test_test_run import ADDRESS, EXAMPLES, MONDAY, address_run, bundle, customer, verified_scenario

    run = address_run()
    refusals = []
    for refused in (lambda: run.send_message("signed_mandate_received"), lambda: run.scenario(" "),
                    lambda: run.start("change_of_address", ADDRESS),
                    lambda: TestRun(bundle("change_of_address"), {}, customer(), MONDAY).scenario("x")):
        with pytest.raises(TestRunError) as error:
            refused()
        refusals.append(phrase_of(error.value))
    draft = Draft(json.loads((EXAMPLES / "change_of_address.json").read_text()))
    draft.delete(["task_verify_identity"])
    draft.add_edge("start_intake", "dec_identity")
    result = replay(verified_scenario(), draft.bundle, {})
    assert [str(refusal) for refusal in refusals] == [
        "nothing is waiting for message 'signed_mandate_received'", "give the scenario a name",
        "this run has started already; start a new one",
        "start the test-run first; a scenario replays what was done in it"]
    assert str(result.reason) == "step 2 (complete task 'Identiteit controleren'): task 'Identiteit controleren' " \
                                 "no longer exists"
    read_as(monkeypatch, "nl")
    assert [display.said(refusal) for refusal in refusals] == [
        "niets wacht op bericht 'signed_mandate_received'", "geef het scenario een naam",
        "deze testrun is al gestart; start een nieuwe", "start eerst de testrun; een scenario speelt na wat daarin is "
                                                        "gedaan"]
    assert display.said(result.reason) == "stap 2 (taak 'Identiteit controleren' afronden): taak 'Identiteit " \
                                       "controleren' bestaat niet meer"


@pytest.mark.anyio
async def test_a_dutch_agent_reads_a_deliverys_status_in_dutch_when_it_cannot_be_resent(user, monkeypatch):
    from runtime.deliveries import Deliveries
    from runtime.errors import ConflictError
    from runtime.outbox import sent_to_customer

    runtime = the_runtime()
    [case] = runtime.store.cases()
    [email] = sent_to_customer(runtime.store, case.id)  # still queued
    with pytest.raises(ConflictError) as refused:
        Deliveries(runtime).resend(person("ann"), case.id, email.id)
    assert str(refused.value) == "the e-mail to sanne.devries@example.nl is pending, not failed; nothing was resent"
    read_as(monkeypatch, "nl")
    assert display.said(refused.value) == (
        "de e-mail aan sanne.devries@example.nl is in de wachtrij, niet mislukt; er is niets opnieuw verstuurd")


@pytest.mark.anyio
async def test_a_dutch_agent_reads_why_a_case_stopped_in_dutch_on_the_case_page(user):
    from runtime.accounts import Accounts
    from runtime.storage.base import Changes
    from tests.runtime.test_test_run import customer

    runtime = the_runtime()
    Accounts(runtime).set_language(person("ann"), "bob", "nl")
    unreachable = customer().model_copy(update={"id": "C-9001", "number": "9001", "email": ""})  # no e-mail address
    runtime.store.commit(Changes(customers=[unreachable]))
    case = runtime.start_case(person("ann"), "billing_complaint", COMPLAINT, customer_id=unreachable.id)
    [incident] = runtime.store.case(case.id).incidents
    assert incident.message == "there is no email address to send 'Ontvangstbevestiging klacht' to"  # CLI, API
    await sign_in(user, "bob", "bob-demo", target=f"/work/case/{case.id}")
    await user.should_see(marker="incident", content="Gestopt bij 'Ontvangstbevestiging e-mailen': er is geen "
                                                     "e-mailadres om 'Ontvangstbevestiging klacht' naartoe te sturen")


@pytest.mark.anyio
async def test_a_dutch_designer_reads_why_a_letter_has_no_preview_in_dutch(user):
    from runtime.accounts import Accounts
    from tests.designer.helpers import open_editor_tab

    Accounts(the_runtime()).set_language(person("ann"), "ann", "nl")
    await open_editor_tab(user, "billing_complaint", "letters", "letters-title")
    await user.should_see(content="Ontvangstbevestiging klacht")
    user.find(marker="letter-code-body").clear().type("Beste {{ nothing }}").trigger("blur")
    await user.should_see(marker="letter-preview-error",
                          content="Geen voorbeeld: de tekst van 'Ontvangstbevestiging klacht' gebruikt een invulveld "
                                  "zonder waarde: 'nothing' bestaat niet")


@pytest.mark.anyio
async def test_a_dutch_designer_reads_the_test_runs_refusal_and_a_failed_scenario_in_dutch(user):
    from runtime.accounts import Accounts
    from tests.designer.test_test_run import open_test_tab, start_address_change, verify_identity

    Accounts(the_runtime()).set_language(person("ann"), "ann", "nl")
    await open_test_tab(user)
    await start_address_change(user)
    await verify_identity(user)
    await user.should_see("De zaak eindigde bij 'Adres gewijzigd'")
    user.find(marker="save-scenario").click()  # no name typed: refused, in Dutch
    await user.should_see("geef het scenario een naam")
    user.find(marker="scenario-name").type("Identiteit vastgesteld")
    user.find(marker="save-scenario").click()
    await user.should_see("geslaagd: eindigde bij 'Adres gewijzigd'")

    from tests.designer.test_test_run import accept_only_an_id_document

    await accept_only_an_id_document(user)
    await user.should_see("mislukt: eindigde bij 'Bewijs opgevraagd' in plaats van bij 'Adres gewijzigd'")


@pytest.mark.anyio
async def test_a_dutch_designer_reads_the_kinds_of_case_data_in_dutch(user):
    from nicegui import ui

    from runtime.accounts import Accounts
    from tests.designer.helpers import open_editor_tab

    Accounts(the_runtime()).set_language(person("ann"), "ann", "nl")
    await open_editor_tab(user, "billing_complaint", "data", "case-data-title")
    await user.should_see(kind=ui.label, content="disputed_amount · geld")
    await user.should_see(kind=ui.label, content="invoice_number · tekst")
    [kinds] = user.find(marker="new-variable-type").elements
    assert kinds.options["boolean"] == "ja/nee" and kinds.options["text"] == "tekst"
