"""The directory: importing persons and companies, its matching index, lookups, profiles."""
