"""Mail, meeting and call metadata: ingest, interactions, ties and their scores, members' pace."""
