"""Imports land whole or not at all, say which row is wrong, and never add the same feedback twice."""

from __future__ import annotations

import mailbox
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.feedback import import_mail, import_rows, imports
from northstar.feedback.models import Contact, Customer, FeedbackItem, ImportBatch, Source
from tests.feedback import factories as f


def _csv(tmp_path: Path, text: str, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


ZENDESK = (
    "Id,Subject,Description,Requester,Requester email,Organization,Created at\n"
    "101,Exports,Please add CSV export of invoices,Ana Berg,ana@acme.example,Acme,2024-05-01T10:00:00Z\n"
    '102,SSO,"We need SAML single sign-on, urgently",Bo Chan,bo@globex.example,Globex,2024-05-02 09:30\n'
    "103,Dark,Dark mode please,Ana Berg,ana@acme.example,Acme,2024-05-03\n"
)


def test_a_preset_maps_the_export_and_every_row_keeps_its_source_author_customer_and_date(cast, tmp_path):
    path = _csv(tmp_path, ZENDESK)
    headers, _ = imports.csv_preview(path)
    mapping = imports.preset_mapping("zendesk", headers)
    assert mapping["text"] == "Description" and mapping["external_id"] == "Id"
    batch = imports.feedback_import_csv(actor=cast.pm, path=path, mapping=mapping, preset="zendesk")
    assert (batch.rows, batch.added, batch.duplicates) == (3, 3, 0)
    item = FeedbackItem.objects.get(external_id="102")
    assert item.source == Source.ZENDESK
    assert item.title == "SSO"
    assert item.text == "We need SAML single sign-on, urgently"
    assert item.author_email == "bo@globex.example"
    assert item.customer.name == "Globex"
    assert item.received_at.isoformat().startswith("2024-05-02T09:30")
    assert set(Customer.objects.values_list("name", flat=True)) == {"Acme", "Globex"}


def test_re_importing_the_same_file_adds_nothing(cast, tmp_path):
    path = _csv(tmp_path, ZENDESK)
    mapping = imports.preset_mapping("zendesk", imports.csv_preview(path)[0])
    imports.feedback_import_csv(actor=cast.pm, path=path, mapping=mapping, preset="zendesk")
    again = imports.feedback_import_csv(actor=cast.pm, path=path, mapping=mapping, preset="zendesk")
    assert (again.added, again.duplicates) == (0, 3)
    assert FeedbackItem.objects.count() == 3


def test_rows_without_an_id_are_recognised_by_author_date_and_text(cast, tmp_path):
    text = (
        "text,email,date\nFaster payouts,a@x.example,2024-01-01\nFaster   payouts!,a@x.example,2024-01-01\n"
    )
    path = _csv(tmp_path, text)
    batch = imports.feedback_import_csv(
        actor=cast.pm, path=path, mapping={"text": "text", "author_email": "email", "received_at": "date"}
    )
    assert (batch.added, batch.duplicates) == (1, 1)  # the second row says the same thing


def test_a_bad_row_refuses_the_whole_file_naming_the_row_and_the_reason(cast, tmp_path):
    rows = ["text,date"] + [f"Feedback {n},2024-01-{n % 28 + 1:02d}" for n in range(50)]
    rows[30] = "Feedback 29,31/02/2024x"
    rows[41] = ",2024-01-01"
    path = _csv(tmp_path, "\n".join(rows) + "\n")
    with pytest.raises(ValidationFailed) as refused:
        imports.feedback_import_csv(actor=cast.pm, path=path, mapping={"text": "text", "received_at": "date"})
    assert "Row 31" in refused.value.message and "not a date" in refused.value.message
    assert "Row 42: the feedback text is empty" in refused.value.message
    assert FeedbackItem.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert Customer.objects.count() == 0


def test_a_failure_while_storing_rolls_everything_back(cast, tmp_path, monkeypatch):
    rows = "text,customer\n" + "".join(f"Idea {n},Cust {n % 3}\n" for n in range(30))
    path = _csv(tmp_path, rows)
    calls = {"n": 0}

    def cancel_after_first_chunk() -> bool:
        calls["n"] += 1
        return calls["n"] > 1

    monkeypatch.setattr(import_rows, "CHUNK", 10)
    with pytest.raises(imports.Cancelled):
        imports.feedback_import_csv(
            actor=cast.pm,
            path=path,
            mapping={"text": "text", "customer": "customer"},
            cancelled=cancel_after_first_chunk,
        )
    assert FeedbackItem.objects.count() == 0
    assert Customer.objects.count() == 0


def test_mapping_must_name_the_text_column_and_existing_columns(cast, tmp_path):
    path = _csv(tmp_path, "body\nhello\n")
    with pytest.raises(ValidationFailed, match="feedback text"):
        imports.feedback_import_csv(actor=cast.pm, path=path, mapping={})
    with pytest.raises(ValidationFailed, match="no column “text”"):
        imports.feedback_import_csv(actor=cast.pm, path=path, mapping={"text": "text"})


def test_a_file_whose_encoding_changes_halfway_is_refused_naming_the_row(cast, tmp_path):
    path = tmp_path / "mixed.csv"
    start = "".join(f"Idea {n} – naïve\n" for n in range(5000)).encode()  # UTF-8 for the first 64 KB+
    path.write_bytes(b"text\n" + start + "Caf\xe9 \xe9crit\n".encode("latin-1"))
    with pytest.raises(ValidationFailed) as refused:
        imports.feedback_import_csv(actor=cast.pm, path=path, mapping={"text": "text"})
    assert "Line 5002: the text is not UTF-8" in refused.value.message
    assert FeedbackItem.objects.count() == 0


def test_stakeholders_cannot_import(cast, tmp_path):
    with pytest.raises(PermissionDenied):
        imports.feedback_import_csv(
            actor=cast.stakeholder, path=_csv(tmp_path, "text\nx\n"), mapping={"text": "text"}
        )


def test_contacts_put_email_rows_on_their_account(cast, tmp_path):
    customer = f.make_customer("Initech")
    Contact.objects.create(customer=customer, name="Peter", email="peter@initech.example")
    path = _csv(tmp_path, "text,email\nTPS reports export,peter@initech.example\n")
    imports.feedback_import_csv(actor=cast.pm, path=path, mapping={"text": "text", "author_email": "email"})
    assert FeedbackItem.objects.get().customer == customer


def _message(n: int, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = f"Customer {n} <c{n}@shop.example>"
    message["Subject"] = f"Feedback {n}"
    message["Date"] = "Tue, 07 May 2024 10:00:00 +0000"
    message["Message-ID"] = f"<m{n}@shop.example>"
    message.set_content(body + "\n\nOn Mon someone wrote:\n> the old thread\n")
    return message


def test_an_mbox_imports_each_message_once_without_the_quoted_thread(cast, tmp_path):
    path = tmp_path / "support.mbox"
    box = mailbox.mbox(str(path))
    for n in range(3):
        box.add(_message(n, f"Please add partial refunds ({n})"))
    box.flush()
    batch = imports.feedback_import_email(actor=cast.pm, path=path)
    assert batch.added == 3
    item = FeedbackItem.objects.get(external_id="m1@shop.example")
    assert item.source == Source.EMAIL
    assert item.text == "Please add partial refunds (1)"
    assert item.author_email == "c1@shop.example" and item.title == "Feedback 1"
    assert imports.feedback_import_email(actor=cast.pm, path=path).added == 0


def test_a_zip_of_eml_files_imports_like_a_folder(cast, tmp_path):
    path = tmp_path / "mail.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for n in range(2):
            archive.writestr(f"{n}.eml", _message(n, "Webhooks get lost").as_bytes())
    assert imports.feedback_import_email(actor=cast.pm, path=path).added == 2


def test_an_upload_is_only_usable_by_the_person_who_uploaded_it(cast):
    from django.core.files.uploadedfile import SimpleUploadedFile

    token = imports.upload_save(actor=cast.pm, upload=SimpleUploadedFile("a.csv", b"text\nx\n"))
    assert imports.upload_path(actor=cast.pm, token=token).exists()
    with pytest.raises(ValidationFailed):
        imports.upload_path(actor=cast.leader, token=token)
    with pytest.raises(ValidationFailed):
        imports.upload_path(actor=cast.pm, token="../../etc/passwd")


def test_progress_is_reported_while_storing(cast, tmp_path, monkeypatch):
    monkeypatch.setattr(import_rows, "CHUNK", 10)
    path = _csv(tmp_path, "text\n" + "".join(f"Idea {n}\n" for n in range(45)))
    seen: list[tuple[float, str]] = []
    imports.feedback_import_csv(
        actor=cast.pm, path=path, mapping={"text": "text"}, progress=lambda p, m: seen.append((p, m))
    )
    fractions = [p for p, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert len(seen) >= 5 and all(m.startswith("Stored") for _, m in seen)


def test_an_over_long_author_email_is_a_row_error_and_nothing_is_stored(cast, tmp_path):
    long_email = "a" * 250 + "@example.com"
    path = _csv(tmp_path, f"text,email\nFine,ok@example.com\nToo long,{long_email}\n")
    with pytest.raises(ValidationFailed) as refused:
        imports.feedback_import_csv(
            actor=cast.pm, path=path, mapping={"text": "text", "author_email": "email"}
        )
    assert "Row 3" in refused.value.message and "at most 254" in refused.value.message
    assert FeedbackItem.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_an_unreadable_message_is_a_row_error_naming_the_message(cast, tmp_path):
    folder = tmp_path / "mail"
    folder.mkdir()
    (folder / "1.eml").write_bytes(_message(1, "Fine message").as_bytes())
    (folder / "2.eml").write_bytes(
        b"From: x@shop.example\r\nSubject: Odd\r\nContent-Type: text/plain; charset=x-no-such-charset\r\n"
        b"\r\nHello there\r\n"
    )
    with pytest.raises(ValidationFailed) as refused:
        imports.feedback_import_email(actor=cast.pm, path=folder)
    assert "Message 2 (2.eml)" in refused.value.message and "cannot be read" in refused.value.message
    assert FeedbackItem.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_a_zip_that_unpacks_too_large_is_refused_before_reading(cast, tmp_path, monkeypatch):
    path = tmp_path / "mail.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("big.eml", _message(1, "x" * 5000).as_bytes())
        archive.writestr("small.eml", _message(2, "Small").as_bytes())
    monkeypatch.setattr(import_mail, "MAX_ZIP_ENTRY", 2000)
    monkeypatch.setattr(zipfile.ZipFile, "read", lambda *a: pytest.fail("read before the size check"))
    with pytest.raises(ValidationFailed) as refused:
        imports.feedback_import_email(actor=cast.pm, path=path)
    assert "big.eml" in refused.value.message and "at most" in refused.value.message
    monkeypatch.setattr(import_mail, "MAX_ZIP_ENTRY", 10_000)
    monkeypatch.setattr(import_mail, "MAX_ZIP_TOTAL", 3000)
    with pytest.raises(ValidationFailed) as refused:
        imports.feedback_import_email(actor=cast.pm, path=path)
    assert "Split it" in refused.value.message
    assert FeedbackItem.objects.count() == 0 and ImportBatch.objects.count() == 0


def test_rows_with_missing_or_extra_fields_refuse_the_file_naming_them(cast, tmp_path):
    text = (
        "text,email,date\n"
        "Faster payouts,a@x.example,2024-01-01\n"
        "Dark mode,b@x.example\n"  # a field short: the date would silently be empty
        "Exports, please, soon,c@x.example,2024-01-03\n"  # unquoted commas: two fields too many
        "Audit log,d@x.example,2024-01-04\n"
    )
    path = _csv(tmp_path, text)
    with pytest.raises(ValidationFailed) as refused:
        imports.feedback_import_csv(
            actor=cast.pm, path=path, mapping={"text": "text", "author_email": "email", "received_at": "date"}
        )
    assert "Row 3 has 2 fields but the header has 3" in refused.value.message
    assert "Row 4 has 5 fields but the header has 3" in refused.value.message
    assert FeedbackItem.objects.count() == 0


def test_imported_items_get_the_same_search_entries_as_items_saved_one_by_one(
    cast, tmp_path, django_capture_on_commit_callbacks
):
    from northstar.home.indexing import SOURCES
    from northstar.home.models import SearchEntry

    long_text = "Exports of every invoice, " * 100  # past the body and fallback-title limits
    path = _csv(
        tmp_path,
        f'text,title,customer\n"{long_text}",,Acme\nDark mode please,Dark,\nAudit log – naïve,Logs,Globex\n',
    )
    with django_capture_on_commit_callbacks(execute=True):
        imports.feedback_import_csv(
            actor=cast.pm, path=path, mapping={"text": "text", "title": "title", "customer": "customer"}
        )
    source = SOURCES["feedback"]
    for item in FeedbackItem.objects.select_related("customer"):
        stored = SearchEntry.objects.get(kind="feedback", record_id=item.pk)
        made = source.entry(item)
        assert (stored.title, stored.body, stored.detail) == (made.title, made.body, made.detail)


ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_exports_in_any_common_encoding_and_delimiter_import_the_same(cast, tmp_path, encoding, delimiter):
    rows = [
        ["Id", "Description", "Organization", "Created at"],
        ["7", "Crème brûlée export", "Société Zoë", "13/02/2024"],
    ]
    path = tmp_path / "export.csv"
    path.write_bytes("".join(delimiter.join(r) + "\n" for r in rows).encode(encoding))
    mapping = imports.preset_mapping("zendesk", imports.csv_preview(path)[0])
    batch = imports.feedback_import_csv(actor=cast.pm, path=path, mapping=mapping, preset="zendesk")
    assert batch.added == 1
    item = FeedbackItem.objects.get()
    assert item.text == "Crème brûlée export" and item.customer.name == "Société Zoë"
    assert item.received_at.date().isoformat() == "2024-02-13"


def test_ambiguous_dates_are_refused_naming_the_row_until_the_order_is_chosen(cast, tmp_path):
    path = _csv(tmp_path, "text,date\nIso,2024-03-04\nDay above 12,13/02/2024\nEither way,01/02/2024\n")
    mapping = {"text": "text", "received_at": "date"}
    with pytest.raises(ValidationFailed) as refused:
        imports.feedback_import_csv(actor=cast.pm, path=path, mapping=mapping)
    assert "Row 4: “01/02/2024” could be 1 February 2024 or 2 January 2024" in refused.value.message
    assert "day first or month first" in refused.value.message
    assert FeedbackItem.objects.count() == 0
    imports.feedback_import_csv(actor=cast.pm, path=path, mapping=mapping, order="mdy")
    dates = {i.text: i.received_at.date().isoformat() for i in FeedbackItem.objects.all()}
    assert dates == {"Iso": "2024-03-04", "Day above 12": "2024-02-13", "Either way": "2024-01-02"}
