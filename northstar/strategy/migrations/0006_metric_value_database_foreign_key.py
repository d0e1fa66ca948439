"""KPI values get their database foreign key to the KPI back: no value can point at a missing metric,
whichever path wrote it."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("strategy", "0005_archive"),
    ]

    operations = [
        migrations.AlterField(
            model_name="metricvalue",
            name="metric",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="values",
                to="strategy.metric",
            ),
        ),
    ]
