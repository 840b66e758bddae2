"""An organization and its people: settings, members, sign-in and tokens, sharing rules."""
