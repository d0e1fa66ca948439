"""`northstar import metrics FILE.csv`: whole or nothing, with the line number and reason of a bad row."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from northstar.core.errors import PermissionDenied, ValidationFailed
from northstar.strategy import metric_values
from northstar.strategy.metric_values import metric_values_import
from northstar.strategy.models import MetricImport, MetricValue
from tests.strategy.factories import make_key_result, make_metric


@pytest.fixture
def kpis(db):
    return make_metric(key="signups", name="Merchant signups"), make_metric(
        key="nps", name="NPS", aggregation="average"
    )


def write(tmp_path, text: str):
    path = tmp_path / "values.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_lands_whole_and_bound_key_results_follow(kpis, tmp_path):
    signups, _nps = kpis
    kr = make_key_result(metric=signups, baseline=0, target=100)
    path = write(
        tmp_path,
        "date,metric,value,dimension\n"
        "2024-01-01,signups,10,EU\n2024-01-01,signups,5,US\n2024-01-08,Merchant signups,12,EU\n"
        "2024-01-01,nps,31.5,\n",
    )
    seen = []
    record = metric_values_import(actor=None, path=path, progress=lambda *a: seen.append(a))
    assert (record.rows, record.metrics, record.first_date, record.last_date) == (
        4, 2, date(2024, 1, 1), date(2024, 1, 8)
    )  # fmt: skip
    assert MetricValue.objects.count() == 4
    assert seen and seen[-1][0] == 4 and seen[-1][1] == seen[-1][2]  # the bar ends full
    kr.refresh_from_db()
    assert kr.current == 12  # the latest date's value
    # Importing the same points again replaces them rather than doubling them.
    write(tmp_path, "date,metric,value,dimension\n2024-01-08,signups,13,EU\n")
    metric_values_import(actor=None, path=path)
    assert MetricValue.objects.count() == 4
    assert MetricValue.objects.get(metric=signups, date=date(2024, 1, 8), dimension="EU").value == 13
    kr.refresh_from_db()
    assert kr.current == 13


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("2024-01-01,signups,1\n2024-01-08,signups,abc\n", "Line 3: 'abc' is not a number"),
        ("2024-01-01,signups,1\n2024-13-01,signups,2\n", "Line 3: “2024-13-01” is not a date"),
        ("2024-01-01,signups,1\n2024-01-08,churn,2\n", "Line 3: no metric called 'churn'"),
        ("2024-01-01,signups,1\n2024-01-01,signups,2\n", "Line 3: signups on 2024-01-01"),
        ("2024-01-01,signups,1\n2024-01-08,signups\n", "Line 3: expected 3 fields, found 2"),
        ("2024-01-01,signups,nan\n", "Line 2: 'nan' is not a finite number"),
    ],
)
def test_a_bad_row_stops_the_import_and_nothing_is_stored(kpis, tmp_path, body, message):
    path = write(tmp_path, "date,metric,value\n" + body)
    with pytest.raises(ValidationFailed, match=message) as refused:
        metric_values_import(actor=None, path=path)
    assert "Nothing was imported" in refused.value.message
    assert MetricValue.objects.count() == 0
    assert MetricImport.objects.count() == 0


def test_a_failure_after_many_batches_still_leaves_nothing(kpis, tmp_path, monkeypatch):

    monkeypatch.setattr(metric_values, "BATCH", 100)
    rows = [f"{date.fromordinal(738000 + i).isoformat()},signups,{i}" for i in range(1000)]
    path = write(tmp_path, "date,metric,value\n" + "\n".join(rows) + "\n2030-01-01,signups,oops\n")
    with pytest.raises(ValidationFailed, match="Line 1002"):
        metric_values_import(actor=None, path=path)
    assert MetricValue.objects.count() == 0


def test_header_and_file_problems_are_explained(kpis, tmp_path):
    with pytest.raises(ValidationFailed, match="lacks value"):
        metric_values_import(actor=None, path=write(tmp_path, "date,metric\n2024-01-01,signups\n"))
    with pytest.raises(ValidationFailed, match="no rows"):
        metric_values_import(actor=None, path=write(tmp_path, "date,metric,value\n"))
    with pytest.raises(ValidationFailed, match="Cannot read"):
        metric_values_import(actor=None, path=tmp_path / "missing.csv")


def test_people_import_only_the_metrics_they_may_change(cast, tmp_path):
    make_metric(key="home_kpi", line=cast.home_line)
    make_metric(key="away_kpi", line=cast.away_line)
    path = write(tmp_path, "date,metric,value\n2024-01-01,home_kpi,1\n2024-01-01,away_kpi,1\n")
    with pytest.raises(ValidationFailed, match="Line 3: You can only change metrics"):
        metric_values_import(actor=cast.pm, path=path)
    assert MetricValue.objects.count() == 0
    with pytest.raises(PermissionDenied):
        metric_values_import(actor=cast.stakeholder, path=path)
    assert metric_values_import(actor=cast.leader, path=path).rows == 2


def test_the_command_shows_progress_and_refuses_with_the_reason(kpis, tmp_path):
    path = write(tmp_path, "date,metric,value\n2024-01-01,signups,1\n2024-01-08,signups,2\n")
    out, err = io.StringIO(), io.StringIO()
    call_command("import", "metrics", str(path), stdout=out, stderr=err)
    assert "Imported 2 values of 1 metric(s) from 2024-01-01 to 2024-01-08" in out.getvalue()
    bad = write(tmp_path, "date,metric,value\n2024-01-01,signups,x\n")
    with pytest.raises(CommandError, match="Line 2: 'x' is not a number"):
        call_command("import", "metrics", str(bad), "--quiet")
    assert MetricValue.objects.count() == 2


def test_new_dates_and_corrections_of_old_ones_land_together(kpis, tmp_path):
    """New dates and past ones take different paths on PostgreSQL; both land, corrections replace."""
    first = "date,metric,value,dimension\n2024-01-01,signups,1,EU\n2024-01-08,signups,2,EU\n"
    metric_values_import(actor=None, path=write(tmp_path, first))
    metric_values_import(
        actor=None,
        path=write(
            tmp_path,
            "date,metric,value,dimension\n"
            "2024-01-01,signups,10,EU\n"  # corrects a stored point
            "2024-01-01,signups,7,US\n"  # a past date, new dimension
            "2024-01-15,signups,3,EU\n"  # after the latest stored date
            "2024-01-01,nps,40,\n",  # a metric with nothing stored yet
        ),
    )
    stored = {
        (p.metric.key, p.date.isoformat(), p.dimension): p.value
        for p in MetricValue.objects.select_related("metric")
    }
    assert stored == {
        ("signups", "2024-01-01", "EU"): 10,
        ("signups", "2024-01-01", "US"): 7,
        ("signups", "2024-01-08", "EU"): 2,
        ("signups", "2024-01-15", "EU"): 3,
        ("nps", "2024-01-01", ""): 40,
    }


def test_deleting_a_metric_takes_its_values_with_it(kpis, tmp_path):
    """The value table has no database foreign key, so the cascade is Django's; it must still happen."""
    from northstar.strategy.models import Metric

    signups, _ = kpis
    metric_values_import(actor=None, path=write(tmp_path, "date,metric,value\n2024-01-01,signups,1\n"))
    Metric.objects.filter(pk=signups.pk).delete()
    assert not MetricValue.objects.filter(metric_id=signups.pk).exists()


