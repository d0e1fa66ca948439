"""Earlier releases logged share-link tokens in the audit log: keep the fact that they changed, not the value."""

from django.db import migrations

SECRET_FIELDS = {"token", "password", "digest", "secret", "api_key", "key_digest", "totp_secret"}


def _secret(name: str) -> bool:
    name = name.lower()
    return name in SECRET_FIELDS or name.endswith(("_token", "_password", "_secret"))


def redact(apps, schema_editor):
    entries = apps.get_model("core", "AuditEntry").objects.using(schema_editor.connection.alias)
    entries = entries.filter(record_type__in=["planning.sharelink", "core.apitoken", "core.user"])
    for entry in entries.iterator():
        changes = dict(entry.changes or {})
        touched = False
        for key, pair in changes.items():
            if _secret(key) and isinstance(pair, list):
                changes[key] = [v if v in (None, "") else "[redacted]" for v in pair]
                touched = True
        if touched:
            entries.filter(pk=entry.pk).update(changes=changes)


class Migration(migrations.Migration):
    dependencies = [("core", "0004_api_token_scope_and_expiry")]

    operations = [migrations.RunPython(redact, migrations.RunPython.noop)]
