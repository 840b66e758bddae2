"""Deterministic generator of a realistic demo organization, written as real export files."""
