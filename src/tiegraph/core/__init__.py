"""Pure domain rules: normalization, matching, strength, likelihood, path ranking; no I/O."""
