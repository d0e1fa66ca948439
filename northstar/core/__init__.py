"""Users, roles, the audit log and the shared pieces every other app leans on."""
