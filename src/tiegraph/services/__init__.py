"""Use cases: import, ingest, sync, insights, intros, gallery, sharing."""
