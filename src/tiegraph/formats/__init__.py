"""Readers of outside files and protocol payloads, yielding plain records; no database."""