def test_a_metric_deleted_during_the_import_leaves_no_orphan_values(kpis, tmp_path, monkeypatch):
    from northstar.strategy.models import Metric

    monkeypatch.setattr(metric_values, "BATCH", 10)
    monkeypatch.setattr(metric_values, "PROGRESS_EVERY", 0)  # a report after every batch
    signups, _ = kpis
    rows = [f"{date.fromordinal(738000 + i).isoformat()},signups,{i}" for i in range(50)]

    def delete_midway(done: int, *_: int) -> None:
        if done == 20:  # another user deletes the metric while the file is still being read
            Metric.objects.filter(pk=signups.pk).delete()

    with pytest.raises(ValidationFailed, match="deleted while their values were being written"):
        metric_values_import(
            actor=None, path=write(tmp_path, "date,metric,value\n" + "\n".join(rows)), progress=delete_midway
        )
    assert MetricValue.objects.count() == 0
    assert Metric.objects.filter(pk=signups.pk).exists()  # the whole transaction, the delete too, rolled back


def test_a_long_file_stores_every_point_once_across_statements_and_batches(kpis, tmp_path, monkeypatch):
    """Rows go to the database many per statement: none may be dropped or written twice at the seams."""

    monkeypatch.setattr(metric_values, "SQLITE_ROWS_PER_STATEMENT", 200)
    monkeypatch.setattr(metric_values, "BATCH", 450)  # batches that end mid-statement
    days = [date.fromordinal(738000 + i).isoformat() for i in range(1001)]
    rows = [f"{day},signups,{i},{region}" for i, day in enumerate(days) for region in ("EU", "US")]
    metric_values_import(actor=None, path=write(tmp_path, "date,metric,value,dimension\n" + "\n".join(rows)))
    assert MetricValue.objects.count() == 2002
    again = [f"{day},signups,{i * 2},EU" for i, day in enumerate(days)]  # corrects one region
    metric_values_import(actor=None, path=write(tmp_path, "date,metric,value,dimension\n" + "\n".join(again)))
    stored = {(p.date.isoformat(), p.dimension): p.value for p in MetricValue.objects.all()}
    assert len(stored) == 2002
    assert all(stored[(day, "EU")] == i * 2 and stored[(day, "US")] == i for i, day in enumerate(days))


