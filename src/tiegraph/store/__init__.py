"""Schema, migrations, engine set-up, bulk upserts and queries."""
