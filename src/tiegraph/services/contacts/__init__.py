"""Members' address books: import, details, private network, possible matches, archive, gallery."""