def test_importing_the_same_history_again_keeps_it_and_applies_only_the_changes(kpis, tmp_path):
    """A weekly re-import of the whole history is common: unchanged points stay, changed ones update."""
    text = "date,metric,value,dimension\n2024-01-01,signups,10,EU\n2024-01-01,signups,20,US\n"
    metric_values_import(actor=None, path=write(tmp_path, text))
    metric_values_import(actor=None, path=write(tmp_path, text.replace(",20,", ",25,")))
    stored = dict(MetricValue.objects.values_list("dimension", "value"))
    assert stored == {"EU": 10, "US": 25}
    assert MetricImport.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_metric_deleted_while_a_point_is_being_written_leaves_no_orphan():
    """Two connections: one writes a point, the other deletes the metric in the middle of it."""
    import threading
    import time

    from django.db import OperationalError, connection, connections, transaction

    from northstar.strategy import metrics
    from northstar.strategy.models import Metric

    metric = make_metric(key="gmv")
    held = threading.Event()

    def write_point() -> None:
        try:
            with transaction.atomic():
                metrics.hold_metrics([metric.pk])  # what metric_value_record does before writing
                held.set()
                time.sleep(0.5)  # the delete starts now, before our point exists
                MetricValue.objects.create(metric_id=metric.pk, date=date(2024, 1, 1), value=1)
        finally:
            connections.close_all()

    outcome: list[str] = []

    def delete_metric() -> None:
        held.wait(5)
        try:
            metrics.metric_delete(actor=None, metric=Metric.objects.get(pk=metric.pk))
            outcome.append("deleted")
        except OperationalError:  # the in-memory SQLite test database refuses a second writer
            outcome.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write_point), threading.Thread(target=delete_metric)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    orphans = MetricValue.objects.exclude(metric_id__in=Metric.objects.values("pk"))
    assert not orphans.exists()
    if connection.vendor == "postgresql":  # there the delete waits for the writer, then takes the point
        assert outcome == ["deleted"] and not MetricValue.objects.exists()


def test_a_metric_first_seen_deep_in_a_long_file_is_still_permission_checked(cast, tmp_path, monkeypatch):
    """On PostgreSQL the rows stream by COPY; a new metric's permission check needs the connection."""

    monkeypatch.setattr(metric_values, "BATCH", 10)
    make_metric(key="home_kpi", line=cast.home_line)
    make_metric(key="home_kpi_2", line=cast.home_line)
    make_metric(key="away_kpi", line=cast.away_line)
    days = [date.fromordinal(738000 + i).isoformat() for i in range(60)]
    mine = [f"{d},home_kpi,1" for d in days] + [f"{d},home_kpi_2,2" for d in days]
    path = write(tmp_path, "date,metric,value\n" + "\n".join(mine) + "\n")
    assert metric_values_import(actor=cast.pm, path=path).metrics == 2
    assert MetricValue.objects.count() == 120
    path = write(tmp_path, "date,metric,value\n" + "\n".join([*mine, "2030-01-01,away_kpi,3"]) + "\n")
    with pytest.raises(ValidationFailed, match="Line 122: You can only change metrics"):
        metric_values_import(actor=cast.pm, path=path)
    assert MetricValue.objects.count() == 120


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_files_in_any_common_encoding_and_delimiter_import(kpis, tmp_path, encoding, delimiter):
    rows = [["date", "metric", "value", "dimension"], ["2024-01-01", "signups", "10", "Zürich"]]
    rows.append(["2 Feb 2024", "Merchant signups", "12.5", "Genève"])
    path = tmp_path / "values.csv"
    path.write_bytes("".join(delimiter.join(r) + "\r\n" for r in rows).encode(encoding))
    assert metric_values_import(actor=None, path=path).rows == 2
    stored = dict(MetricValue.objects.values_list("dimension", "value"))
    assert stored == {"Zürich": 10, "Genève": 12.5}


def test_ambiguous_dates_are_refused_naming_the_line_until_the_order_is_chosen(kpis, tmp_path):
    path = write(tmp_path, "date,metric,value\n13/02/2024,signups,1\n01/02/2024,signups,2\n")
    with pytest.raises(ValidationFailed, match="Line 3: “01/02/2024” could be") as refused:
        metric_values_import(actor=None, path=path)
    assert "--date-order" in refused.value.message and MetricValue.objects.count() == 0
    metric_values_import(actor=None, path=path, order="dmy")
    assert sorted(MetricValue.objects.values_list("date", flat=True)) == [date(2024, 2, 1), date(2024, 2, 13)]
    call_command("import", "metrics", str(path), "--quiet", "--date-order", "mdy")
    assert date(2024, 1, 2) in set(MetricValue.objects.values_list("date", flat=True))
