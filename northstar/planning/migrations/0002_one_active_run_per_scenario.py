# One plan being worked out per scenario, held by a partial unique constraint.

from django.db import migrations, models


def close_duplicate_runs(apps, schema_editor):
    """Before the constraint: keep the newest active run of each scenario, fail the older ones."""
    runs = apps.get_model("planning", "PlanRun").objects.using(schema_editor.connection.alias)
    seen = set()
    for run in runs.filter(status__in=["queued", "running"]).order_by("-created_at", "-id"):
        if run.scenario_id in seen:
            runs.filter(pk=run.pk).update(
                status="failed", error="Closed on upgrade: another run of this scenario was newer."
            )
        seen.add(run.scenario_id)


class Migration(migrations.Migration):

    dependencies = [
        ("planning", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(close_duplicate_runs, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="planrun",
            constraint=models.UniqueConstraint(
                condition=models.Q(("status__in", ["queued", "running"])),
                fields=("scenario",),
                name="one_active_run_per_scenario",
            ),
        ),
    ]
