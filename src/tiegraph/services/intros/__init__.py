"""Intro requests: drafting from the template, tracking, and delivery by SMTP or the mail client."""
