"""Long work as jobs: a PostgreSQL queue run by `tiegraph worker`, in-process on SQLite."""
